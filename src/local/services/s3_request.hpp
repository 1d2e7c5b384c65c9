#pragma once
// Private to the S3 service: one routed S3 request and the pieces its operations share (record
// keys, S3's errors, XML answers, payload decoding and digest checks).
#include <optional>
#include <string>
#include <string_view>
#include <utility>

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
// InvalidURI: a path or query that does not decode to UTF-8 (S3 keys and names are UTF-8).
ApiError invalid_uri();

// The header values S3 keeps with an object: Content-Type, and Cache-Control,
// Content-Disposition, Content-Encoding (without aws-chunked), Content-Language and Expires. S3
// takes header values as ISO-8859-1 octets and gives them back byte for byte; JSON holds only
// UTF-8, so a value that is not UTF-8 is kept as its bytes read as ISO-8859-1, its header named in
// `latin1` (stored as the object's "Latin1Headers").
struct StoredHeaders {
  std::string content_type;
  nlohmann::json headers = nlohmann::json::object();
  nlohmann::json latin1 = nlohmann::json::array();
};
// The header values to keep of a PutObject, CopyObject (REPLACE) or CreateMultipartUpload.
StoredHeaders stored_headers(const HttpRequest& http);
// A stored header's value as it goes back on the wire: `text`, or its ISO-8859-1 bytes when the
// object's document lists `name` in "Latin1Headers".
std::string header_bytes(const nlohmann::json& object, const std::string& name,
                         const std::string& text);
// `text` (UTF-8) as ISO-8859-1 bytes; nullopt when it holds a character beyond U+00FF.
std::optional<std::string> latin1_bytes(std::string_view text);
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
// x-amz-meta-* headers, names lowercased without the prefix. A value holding anything but
// printable ASCII is kept RFC 2047-encoded ("=?UTF-8?Q?…?="), as S3 stores and returns it.
nlohmann::json user_metadata(const HttpRequest& http);
// '"<md5 hex>"'
std::string quoted_md5(std::string_view bytes);

// The object's record, or NoSuchBucket / NoSuchKey.
Record require_object(const Request& request, const std::string& bucket, const std::string& key);
// The bucket and key x-amz-copy-source names (URI-decoded, any ?versionId dropped).
std::pair<std::string, std::string> copy_source_of(const Request& request);

// MalformedXML (400): a body that is not the XML the operation takes.
ApiError malformed_xml();

// Operations (s3_objects.cpp, s3_listing.cpp, s3_multipart.cpp).
ApiReply put_object(Request& request);
ApiReply copy_object(Request& request);
ApiReply get_object(Request& request, bool head);
ApiReply delete_object(Request& request);
ApiReply delete_objects(Request& request);
ApiReply list_objects(Request& request, bool v2);
ApiReply list_object_versions(Request& request);
ApiReply get_object_tagging(Request& request);
ApiReply put_object_tagging(Request& request);
ApiReply delete_object_tagging(Request& request);
ApiReply create_multipart_upload(Request& request);
ApiReply upload_part(Request& request);
ApiReply upload_part_copy(Request& request);
ApiReply complete_multipart_upload(Request& request);
ApiReply abort_multipart_upload(Request& request);

}  // namespace ld::local::s3
