#pragma once
// The download behind Code.Location and Content.Location: GetFunction and GetLayerVersion answer
// `http://127.0.0.1:{port}/_lambdeploy/blobs/{sha256 hex}` where AWS answers a presigned S3 URL,
// and this serves the zip there.
#include <optional>

#include "core/http.hpp"
#include "local/blob_store.hpp"

namespace ld::local {

// The zip for GET (or HEAD) /_lambdeploy/blobs/{digest}; 404 for a digest not stored, nullopt
// for any other path.
std::optional<HttpResponse> code_download(const BlobStore& blobs, const HttpRequest& request);

}  // namespace ld::local
