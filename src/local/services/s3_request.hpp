#pragma once
// Private to the S3 service: one routed S3 request and the pieces its operations share (record
// keys, S3's errors, XML answers, payload decoding and digest checks).
#include <optional>
#include <string>
#include <string_view>

#include <pugixml.hpp>

#include "local/api_call.hpp"
#include "local/state.hpp"

namespace ld::local::s3 {

constexpr std::string_view kBucketKind = "s3.bucket";
constexpr std::string_view kObjectKind = "s3.object";
constexpr std::string_view kUploadKind = "s3.upload";
constexpr std::string_view kPartKind = "s3.part";
constexpr const char* kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

// One S3 request with its bucket and key found (from the host or the path, key decoded).
struct Request {
  State& state;
  ApiCall& call;
  const HttpRequest& http;
  std::string bucket;
  std::string key;
  bool has_key = false;

  std::optional<std::string> query(std::string_view name) const;
  bool has_query(std::string_view name) const { return query(name).has_value(); }
  std::optional<std::string> header(std::string_view name) const { return http.headers.get(name); }
};

// "<bucket>/<key>": bucket names hold no '/', so a bucket's objects share the prefix.
inline std::string object_key(std::string_view bucket, std::string_view key) {
  return std::string(bucket) + "/" + std::string(key);
}

ApiError no_such_bucket(const std::string& bucket);
ApiError no_such_key(const std::string& key);
ApiError invalid_argument(const std::string& message, const std::string& name,
                          const std::string& value);
// The bucket's record, or NoSuchBucket.
Record require_bucket(const Request& request);

// S3's timestamps: whole seconds; ISO 8601 with .000Z in XML bodies.
Timestamp whole_seconds(Timestamp t);
std::string xml_time(Timestamp t);
Timestamp from_millis(std::int64_t millis);
std::int64_t to_millis(Timestamp t);

// An XML answer: the document as the body, application/xml.
ApiReply xml_reply(const pugi::xml_document& document, int status = 200);
pugi::xml_node add_text(pugi::xml_node parent, const char* name, const std::string& text);

// The request's payload: the body with aws-chunked framing removed (its trailer headers, such as
// x-amz-checksum-sha256, are returned in `trailers`).
std::string payload_of(const Request& request, Headers& trailers);
// Checks Content-MD5 and x-amz-checksum-sha256 (header or trailer) against the bytes: BadDigest,
// InvalidDigest, InvalidRequest. Returns the SHA-256 checksum (base64) when one was given.
std::optional<std::string> check_digests(const Request& request, const Headers& trailers,
                                         std::string_view bytes);
// x-amz-meta-* headers, names lowercased without the prefix.
nlohmann::json user_metadata(const HttpRequest& http);
// '"<md5 hex>"'
std::string quoted_md5(std::string_view bytes);

// Operations (s3_objects.cpp, s3_listing.cpp, s3_multipart.cpp).
ApiReply put_object(Request& request);
ApiReply copy_object(Request& request);
ApiReply get_object(Request& request, bool head);
ApiReply delete_object(Request& request);
ApiReply delete_objects(Request& request);
ApiReply list_objects(Request& request, bool v2);
ApiReply create_multipart_upload(Request& request);
ApiReply upload_part(Request& request);
ApiReply complete_multipart_upload(Request& request);
ApiReply abort_multipart_upload(Request& request);

}  // namespace ld::local::s3
