#pragma once
// Byte encodings: hex, base64, and RFC 3986 percent-encoding as SigV4 and URLs need it.
#include <optional>
#include <string>
#include <string_view>

namespace ld {

std::string hex_encode(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Strict standard-alphabet base64 with padding; nullopt when the text is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

// Percent-encodes every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - _ . ~), upper-case
// hex. With keep_slash, '/' is left as it is (for paths).
std::string uri_encode(std::string_view s, bool keep_slash = false);
// Decodes %XX sequences (and, with plus_is_space, '+' as space, for form bodies).
std::string uri_decode(std::string_view s, bool plus_is_space = false);

}  // namespace ld
