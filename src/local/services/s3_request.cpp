#include "local/services/s3_request.hpp"

#include <sstream>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"

namespace ld::local::s3 {

using nlohmann::json;

std::optional<std::string> Request::query(std::string_view name) const {
  for (const auto& [parameter, value] : http.query)
    if (parameter == name) return value;
  return std::nullopt;
}

ApiError no_such_bucket(const std::string& bucket) {
  ApiError error("NoSuchBucket", "The specified bucket does not exist", 404);
  error.extra["BucketName"] = bucket;
  return error;
}

ApiError no_such_key(const std::string& key) {
  ApiError error("NoSuchKey", "The specified key does not exist.", 404);
  error.extra["Key"] = key;
  return error;
}

ApiError invalid_argument(const std::string& message, const std::string& name,
                          const std::string& value) {
  ApiError error("InvalidArgument", message, 400);
  error.extra["ArgumentName"] = name;
  error.extra["ArgumentValue"] = value;
  return error;
}

Record require_bucket(const Request& request) {
  std::optional<Record> bucket = request.state.records->get(kBucketKind, request.bucket);
  if (!bucket) throw no_such_bucket(request.bucket);
  return *bucket;
}

Timestamp whole_seconds(Timestamp t) {
  return Timestamp(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()));
}

std::string xml_time(Timestamp t) {
  std::string text = format_iso8601(whole_seconds(t));
  if (text.ends_with("Z")) text.insert(text.size() - 1, ".000");
  return text;
}

Timestamp from_millis(std::int64_t millis) {
  return Timestamp(std::chrono::milliseconds(millis));
}

std::int64_t to_millis(Timestamp t) {
  return static_cast<std::int64_t>(t.time_since_epoch().count());
}

ApiReply xml_reply(const pugi::xml_document& document, int status) {
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  ApiReply reply;
  reply.status = status;
  reply.raw_body = out.str();
  reply.content_type = "application/xml";
  return reply;
}

pugi::xml_node add_text(pugi::xml_node parent, const char* name, const std::string& text) {
  pugi::xml_node node = parent.append_child(name);
  node.text().set(text.c_str());
  return node;
}

namespace {

ApiError incomplete_body() {
  return ApiError("IncompleteBody", "The request body terminated unexpectedly", 400);
}

// Removes aws-chunked framing: "<hex size>[;chunk-signature=…]\r\n<bytes>\r\n" … "0…\r\n",
// then trailer lines "name:value\r\n" and a blank line.
std::string dechunk(std::string_view body, Headers& trailers) {
  std::string out;
  std::size_t at = 0;
  while (true) {
    const std::size_t eol = body.find("\r\n", at);
    if (eol == std::string_view::npos) throw incomplete_body();
    std::string_view line = body.substr(at, eol - at);
    std::string_view size_text = line.substr(0, line.find(';'));
    std::size_t size = 0;
    if (size_text.empty()) throw incomplete_body();
    for (char c : size_text) {
      int digit = (c >= '0' && c <= '9')   ? c - '0'
                  : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                           : -1;
      if (digit < 0) throw incomplete_body();
      size = size * 16 + static_cast<std::size_t>(digit);
    }
    at = eol + 2;
    if (size == 0) break;
    if (body.size() < at + size + 2) throw incomplete_body();
    out.append(body.substr(at, size));
    at += size;
    if (body.substr(at, 2) != "\r\n") throw incomplete_body();
    at += 2;
  }
  while (at < body.size()) {
    const std::size_t eol = body.find("\r\n", at);
    std::string_view line = body.substr(at, eol == std::string_view::npos ? eol : eol - at);
    if (line.empty()) break;
    if (auto colon = line.find(':'); colon != std::string_view::npos) {
      trailers.add(std::string(trim(line.substr(0, colon))),
                   std::string(trim(line.substr(colon + 1))));
    }
    if (eol == std::string_view::npos) break;
    at = eol + 2;
  }
  return out;
}

}  // namespace

std::string payload_of(const Request& request, Headers& trailers) {
  const std::string content_sha = request.header("x-amz-content-sha256").value_or("");
  const std::string encoding = request.header("Content-Encoding").value_or("");
  const bool chunked = content_sha.starts_with("STREAMING-") ||
                       to_lower(encoding).find("aws-chunked") != std::string::npos;
  if (!chunked) return request.http.body;
  std::string bytes = dechunk(request.http.body, trailers);
  if (auto declared = request.header("x-amz-decoded-content-length")) {
    if (*declared != std::to_string(bytes.size())) throw incomplete_body();
  }
  return bytes;
}

std::optional<std::string> check_digests(const Request& request, const Headers& trailers,
                                         std::string_view bytes) {
  if (auto md5_header = request.header("Content-MD5")) {
    std::optional<std::string> given = base64_decode(trim(*md5_header));
    if (!given || given->size() != 16) {
      throw ApiError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400);
    }
    const auto actual = md5(bytes);
    if (std::string_view(reinterpret_cast<const char*>(actual.data()), actual.size()) != *given) {
      ApiError error("BadDigest", "The Content-MD5 you specified did not match what we received.",
                     400);
      error.extra["ExpectedDigest"] = hex_encode(*given);
      error.extra["CalculatedDigest"] =
          hex_encode(std::string_view(reinterpret_cast<const char*>(actual.data()), actual.size()));
      throw error;
    }
  }
  std::optional<std::string> sha_header = request.header("x-amz-checksum-sha256");
  if (!sha_header) sha_header = trailers.get("x-amz-checksum-sha256");
  if (!sha_header) return std::nullopt;
  std::optional<std::string> given = base64_decode(trim(*sha_header));
  if (!given || given->size() != 32) {
    throw ApiError("InvalidRequest", "Value for x-amz-checksum-sha256 header is invalid.", 400);
  }
  if (std::string(as_chars(sha256(bytes))) != *given) {
    throw ApiError("BadDigest", "The SHA256 you specified did not match the calculated checksum.",
                   400);
  }
  return base64_encode(*given);
}

json user_metadata(const HttpRequest& http) {
  json metadata = json::object();
  for (const auto& field : http.headers.fields()) {
    if (starts_with_icase(field.name, "x-amz-meta-"))
      metadata[to_lower(field.name.substr(11))] = field.value;
  }
  return metadata;
}

std::string quoted_md5(std::string_view bytes) {
  const auto digest = md5(bytes);
  return "\"" +
         hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())) +
         "\"";
}

}  // namespace ld::local::s3
