#include "aws/services/s3.hpp"

#include <utility>

#include "aws/error.hpp"
#include "aws/services/pages.hpp"
#include "aws/services/xml_values.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"

namespace ld::aws {

const ServiceInfo kS3{
    .id = "S3",
    .endpoint_prefix = "s3",
    .signing_name = "s3",
    .api_version = "2006-03-01",
    .protocol = Protocol::RestXml,
    .env_name = "S3",
    .config_key = "s3",
};

namespace s3 {
namespace {

const Operation kCreateBucket{
    .name = "CreateBucket",
    .method = "PUT",
    .uri = "/{Bucket}",
    .input = {{"ACL", Location::Header, "x-amz-acl"},
              {"Bucket", Location::Uri, "Bucket"},
              {"CreateBucketConfiguration", Location::Payload, "CreateBucketConfiguration"},
              {"GrantFullControl", Location::Header, "x-amz-grant-full-control"},
              {"GrantRead", Location::Header, "x-amz-grant-read"},
              {"GrantReadACP", Location::Header, "x-amz-grant-read-acp"},
              {"GrantWrite", Location::Header, "x-amz-grant-write"},
              {"GrantWriteACP", Location::Header, "x-amz-grant-write-acp"},
              {"ObjectLockEnabledForBucket", Location::Header, "x-amz-bucket-object-lock-enabled"},
              {"ObjectOwnership", Location::Header, "x-amz-object-ownership"}},
    .output = {{"Location", Location::Header, "Location"}},
};
const Operation kHeadBucket{
    .name = "HeadBucket",
    .method = "HEAD",
    .uri = "/{Bucket}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"}},
};
const Operation kDeleteBucket{
    .name = "DeleteBucket",
    .method = "DELETE",
    .uri = "/{Bucket}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"}},
    .success_status = 204,
};
const Operation kPutObject{
    .name = "PutObject",
    .method = "PUT",
    .uri = "/{Bucket}/{Key+}",
    .input =
        {{"ACL", Location::Header, "x-amz-acl"},
         {"Body", Location::Payload, ""},
         {"Bucket", Location::Uri, "Bucket"},
         {"CacheControl", Location::Header, "Cache-Control"},
         {"ContentDisposition", Location::Header, "Content-Disposition"},
         {"ContentEncoding", Location::Header, "Content-Encoding"},
         {"ContentLanguage", Location::Header, "Content-Language"},
         {"ContentLength", Location::Header, "Content-Length"},
         {"ContentMD5", Location::Header, "Content-MD5"},
         {"ContentType", Location::Header, "Content-Type"},
         {"ChecksumAlgorithm", Location::Header, "x-amz-sdk-checksum-algorithm"},
         {"ChecksumCRC32", Location::Header, "x-amz-checksum-crc32"},
         {"ChecksumCRC32C", Location::Header, "x-amz-checksum-crc32c"},
         {"ChecksumSHA1", Location::Header, "x-amz-checksum-sha1"},
         {"ChecksumSHA256", Location::Header, "x-amz-checksum-sha256"},
         {"Expires", Location::Header, "Expires"},
         {"GrantFullControl", Location::Header, "x-amz-grant-full-control"},
         {"GrantRead", Location::Header, "x-amz-grant-read"},
         {"GrantReadACP", Location::Header, "x-amz-grant-read-acp"},
         {"GrantWriteACP", Location::Header, "x-amz-grant-write-acp"},
         {"Key", Location::Uri, "Key"},
         {"Metadata", Location::HeaderPrefix, "x-amz-meta-"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"StorageClass", Location::Header, "x-amz-storage-class"},
         {"WebsiteRedirectLocation", Location::Header, "x-amz-website-redirect-location"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"RequestPayer", Location::Header, "x-amz-request-payer"},
         {"Tagging", Location::Header, "x-amz-tagging"},
         {"ObjectLockMode", Location::Header, "x-amz-object-lock-mode"},
         {"ObjectLockRetainUntilDate", Location::Header, "x-amz-object-lock-retain-until-date"},
         {"ObjectLockLegalHoldStatus", Location::Header, "x-amz-object-lock-legal-hold"},
         {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"}},
    .output =
        {{"Expiration", Location::Header, "x-amz-expiration"},
         {"ETag", Location::Header, "ETag"},
         {"ChecksumCRC32", Location::Header, "x-amz-checksum-crc32"},
         {"ChecksumCRC32C", Location::Header, "x-amz-checksum-crc32c"},
         {"ChecksumSHA1", Location::Header, "x-amz-checksum-sha1"},
         {"ChecksumSHA256", Location::Header, "x-amz-checksum-sha256"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"VersionId", Location::Header, "x-amz-version-id"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"RequestCharged", Location::Header, "x-amz-request-charged"}},
};
const Operation kHeadObject{
    .name = "HeadObject",
    .method = "HEAD",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"IfMatch", Location::Header, "If-Match"},
              {"IfModifiedSince", Location::Header, "If-Modified-Since"},
              {"IfNoneMatch", Location::Header, "If-None-Match"},
              {"IfUnmodifiedSince", Location::Header, "If-Unmodified-Since"},
              {"Key", Location::Uri, "Key"},
              {"Range", Location::Header, "Range"},
              {"VersionId", Location::Query, "versionId"},
              {"SSECustomerAlgorithm", Location::Header,
               "x-amz-server-side-encryption-customer-algorithm"},
              {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
              {"SSECustomerKeyMD5", Location::Header,
               "x-amz-server-side-encryption-customer-key-MD5"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"},
              {"PartNumber", Location::Query, "partNumber"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
              {"ChecksumMode", Location::Header, "x-amz-checksum-mode"}},
    .output =
        {{"DeleteMarker", Location::Header, "x-amz-delete-marker"},
         {"AcceptRanges", Location::Header, "accept-ranges"},
         {"Expiration", Location::Header, "x-amz-expiration"},
         {"Restore", Location::Header, "x-amz-restore"},
         {"ArchiveStatus", Location::Header, "x-amz-archive-status"},
         {"LastModified", Location::Header, "Last-Modified"},
         {"ContentLength", Location::Header, "Content-Length"},
         {"ChecksumCRC32", Location::Header, "x-amz-checksum-crc32"},
         {"ChecksumCRC32C", Location::Header, "x-amz-checksum-crc32c"},
         {"ChecksumSHA1", Location::Header, "x-amz-checksum-sha1"},
         {"ChecksumSHA256", Location::Header, "x-amz-checksum-sha256"},
         {"ETag", Location::Header, "ETag"},
         {"MissingMeta", Location::Header, "x-amz-missing-meta"},
         {"VersionId", Location::Header, "x-amz-version-id"},
         {"CacheControl", Location::Header, "Cache-Control"},
         {"ContentDisposition", Location::Header, "Content-Disposition"},
         {"ContentEncoding", Location::Header, "Content-Encoding"},
         {"ContentLanguage", Location::Header, "Content-Language"},
         {"ContentType", Location::Header, "Content-Type"},
         {"Expires", Location::Header, "Expires"},
         {"WebsiteRedirectLocation", Location::Header, "x-amz-website-redirect-location"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"Metadata", Location::HeaderPrefix, "x-amz-meta-"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"StorageClass", Location::Header, "x-amz-storage-class"},
         {"RequestCharged", Location::Header, "x-amz-request-charged"},
         {"ReplicationStatus", Location::Header, "x-amz-replication-status"},
         {"PartsCount", Location::Header, "x-amz-mp-parts-count"},
         {"ObjectLockMode", Location::Header, "x-amz-object-lock-mode"},
         {"ObjectLockRetainUntilDate", Location::Header, "x-amz-object-lock-retain-until-date"},
         {"ObjectLockLegalHoldStatus", Location::Header, "x-amz-object-lock-legal-hold"}},
};
const Operation kGetObject{
    .name = "GetObject",
    .method = "GET",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"IfMatch", Location::Header, "If-Match"},
              {"IfModifiedSince", Location::Header, "If-Modified-Since"},
              {"IfNoneMatch", Location::Header, "If-None-Match"},
              {"IfUnmodifiedSince", Location::Header, "If-Unmodified-Since"},
              {"Key", Location::Uri, "Key"},
              {"Range", Location::Header, "Range"},
              {"ResponseCacheControl", Location::Query, "response-cache-control"},
              {"ResponseContentDisposition", Location::Query, "response-content-disposition"},
              {"ResponseContentEncoding", Location::Query, "response-content-encoding"},
              {"ResponseContentLanguage", Location::Query, "response-content-language"},
              {"ResponseContentType", Location::Query, "response-content-type"},
              {"ResponseExpires", Location::Query, "response-expires"},
              {"VersionId", Location::Query, "versionId"},
              {"SSECustomerAlgorithm", Location::Header,
               "x-amz-server-side-encryption-customer-algorithm"},
              {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
              {"SSECustomerKeyMD5", Location::Header,
               "x-amz-server-side-encryption-customer-key-MD5"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"},
              {"PartNumber", Location::Query, "partNumber"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
              {"ChecksumMode", Location::Header, "x-amz-checksum-mode"}},
    .output =
        {{"Body", Location::Payload, ""},
         {"DeleteMarker", Location::Header, "x-amz-delete-marker"},
         {"AcceptRanges", Location::Header, "accept-ranges"},
         {"Expiration", Location::Header, "x-amz-expiration"},
         {"Restore", Location::Header, "x-amz-restore"},
         {"LastModified", Location::Header, "Last-Modified"},
         {"ContentLength", Location::Header, "Content-Length"},
         {"ETag", Location::Header, "ETag"},
         {"ChecksumCRC32", Location::Header, "x-amz-checksum-crc32"},
         {"ChecksumCRC32C", Location::Header, "x-amz-checksum-crc32c"},
         {"ChecksumSHA1", Location::Header, "x-amz-checksum-sha1"},
         {"ChecksumSHA256", Location::Header, "x-amz-checksum-sha256"},
         {"MissingMeta", Location::Header, "x-amz-missing-meta"},
         {"VersionId", Location::Header, "x-amz-version-id"},
         {"CacheControl", Location::Header, "Cache-Control"},
         {"ContentDisposition", Location::Header, "Content-Disposition"},
         {"ContentEncoding", Location::Header, "Content-Encoding"},
         {"ContentLanguage", Location::Header, "Content-Language"},
         {"ContentRange", Location::Header, "Content-Range"},
         {"ContentType", Location::Header, "Content-Type"},
         {"Expires", Location::Header, "Expires"},
         {"WebsiteRedirectLocation", Location::Header, "x-amz-website-redirect-location"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"Metadata", Location::HeaderPrefix, "x-amz-meta-"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"StorageClass", Location::Header, "x-amz-storage-class"},
         {"RequestCharged", Location::Header, "x-amz-request-charged"},
         {"ReplicationStatus", Location::Header, "x-amz-replication-status"},
         {"PartsCount", Location::Header, "x-amz-mp-parts-count"},
         {"TagCount", Location::Header, "x-amz-tagging-count"},
         {"ObjectLockMode", Location::Header, "x-amz-object-lock-mode"},
         {"ObjectLockRetainUntilDate", Location::Header, "x-amz-object-lock-retain-until-date"},
         {"ObjectLockLegalHoldStatus", Location::Header, "x-amz-object-lock-legal-hold"}},
};
const Operation kDeleteObject{
    .name = "DeleteObject",
    .method = "DELETE",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"Key", Location::Uri, "Key"},
              {"MFA", Location::Header, "x-amz-mfa"},
              {"VersionId", Location::Query, "versionId"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"},
              {"BypassGovernanceRetention", Location::Header, "x-amz-bypass-governance-retention"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"}},
    .output = {{"DeleteMarker", Location::Header, "x-amz-delete-marker"},
               {"VersionId", Location::Header, "x-amz-version-id"},
               {"RequestCharged", Location::Header, "x-amz-request-charged"}},
    .success_status = 204,
};
const Operation kListObjectsV2{
    .name = "ListObjectsV2",
    .method = "GET",
    .uri = "/{Bucket}?list-type=2",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"Delimiter", Location::Query, "delimiter"},
              {"EncodingType", Location::Query, "encoding-type"},
              {"MaxKeys", Location::Query, "max-keys"},
              {"Prefix", Location::Query, "prefix"},
              {"ContinuationToken", Location::Query, "continuation-token"},
              {"FetchOwner", Location::Query, "fetch-owner"},
              {"StartAfter", Location::Query, "start-after"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"}},
};

// Copies and multipart uploads (the bindings generated from the model; a test checks them).
const Operation kCopyObject{
    .name = "CopyObject",
    .method = "PUT",
    .uri = "/{Bucket}/{Key+}",
    .input =
        {{"ACL", Location::Header, "x-amz-acl"},
         {"Bucket", Location::Uri, "Bucket"},
         {"CacheControl", Location::Header, "Cache-Control"},
         {"ChecksumAlgorithm", Location::Header, "x-amz-checksum-algorithm"},
         {"ContentDisposition", Location::Header, "Content-Disposition"},
         {"ContentEncoding", Location::Header, "Content-Encoding"},
         {"ContentLanguage", Location::Header, "Content-Language"},
         {"ContentType", Location::Header, "Content-Type"},
         {"CopySource", Location::Header, "x-amz-copy-source"},
         {"CopySourceIfMatch", Location::Header, "x-amz-copy-source-if-match"},
         {"CopySourceIfModifiedSince", Location::Header, "x-amz-copy-source-if-modified-since"},
         {"CopySourceIfNoneMatch", Location::Header, "x-amz-copy-source-if-none-match"},
         {"CopySourceIfUnmodifiedSince", Location::Header, "x-amz-copy-source-if-unmodified-since"},
         {"Expires", Location::Header, "Expires"},
         {"GrantFullControl", Location::Header, "x-amz-grant-full-control"},
         {"GrantRead", Location::Header, "x-amz-grant-read"},
         {"GrantReadACP", Location::Header, "x-amz-grant-read-acp"},
         {"GrantWriteACP", Location::Header, "x-amz-grant-write-acp"},
         {"Key", Location::Uri, "Key"},
         {"Metadata", Location::HeaderPrefix, "x-amz-meta-"},
         {"MetadataDirective", Location::Header, "x-amz-metadata-directive"},
         {"TaggingDirective", Location::Header, "x-amz-tagging-directive"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"StorageClass", Location::Header, "x-amz-storage-class"},
         {"WebsiteRedirectLocation", Location::Header, "x-amz-website-redirect-location"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"CopySourceSSECustomerAlgorithm", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-algorithm"},
         {"CopySourceSSECustomerKey", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-key"},
         {"CopySourceSSECustomerKeyMD5", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-key-MD5"},
         {"RequestPayer", Location::Header, "x-amz-request-payer"},
         {"Tagging", Location::Header, "x-amz-tagging"},
         {"ObjectLockMode", Location::Header, "x-amz-object-lock-mode"},
         {"ObjectLockRetainUntilDate", Location::Header, "x-amz-object-lock-retain-until-date"},
         {"ObjectLockLegalHoldStatus", Location::Header, "x-amz-object-lock-legal-hold"},
         {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
         {"ExpectedSourceBucketOwner", Location::Header, "x-amz-source-expected-bucket-owner"}},
    .output =
        {{"CopyObjectResult", Location::Payload, ""},
         {"Expiration", Location::Header, "x-amz-expiration"},
         {"CopySourceVersionId", Location::Header, "x-amz-copy-source-version-id"},
         {"VersionId", Location::Header, "x-amz-version-id"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"RequestCharged", Location::Header, "x-amz-request-charged"}},
    .document_payload = true,
};
const Operation kGetObjectTagging{
    .name = "GetObjectTagging",
    .method = "GET",
    .uri = "/{Bucket}/{Key+}?tagging",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"Key", Location::Uri, "Key"},
              {"VersionId", Location::Query, "versionId"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"}},
    .output = {{"VersionId", Location::Header, "x-amz-version-id"}},
};
const Operation kCreateMultipartUpload{
    .name = "CreateMultipartUpload",
    .method = "POST",
    .uri = "/{Bucket}/{Key+}?uploads",
    .input =
        {{"ACL", Location::Header, "x-amz-acl"},
         {"Bucket", Location::Uri, "Bucket"},
         {"CacheControl", Location::Header, "Cache-Control"},
         {"ContentDisposition", Location::Header, "Content-Disposition"},
         {"ContentEncoding", Location::Header, "Content-Encoding"},
         {"ContentLanguage", Location::Header, "Content-Language"},
         {"ContentType", Location::Header, "Content-Type"},
         {"Expires", Location::Header, "Expires"},
         {"GrantFullControl", Location::Header, "x-amz-grant-full-control"},
         {"GrantRead", Location::Header, "x-amz-grant-read"},
         {"GrantReadACP", Location::Header, "x-amz-grant-read-acp"},
         {"GrantWriteACP", Location::Header, "x-amz-grant-write-acp"},
         {"Key", Location::Uri, "Key"},
         {"Metadata", Location::HeaderPrefix, "x-amz-meta-"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"StorageClass", Location::Header, "x-amz-storage-class"},
         {"WebsiteRedirectLocation", Location::Header, "x-amz-website-redirect-location"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"RequestPayer", Location::Header, "x-amz-request-payer"},
         {"Tagging", Location::Header, "x-amz-tagging"},
         {"ObjectLockMode", Location::Header, "x-amz-object-lock-mode"},
         {"ObjectLockRetainUntilDate", Location::Header, "x-amz-object-lock-retain-until-date"},
         {"ObjectLockLegalHoldStatus", Location::Header, "x-amz-object-lock-legal-hold"},
         {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
         {"ChecksumAlgorithm", Location::Header, "x-amz-checksum-algorithm"}},
    .output =
        {{"AbortDate", Location::Header, "x-amz-abort-date"},
         {"AbortRuleId", Location::Header, "x-amz-abort-rule-id"},
         {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
         {"SSEKMSEncryptionContext", Location::Header, "x-amz-server-side-encryption-context"},
         {"BucketKeyEnabled", Location::Header, "x-amz-server-side-encryption-bucket-key-enabled"},
         {"RequestCharged", Location::Header, "x-amz-request-charged"},
         {"ChecksumAlgorithm", Location::Header, "x-amz-checksum-algorithm"}},
};
const Operation kUploadPartCopy{
    .name = "UploadPartCopy",
    .method = "PUT",
    .uri = "/{Bucket}/{Key+}",
    .input =
        {{"Bucket", Location::Uri, "Bucket"},
         {"CopySource", Location::Header, "x-amz-copy-source"},
         {"CopySourceIfMatch", Location::Header, "x-amz-copy-source-if-match"},
         {"CopySourceIfModifiedSince", Location::Header, "x-amz-copy-source-if-modified-since"},
         {"CopySourceIfNoneMatch", Location::Header, "x-amz-copy-source-if-none-match"},
         {"CopySourceIfUnmodifiedSince", Location::Header, "x-amz-copy-source-if-unmodified-since"},
         {"CopySourceRange", Location::Header, "x-amz-copy-source-range"},
         {"Key", Location::Uri, "Key"},
         {"PartNumber", Location::Query, "partNumber"},
         {"UploadId", Location::Query, "uploadId"},
         {"SSECustomerAlgorithm", Location::Header,
          "x-amz-server-side-encryption-customer-algorithm"},
         {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
         {"SSECustomerKeyMD5", Location::Header, "x-amz-server-side-encryption-customer-key-MD5"},
         {"CopySourceSSECustomerAlgorithm", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-algorithm"},
         {"CopySourceSSECustomerKey", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-key"},
         {"CopySourceSSECustomerKeyMD5", Location::Header,
          "x-amz-copy-source-server-side-encryption-customer-key-MD5"},
         {"RequestPayer", Location::Header, "x-amz-request-payer"},
         {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
         {"ExpectedSourceBucketOwner", Location::Header, "x-amz-source-expected-bucket-owner"}},
    .output = {{"CopySourceVersionId", Location::Header, "x-amz-copy-source-version-id"},
               {"CopyPartResult", Location::Payload, ""},
               {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
               {"SSECustomerAlgorithm", Location::Header,
                "x-amz-server-side-encryption-customer-algorithm"},
               {"SSECustomerKeyMD5", Location::Header,
                "x-amz-server-side-encryption-customer-key-MD5"},
               {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
               {"BucketKeyEnabled", Location::Header,
                "x-amz-server-side-encryption-bucket-key-enabled"},
               {"RequestCharged", Location::Header, "x-amz-request-charged"}},
    .document_payload = true,
};
const Operation kCompleteMultipartUpload{
    .name = "CompleteMultipartUpload",
    .method = "POST",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"Key", Location::Uri, "Key"},
              {"MultipartUpload", Location::Payload, "CompleteMultipartUpload"},
              {"UploadId", Location::Query, "uploadId"},
              {"ChecksumCRC32", Location::Header, "x-amz-checksum-crc32"},
              {"ChecksumCRC32C", Location::Header, "x-amz-checksum-crc32c"},
              {"ChecksumSHA1", Location::Header, "x-amz-checksum-sha1"},
              {"ChecksumSHA256", Location::Header, "x-amz-checksum-sha256"},
              {"RequestPayer", Location::Header, "x-amz-request-payer"},
              {"ExpectedBucketOwner", Location::Header, "x-amz-expected-bucket-owner"},
              {"SSECustomerAlgorithm", Location::Header,
               "x-amz-server-side-encryption-customer-algorithm"},
              {"SSECustomerKey", Location::Header, "x-amz-server-side-encryption-customer-key"},
              {"SSECustomerKeyMD5", Location::Header,
               "x-amz-server-side-encryption-customer-key-MD5"}},
    .output = {{"Expiration", Location::Header, "x-amz-expiration"},
               {"ServerSideEncryption", Location::Header, "x-amz-server-side-encryption"},
               {"VersionId", Location::Header, "x-amz-version-id"},
               {"SSEKMSKeyId", Location::Header, "x-amz-server-side-encryption-aws-kms-key-id"},
               {"BucketKeyEnabled", Location::Header,
                "x-amz-server-side-encryption-bucket-key-enabled"},
               {"RequestCharged", Location::Header, "x-amz-request-charged"}},
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kCreateBucket,
      &kHeadBucket,
      &kDeleteBucket,
      &kPutObject,
      &kHeadObject,
      &kGetObject,
      &kDeleteObject,
      &kListObjectsV2,
      &kCopyObject,
      &kGetObjectTagging,
      &kCreateMultipartUpload,
      &kUploadPartCopy,
      &kCompleteMultipartUpload,
  };
  return all;
}

}  // namespace s3

using namespace s3;

namespace {

// Header-bound members arrive as text; the ones callers compute with get their types back.
json typed_object_headers(json output) {
  normalize_numbers(output, {"ContentLength", "PartsCount", "MissingMeta", "TagCount"});
  normalize_booleans(output, {"DeleteMarker", "BucketKeyEnabled"});
  if (!output.contains("Metadata") || !output["Metadata"].is_object())
    output["Metadata"] = json::object();
  return output;
}

json typed_list_page(json output) {
  require_lists(output, {"Contents", "CommonPrefixes"});
  normalize_booleans(output, {"IsTruncated"});
  normalize_numbers(output, {"KeyCount", "MaxKeys"});
  for (json& object : output["Contents"]) normalize_numbers(object, {"Size"});
  return output;
}

}  // namespace

S3Client::S3Client(ClientConfig config) : client_(kS3, std::move(config)) {}

json S3Client::create_bucket(const json& input) const {
  json request = input;
  const std::string& region = client_.config().region;
  if (!request.is_object()) {
    // Left to the serializer, which says what is wrong with the input.
  } else if (region.empty() || region == "us-east-1") {
    if (auto it = request.find("CreateBucketConfiguration"); it != request.end()) {
      if (it->is_object()) it->erase("LocationConstraint");
      if (!it->is_object() || it->empty()) request.erase("CreateBucketConfiguration");
    }
  } else {
    json& configuration = request["CreateBucketConfiguration"];
    if (!configuration.is_object()) configuration = json::object();
    if (!configuration.contains("LocationConstraint")) configuration["LocationConstraint"] = region;
  }
  return client_.call(kCreateBucket, Call{.input = request}).output;
}

void S3Client::head_bucket(const json& input) const {
  client_.call(kHeadBucket, Call{.input = input});
}

void S3Client::delete_bucket(const json& input) const {
  client_.call(kDeleteBucket, Call{.input = input});
}

json S3Client::put_object(const json& input, std::string body) const {
  return client_.call(kPutObject, Call{.input = input, .body = std::move(body)}).output;
}

json S3Client::copy_object(const json& input) const {
  return client_.call(kCopyObject, Call{.input = input}).output;
}

json S3Client::get_object_tagging(const json& input) const {
  return client_.call(kGetObjectTagging, Call{.input = input}).output;
}

json S3Client::create_multipart_upload(const json& input) const {
  return client_.call(kCreateMultipartUpload, Call{.input = input}).output;
}

json S3Client::upload_part_copy(const json& input) const {
  return client_.call(kUploadPartCopy, Call{.input = input}).output;
}

json S3Client::complete_multipart_upload(const json& input) const {
  return client_.call(kCompleteMultipartUpload, Call{.input = input}).output;
}

json S3Client::head_object(const json& input) const {
  return typed_object_headers(client_.call(kHeadObject, Call{.input = input}).output);
}

Result S3Client::get_object(const json& input) const {
  Result result = client_.call(kGetObject, Call{.input = input});
  result.output = typed_object_headers(std::move(result.output));
  return result;
}

json S3Client::delete_object(const json& input) const {
  json output = client_.call(kDeleteObject, Call{.input = input}).output;
  normalize_booleans(output, {"DeleteMarker"});
  return output;
}

json S3Client::list_objects_v2(const json& input) const {
  return typed_list_page(client_.call(kListObjectsV2, Call{.input = input}).output);
}

bool S3Client::bucket_exists(std::string_view bucket) const {
  try {
    head_bucket({{"Bucket", bucket}});
    return true;
  } catch (const AwsError& error) {
    if (error.http_status() == 404) return false;
    throw;
  }
}

json S3Client::put_object_file(std::string_view bucket, std::string_view key,
                               const std::filesystem::path& path, json metadata) const {
  const Digest256 digest = sha256_file(path);
  if (!metadata.is_object()) metadata = json::object();
  if (!metadata.contains("sha256")) metadata["sha256"] = hex_encode(as_chars(digest));
  const json input = {{"Bucket", bucket},
                      {"Key", key},
                      {"ChecksumSHA256", base64_encode(as_chars(digest))},
                      {"Metadata", std::move(metadata)}};
  Call call = Call{.input = input};
  call.body_file = path;
  return client_.call(kPutObject, call).output;
}

bool S3Client::object_exists_with_sha256(std::string_view bucket, std::string_view key,
                                         std::string_view sha256_hex) const {
  json output;
  try {
    output = head_object({{"Bucket", bucket}, {"Key", key}});
  } catch (const AwsError& error) {
    if (error.http_status() == 404) return false;
    throw;
  }
  // Header names may come in any case, so the map's keys may too.
  for (const auto& [name, value] : output["Metadata"].items()) {
    if (iequals(name, "sha256") && value.is_string())
      return iequals(value.get<std::string>(), sha256_hex);
  }
  return false;
}

json S3Client::list_all_objects(std::string_view bucket, std::string_view prefix,
                                std::string_view delimiter) const {
  json input = {{"Bucket", bucket}};
  if (!prefix.empty()) input["Prefix"] = prefix;
  if (!delimiter.empty()) input["Delimiter"] = delimiter;
  return collect_pages(
      std::move(input),
      {"ContinuationToken", "NextContinuationToken", {"Contents", "CommonPrefixes"}, "IsTruncated"},
      [this](const json& page_input) { return list_objects_v2(page_input); });
}

std::size_t S3Client::delete_all_objects(std::string_view bucket, std::string_view prefix) const {
  // Listed to the end first: deleting while paging could move the continuation token's place.
  const json objects = list_all_objects(bucket, prefix)["Contents"];
  for (const json& object : objects)
    delete_object({{"Bucket", bucket}, {"Key", object.value("Key", "")}});
  return objects.size();
}

}  // namespace ld::aws
