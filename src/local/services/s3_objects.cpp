// S3 object operations: PutObject, CopyObject, GetObject / HeadObject, DeleteObject(s), and
// Get / Put / DeleteObjectTagging.
#include <algorithm>
#include <fstream>

#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/utf8.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local::s3 {

namespace {

using nlohmann::json;

// Writes the object's record (its blob already stored).
json store_object(Request& request, const BlobRef& blob, std::string etag, StoredHeaders headers,
                  json metadata, const std::optional<std::string>& sha256_checksum,
                  json tags = nullptr) {
  json document = {{"Key", request.key},
                   {"Digest", blob.digest},
                   {"Size", blob.size},
                   {"ETag", std::move(etag)},
                   {"LastModified", to_millis(whole_seconds(request.call.now))},
                   {"ContentType", headers.content_type.empty() ? "binary/octet-stream"
                                                                : std::move(headers.content_type)},
                   {"Metadata", std::move(metadata)},
                   {"Headers", std::move(headers.headers)}};
  if (!headers.latin1.empty()) document["Latin1Headers"] = std::move(headers.latin1);
  if (sha256_checksum) document["ChecksumSHA256"] = *sha256_checksum;
  if (tags.is_array() && !tags.empty()) document["Tags"] = std::move(tags);
  request.state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kBucketKind, request.bucket)) throw no_such_bucket(request.bucket);
    tx.put(kObjectKind, object_key(request.bucket, request.key), document);
  });
  return document;
}

// A Range header against an object of `size` bytes: [first, last], or nullopt for the whole.
std::optional<std::pair<std::uint64_t, std::uint64_t>> byte_range(const std::string& header,
                                                                  std::uint64_t size) {
  std::string_view spec = trim(header);
  if (!spec.starts_with("bytes=") || spec.find(',') != std::string_view::npos) return std::nullopt;
  spec.remove_prefix(6);
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto number = [](std::string_view text) -> std::optional<std::uint64_t> {
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
  };
  std::optional<std::uint64_t> first = number(spec.substr(0, dash));
  std::optional<std::uint64_t> last = number(spec.substr(dash + 1));
  if (!first && !last) return std::nullopt;
  auto unsatisfiable = [&] {
    ApiError error("InvalidRange", "The requested range is not satisfiable", 416);
    error.extra["RangeRequested"] = std::string(header);
    error.extra["ActualObjectSize"] = std::to_string(size);
    return error;
  };
  if (!first) {  // bytes=-N: the last N bytes
    if (*last == 0) throw unsatisfiable();
    const std::uint64_t count = std::min(*last, size);
    if (size == 0) throw unsatisfiable();
    return std::make_pair(size - count, size - 1);
  }
  if (*first >= size) throw unsatisfiable();
  std::uint64_t end = last ? std::min(*last, size - 1) : size - 1;
  if (end < *first) return std::nullopt;  // syntactically invalid: ignored, as S3 does
  return std::make_pair(*first, end);
}

// Conditional GET/HEAD headers: 304 / 412 as S3 answers them.
void check_conditions(const Request& request, const json& object) {
  const std::string etag = object["ETag"].get<std::string>();
  const Timestamp modified = from_millis(object["LastModified"].get<std::int64_t>());
  auto etag_matches = [&](const std::string& list) {
    for (const std::string& item : split(list, ',')) {
      std::string_view tag = trim(item);
      if (tag == "*" || tag == etag || "\"" + std::string(tag) + "\"" == etag) return true;
    }
    return false;
  };
  auto failed = [] {
    ApiError error("PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold", 412);
    error.extra["Condition"] = "If-Match";
    return error;
  };
  if (auto value = request.header("If-Match"); value && !etag_matches(*value)) throw failed();
  if (auto value = request.header("If-Unmodified-Since"); value && !request.header("If-Match")) {
    if (auto since = parse_http_date(*value); since && modified > *since) throw failed();
  }
  if (auto value = request.header("If-None-Match"); value && etag_matches(*value)) {
    throw ApiError("NotModified", "Not Modified", 304);
  }
  if (auto value = request.header("If-Modified-Since"); value && !request.header("If-None-Match")) {
    if (auto since = parse_http_date(*value); since && modified <= *since)
      throw ApiError("NotModified", "Not Modified", 304);
  }
}

}  // namespace

Record require_object(const Request& request, const std::string& bucket, const std::string& key) {
  std::optional<Record> object = request.state.records->get(kObjectKind, object_key(bucket, key));
  if (!object) {
    if (!request.state.records->get(kBucketKind, bucket)) throw no_such_bucket(bucket);
    throw no_such_key(key);
  }
  return *object;
}

std::pair<std::string, std::string> copy_source_of(const Request& request) {
  // Decoded once already: SDKs send the value percent-encoded (botocore quote(bucket/key,
  // safe='/~')), and the listener (cpp-httplib 0.11) percent-decodes every header value as it
  // parses the request. Decoding again would turn a key's own "%41" into "A" (the signature is
  // checked against the encoded forms, local/sent_headers.hpp). SDKs append "?versionId=" as is;
  // any other '?' is the key's own (sent as %3F).
  std::string source = request.header("x-amz-copy-source").value_or("");
  if (auto version = source.rfind("?versionId="); version != std::string::npos)
    source.resize(version);
  if (!is_valid_utf8(source))
    throw invalid_argument("Invalid copy source encoding.", "x-amz-copy-source", "");
  if (source.starts_with("/")) source.erase(0, 1);
  const std::size_t slash = source.find('/');
  if (slash == std::string::npos || slash + 1 == source.size()) {
    throw invalid_argument(
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        "x-amz-copy-source", source);
  }
  return {source.substr(0, slash), source.substr(slash + 1)};
}

namespace {

// The tags PutObject's x-amz-tagging header sets ("k=v&k2=v2", form-encoded by the client), or
// null without the header. The listener (cpp-httplib 0.11) has percent-decoded the value already,
// so only '+' (a space in a form) is left to decode: decoding again would turn a tag's own "%41"
// into "A". A '&' or '=' the client sent encoded is not told from a separator any more.
json header_tags(const Request& request) {
  const std::optional<std::string> header = request.header("x-amz-tagging");
  if (!header) return nullptr;
  auto invalid = [&] {
    return invalid_argument(
        "The header 'x-amz-tagging' shall be encoded as UTF-8 encoded URL query parameters "
        "without tag name duplicates.",
        "x-amz-tagging", *header);
  };
  if (!is_valid_utf8(*header)) throw invalid();
  json tags = json::array();
  for (std::string pair : split(*header, '&')) {
    if (pair.empty()) continue;
    std::replace(pair.begin(), pair.end(), '+', ' ');
    const std::size_t eq = pair.find('=');
    const std::string key = pair.substr(0, eq);
    const std::string value = eq == std::string::npos ? std::string() : pair.substr(eq + 1);
    if (key.empty() || key.size() > 128 || value.size() > 256)
      throw ApiError("InvalidTag", "The TagKey you have provided is invalid", 400);
    for (const json& kept : tags)
      if (kept["Key"] == key) throw invalid();
    tags.push_back({{"Key", key}, {"Value", value}});
  }
  if (tags.size() > 10) throw ApiError("BadRequest", "Object tags cannot be greater than 10", 400);
  return tags;
}

}  // namespace

ApiReply put_object(Request& request) {
  require_bucket(request);
  json tags = header_tags(request);
  Headers trailers;
  const std::string bytes = payload_of(request, trailers);
  const std::optional<std::string> checksum = check_digests(request, trailers, bytes);
  const BlobRef blob = request.state.blobs->put(bytes);
  json stored = store_object(request, blob, quoted_md5(bytes), stored_headers(request.http),
                             user_metadata(request.http), checksum, std::move(tags));
  ApiReply reply;
  reply.headers.set("ETag", stored["ETag"].get<std::string>());
  if (checksum) reply.headers.set("x-amz-checksum-sha256", *checksum);
  return reply;
}

ApiReply copy_object(Request& request) {
  require_bucket(request);
  const auto [source_bucket, source_key] = copy_source_of(request);
  const Record from = require_object(request, source_bucket, source_key);
  const bool replace =
      iequals(request.header("x-amz-metadata-directive").value_or("COPY"), "REPLACE");
  if (!replace && source_bucket == request.bucket && source_key == request.key) {
    throw ApiError("InvalidRequest",
                   "This copy request is illegal because it is trying to copy an object to itself "
                   "without changing the object's metadata, storage class, website redirect "
                   "location or encryption attributes.",
                   400);
  }
  const json& doc = from.document;
  BlobRef blob{doc["Digest"].get<std::string>(), doc["Size"].get<std::uint64_t>()};
  StoredHeaders kept;
  if (!replace) {
    kept.content_type = doc.value("ContentType", "");
    kept.headers = doc.value("Headers", json::object());
    kept.latin1 = doc.value("Latin1Headers", json::array());
  }
  json stored = replace ? store_object(request, blob, doc["ETag"], stored_headers(request.http),
                                       user_metadata(request.http), std::nullopt)
                        : store_object(request, blob, doc["ETag"], std::move(kept),
                                       doc.value("Metadata", json::object()),
                                       doc.contains("ChecksumSHA256")
                                           ? std::optional<std::string>(doc["ChecksumSHA256"])
                                           : std::nullopt);
  pugi::xml_document document;
  auto root = document.append_child("CopyObjectResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  add_text(root, "LastModified", xml_time(from_millis(stored["LastModified"].get<std::int64_t>())));
  add_text(root, "ETag", stored["ETag"].get<std::string>());
  return xml_reply(document);
}

ApiReply get_object(Request& request, bool head) {
  const Record record = require_object(request, request.bucket, request.key);
  const json& object = record.document;
  check_conditions(request, object);
  const std::string digest = object["Digest"].get<std::string>();
  const std::uint64_t size = object["Size"].get<std::uint64_t>();
  ApiReply reply;
  reply.status = 200;
  std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
  if (auto range_header = request.header("Range")) {
    range = byte_range(*range_header, size);
    if (range) {
      reply.status = 206;
      reply.headers.set("Content-Range", "bytes " + std::to_string(range->first) + "-" +
                                             std::to_string(range->second) + "/" +
                                             std::to_string(size));
    }
  }
  // HEAD: no bytes read, only the length a GET would send.
  const std::uint64_t length = range ? range->second - range->first + 1 : size;
  if (head) {
    reply.headers.set("Content-Length", std::to_string(length));
  } else {
    std::string bytes = request.state.blobs->read(digest);
    if (range) bytes = bytes.substr(range->first, length);
    reply.raw_body = std::move(bytes);
  }
  reply.content_type =
      header_bytes(object, "Content-Type", object.value("ContentType", "binary/octet-stream"));
  reply.headers.set("ETag", object["ETag"].get<std::string>());
  reply.headers.set("Last-Modified",
                    format_http_date(from_millis(object["LastModified"].get<std::int64_t>())));
  reply.headers.set("Accept-Ranges", "bytes");
  const json headers = object.value("Headers", json::object());
  const json metadata = object.value("Metadata", json::object());
  for (const auto& [name, value] : headers.items())
    reply.headers.set(name, header_bytes(object, name, value.get<std::string>()));
  for (const auto& [name, value] : metadata.items())
    reply.headers.set("x-amz-meta-" + name, value.get<std::string>());
  if (object.contains("Tags") && !object["Tags"].empty())
    reply.headers.set("x-amz-tagging-count", std::to_string(object["Tags"].size()));
  if (object.contains("PartsCount") && request.has_query("partNumber"))
    reply.headers.set("x-amz-mp-parts-count", std::to_string(object["PartsCount"].get<int>()));
  if (object.contains("ChecksumSHA256") &&
      iequals(request.header("x-amz-checksum-mode").value_or(""), "ENABLED"))
    reply.headers.set("x-amz-checksum-sha256", object["ChecksumSHA256"].get<std::string>());
  // GetObject's response-* query parameters override the stored headers.
  static constexpr std::pair<const char*, const char*> kOverrides[] = {
      {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"},
      {"response-content-encoding", "Content-Encoding"},
      {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"}};
  // Their values go out as ISO-8859-1, as S3 sends them.
  auto override_value = [&](const char* parameter) -> std::optional<std::string> {
    std::optional<std::string> value = request.query(parameter);
    if (!value) return std::nullopt;
    std::optional<std::string> bytes = latin1_bytes(*value);
    if (!bytes) {
      throw invalid_argument("Header value cannot be represented using ISO-8859-1.", parameter,
                             *value);
    }
    return bytes;
  };
  if (!head) {
    for (const auto& [parameter, header] : kOverrides)
      if (auto value = override_value(parameter)) reply.headers.set(header, *value);
    if (auto value = override_value("response-content-type")) reply.content_type = *value;
  }
  return reply;
}

ApiReply delete_object(Request& request) {
  require_bucket(request);
  request.state.records->remove(kObjectKind, object_key(request.bucket, request.key));
  ApiReply reply;
  reply.status = 204;
  return reply;
}

ApiReply delete_objects(Request& request) {
  require_bucket(request);
  pugi::xml_document body;
  if (!is_valid_utf8(request.http.body) ||
      !body.load_buffer(request.http.body.data(), request.http.body.size()) ||
      !body.child("Delete")) {
    throw ApiError("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
                   400);
  }
  const bool quiet = std::string(body.child("Delete").child_value("Quiet")) == "true";
  pugi::xml_document document;
  auto root = document.append_child("DeleteResult");
  root.append_attribute("xmlns").set_value(kXmlns);
  for (pugi::xml_node item : body.child("Delete").children("Object")) {
    const std::string key = item.child_value("Key");
    request.state.records->remove(kObjectKind, object_key(request.bucket, key));
    if (!quiet) add_text(root.append_child("Deleted"), "Key", key);
  }
  return xml_reply(document);
}

ApiError malformed_xml() {
  return ApiError("MalformedXML",
                  "The XML you provided was not well-formed or did not validate against our "
                  "published schema",
                  400);
}

ApiReply get_object_tagging(Request& request) {
  const Record record = require_object(request, request.bucket, request.key);
  pugi::xml_document document;
  auto root = document.append_child("Tagging");
  root.append_attribute("xmlns").set_value(kXmlns);
  auto set = root.append_child("TagSet");
  for (const json& tag : record.document.value("Tags", json::array())) {
    auto item = set.append_child("Tag");
    add_text(item, "Key", tag["Key"].get<std::string>());
    add_text(item, "Value", tag["Value"].get<std::string>());
  }
  return xml_reply(document);
}

// Replaces the object's tags (at most 10, keys unique), as S3's PutObjectTagging does.
ApiReply put_object_tagging(Request& request) {
  require_object(request, request.bucket, request.key);
  pugi::xml_document body;
  if (!is_valid_utf8(request.http.body) ||
      !body.load_buffer(request.http.body.data(), request.http.body.size()) ||
      !body.child("Tagging").child("TagSet"))
    throw malformed_xml();
  json tags = json::array();
  for (pugi::xml_node tag : body.child("Tagging").child("TagSet").children("Tag")) {
    const std::string key = tag.child_value("Key");
    const std::string value = tag.child_value("Value");
    if (key.empty() || key.size() > 128 || value.size() > 256)
      throw ApiError("InvalidTag", "The TagKey you have provided is invalid", 400);
    for (const json& kept : tags) {
      if (kept["Key"] == key)
        throw ApiError("InvalidTag", "Cannot provide multiple Tags with the same key", 400);
    }
    tags.push_back({{"Key", key}, {"Value", value}});
  }
  if (tags.size() > 10) throw ApiError("BadRequest", "Object tags cannot be greater than 10", 400);
  request.state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> object = tx.get(kObjectKind, object_key(request.bucket, request.key));
    if (!object) throw no_such_key(request.key);
    json document = object->document;
    document["Tags"] = tags;
    tx.put(kObjectKind, object_key(request.bucket, request.key), document);
  });
  return ApiReply{};
}

ApiReply delete_object_tagging(Request& request) {
  require_object(request, request.bucket, request.key);
  request.state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> object = tx.get(kObjectKind, object_key(request.bucket, request.key));
    if (!object) throw no_such_key(request.key);
    json document = object->document;
    document.erase("Tags");
    tx.put(kObjectKind, object_key(request.bucket, request.key), document);
  });
  ApiReply reply;
  reply.status = 204;
  return reply;
}

}  // namespace ld::local::s3
