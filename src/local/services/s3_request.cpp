#include "local/services/s3_request.hpp"

#include <algorithm>
#include <sstream>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "core/utf8.hpp"

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

ApiError invalid_uri() {
  return ApiError("InvalidURI", "Couldn't parse the specified URI.", 400);
}

namespace {

// `bytes` read as ISO-8859-1, in UTF-8.
std::string latin1_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> latin1_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      out.push_back(text[i]);
    } else if ((byte == 0xC2 || byte == 0xC3) && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[++i]);
      out.push_back(static_cast<char>(((byte & 0x03) << 6) | (next & 0x3F)));
    } else {
      return std::nullopt;
    }
  }
  return out;
}

StoredHeaders stored_headers(const HttpRequest& http) {
  StoredHeaders stored;
  auto keep = [&](const std::string& name, const std::string& value) {
    if (is_valid_utf8(value)) return value;
    stored.latin1.push_back(name);
    return latin1_text(value);
  };
  if (auto value = http.headers.get("Content-Type"))
    stored.content_type = keep("Content-Type", *value);
  static constexpr const char* kNames[] = {"Cache-Control", "Content-Disposition",
                                           "Content-Encoding", "Content-Language", "Expires"};
  for (const char* name : kNames) {
    std::optional<std::string> value = http.headers.get(name);
    if (!value) continue;
    // aws-chunked is transfer framing, not the object's encoding.
    if (iequals(name, "Content-Encoding")) {
      std::string kept;
      for (const std::string& part : split(*value, ',')) {
        std::string item(trim(part));
        if (item.empty() || iequals(item, "aws-chunked")) continue;
        kept += (kept.empty() ? "" : ",") + item;
      }
      if (kept.empty()) continue;
      value = kept;
    }
    stored.headers[name] = keep(name, *value);
  }
  return stored;
}

std::string header_bytes(const nlohmann::json& object, const std::string& name,
                         const std::string& text) {
  auto latin1 = object.find("Latin1Headers");
  if (latin1 == object.end() || !latin1->is_array()) return text;
  for (const json& listed : *latin1)
    if (listed.is_string() && iequals(listed.get<std::string>(), name))
      return latin1_bytes(text).value_or(text);
  return text;
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

namespace {

// RFC 2047's "Q" encoding of `value` as UTF-8 when it holds anything but printable ASCII (S3
// keeps and returns metadata values "mail-safe" this way), else the value itself.
std::string mail_safe(std::string_view value) {
  const bool printable =
      std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
  if (printable) return std::string(value);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "=?UTF-8?Q?";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte == ' ') {
      out.push_back('_');
    } else if (byte > 0x20 && byte < 0x7F && byte != '=' && byte != '?' && byte != '_') {
      out.push_back(c);
    } else {
      out.push_back('=');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  return out + "?=";
}

}  // namespace

json user_metadata(const HttpRequest& http) {
  json metadata = json::object();
  for (const auto& field : http.headers.fields()) {
    if (!starts_with_icase(field.name, "x-amz-meta-")) continue;
    const std::string name = to_lower(field.name.substr(11));
    if (!is_valid_utf8(name)) throw invalid_argument("Invalid metadata name.", "x-amz-meta-", "");
    metadata[name] = mail_safe(field.value);
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
