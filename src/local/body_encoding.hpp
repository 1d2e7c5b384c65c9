#pragma once
// Request bodies sent with a Content-Encoding (the Smithy requestCompression trait: current SDKs
// gzip a PutMetricData body of 10240 bytes or more). The signature covers the bytes as sent, so
// a body is decoded after its signature is checked and before a protocol decoder reads it. S3
// keeps Content-Encoding as object metadata and never calls this.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/http.hpp"

namespace ld::local {

// The body `request` carries once its Content-Encoding (a list of gzip, x-gzip and identity) is
// undone; nullopt when it has none or only identity. Never more than `limit` bytes: throws
// ApiError RequestEntityTooLarge (413) for a body that inflates past it, InvalidContentEncoding
// (400) for bytes that are not gzip, UnsupportedContentEncoding (415) for any other coding.
std::optional<std::string> decoded_body(const HttpRequest& request, std::size_t limit);

// `compressed` inflated as gzip (one member or several), at most `limit` bytes; throws as above.
std::string gunzip(std::string_view compressed, std::size_t limit);

}  // namespace ld::local
