#include "local/code_download.hpp"

#include <string_view>

namespace ld::local {

namespace {

constexpr std::string_view kPrefix = "/_lambdeploy/blobs/";

}  // namespace

std::optional<HttpResponse> code_download(const BlobStore& blobs, const HttpRequest& request) {
  if (!request.path.starts_with(kPrefix)) return std::nullopt;
  const std::string_view digest = std::string_view(request.path).substr(kPrefix.size());
  HttpResponse response;
  if ((request.method != "GET" && request.method != "HEAD") || !BlobStore::is_digest(digest) ||
      !blobs.exists(digest)) {
    response.status = 404;
    response.headers.set("Content-Type", "application/xml");
    response.body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The "
        "specified key does not exist.</Message></Error>";
    return response;
  }
  response.status = 200;
  response.headers.set("Content-Type", "application/zip");
  response.body = blobs.read(digest);
  return response;
}

}  // namespace ld::local
