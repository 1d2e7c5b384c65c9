#pragma once
// Amazon S3 (rest-xml, 2006-03-01): buckets and objects as the deployer stores code and layers,
// and the copies and multipart uploads other tools send.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kS3;

namespace s3 {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace s3

// S3's operations as calls taking and returning JSON shaped as the API. Header-bound outputs
// that callers compare come back typed (ContentLength and Size as numbers, IsTruncated as a
// boolean, Contents and CommonPrefixes always lists, Metadata always an object).
class S3Client {
 public:
  explicit S3Client(ClientConfig config);

  // In us-east-1 the LocationConstraint is left out (S3 refuses "us-east-1" there); elsewhere it
  // is set to the client's region when the input has none.
  json create_bucket(const json& input) const;
  void head_bucket(const json& input) const;
  // 204 when deleted; BucketNotEmpty (409) while it holds objects.
  void delete_bucket(const json& input) const;
  json put_object(const json& input, std::string body) const;
  // CopySource is "bucket/key" URI-encoded, as the SDKs send it; the answer's
  // CopyObjectResult (ETag, LastModified) is an object in the output.
  json copy_object(const json& input) const;
  // TagSet as the XML has it ({"Tag": ...}).
  json get_object_tagging(const json& input) const;
  json create_multipart_upload(const json& input) const;
  // CopyPartResult (ETag, LastModified) is an object in the output.
  json upload_part_copy(const json& input) const;
  // MultipartUpload: the <CompleteMultipartUpload> document's parts.
  json complete_multipart_upload(const json& input) const;
  json head_object(const json& input) const;
  // The object's bytes are Result::body; its headers (ETag, ContentLength, ...) Result::output.
  Result get_object(const json& input) const;
  json delete_object(const json& input) const;
  json list_objects_v2(const json& input) const;

  // Conveniences.
  // false when HeadBucket answers 404; other errors (403: someone else's bucket) throw.
  bool bucket_exists(std::string_view bucket) const;
  // Streams the file as the body with x-amz-checksum-sha256 (base64 SHA-256, so S3 verifies what
  // it stored) and the metadata as x-amz-meta-*; adds "sha256" (hex) to the metadata unless given.
  json put_object_file(std::string_view bucket, std::string_view key,
                       const std::filesystem::path& path, json metadata = json::object()) const;
  // Whether the object exists and its x-amz-meta-sha256 equals `sha256_hex` (case-insensitive);
  // false on 404, other errors throw.
  bool object_exists_with_sha256(std::string_view bucket, std::string_view key,
                                 std::string_view sha256_hex) const;
  // Every page of ListObjectsV2 (ContinuationToken → NextContinuationToken while IsTruncated):
  // {"Contents": [...], "CommonPrefixes": [...]}. Empty prefix / delimiter are not sent.
  json list_all_objects(std::string_view bucket, std::string_view prefix = {},
                        std::string_view delimiter = {}) const;

  // Deletes every object under `prefix` (all of them when empty): ListObjectsV2 to the end, then
  // one DeleteObject each. Answers how many were deleted.
  std::size_t delete_all_objects(std::string_view bucket, std::string_view prefix = {}) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
