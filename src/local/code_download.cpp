#include "local/code_download.hpp"

#include <string_view>

namespace ld::local {

namespace {

constexpr std::string_view kPrefix = "/_lambdeploy/blobs/";

// S3's answer for a key that is not there.
HttpResponse no_such_key() {
  HttpResponse response;
  response.status = 404;
  response.headers.set("Content-Type", "application/xml");
  response.body =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
      "specified key does not exist.</Message></Error>";
  return response;
}

}  // namespace

std::optional<HttpResponse> code_download(const BlobStore& blobs, const HttpRequest& request) {
  if (!request.path.starts_with(kPrefix)) return std::nullopt;
  const std::string_view digest = std::string_view(request.path).substr(kPrefix.size());
  if ((request.method != "GET" && request.method != "HEAD") || !BlobStore::is_digest(digest) ||
      !blobs.exists(digest)) {
    return no_such_key();
  }
  HttpResponse response;
  response.status = 200;
  response.headers.set("Content-Type", "application/zip");
  try {
    response.body = blobs.read(digest);
  } catch (const BlobError&) {
    return no_such_key();  // deleted meanwhile; its error would name the blob's path
  }
  return response;
}

}  // namespace ld::local
