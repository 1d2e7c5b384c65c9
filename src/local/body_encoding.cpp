#include "local/body_encoding.hpp"

#include <zlib.h>

#include <algorithm>
#include <vector>

#include "core/strings.hpp"
#include "local/api_call.hpp"

namespace ld::local {

namespace {

// A zlib inflate stream set to read gzip, ended however the decoding ends.
struct GzipStream {
  z_stream z{};
  bool ready = false;
  GzipStream() { ready = inflateInit2(&z, 16 + MAX_WBITS) == Z_OK; }
  ~GzipStream() {
    if (ready) inflateEnd(&z);
  }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;
};

ApiError not_gzip(std::string_view detail) {
  return ApiError(
      "InvalidContentEncoding",
      "The request body is not valid gzip data (Content-Encoding: gzip): " + std::string(detail),
      400);
}

ApiError too_large(std::size_t limit) {
  return ApiError("RequestEntityTooLarge",
                  "The request body inflates (Content-Encoding: gzip) to more than " +
                      std::to_string(limit) + " bytes, the most this request may carry",
                  413);
}

}  // namespace

std::string gunzip(std::string_view compressed, std::size_t limit) {
  GzipStream stream;
  if (!stream.ready) throw ApiError("InternalFailure", "zlib could not start inflating", 500);
  z_stream& z = stream.z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  if (compressed.size() > limit) throw too_large(limit);
  std::string out;
  char chunk[16384];
  while (true) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    const int status = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - z.avail_out;
    if (out.size() + produced > limit) throw too_large(limit);
    out.append(chunk, produced);
    if (status == Z_STREAM_END) {
      if (z.avail_in == 0) return out;
      // Another gzip member may follow (RFC 1952 section 2.2); anything else is trailing junk.
      if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b)
        throw not_gzip("bytes follow the end of the gzip stream");
      if (inflateReset(&z) != Z_OK) throw not_gzip("the next gzip member cannot be read");
      continue;
    }
    if (status == Z_BUF_ERROR && z.avail_in == 0) throw not_gzip("the gzip stream is truncated");
    if (status != Z_OK && status != Z_BUF_ERROR)
      throw not_gzip(z.msg != nullptr ? z.msg : "zlib error " + std::to_string(status));
  }
}

std::optional<std::string> decoded_body(const HttpRequest& request, std::size_t limit) {
  const std::optional<std::string> header = request.headers.get("Content-Encoding");
  if (!header) return std::nullopt;
  std::vector<std::string> codings;
  for (const std::string& item : split(*header, ',')) {
    const std::string coding = to_lower(trim(item));
    if (coding.empty() || coding == "identity") continue;
    if (coding != "gzip" && coding != "x-gzip") {
      throw ApiError("UnsupportedContentEncoding",
                     "Content-Encoding '" + std::string(trim(item)) +
                         "' is not supported: this service reads request bodies sent as is "
                         "(identity) or compressed with gzip",
                     415);
    }
    codings.push_back(coding);
  }
  if (codings.empty()) return std::nullopt;
  // The codings were applied in the order listed: undone last first.
  std::string body = gunzip(request.body, limit);
  for (std::size_t i = 1; i < codings.size(); ++i) body = gunzip(body, limit);
  return body;
}

}  // namespace ld::local
