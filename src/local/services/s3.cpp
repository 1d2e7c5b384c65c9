#include "local/services/s3.hpp"

#include <cstdio>
#include <regex>

#include "aws/services/s3.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/utf8.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local {

namespace {

using nlohmann::json;
using s3::Request;

// Bucket naming rules (general purpose buckets).
bool valid_bucket_name(const std::string& name) {
  static const std::regex kName(R"([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])");
  static const std::regex kAddress(R"(\d+\.\d+\.\d+\.\d+)");
  if (!std::regex_match(name, kName)) return false;
  if (name.find("..") != std::string::npos || name.find(".-") != std::string::npos ||
      name.find("-.") != std::string::npos)
    return false;
  if (std::regex_match(name, kAddress)) return false;
  if (name.starts_with("xn--") || name.starts_with("sthree-") || name.ends_with("-s3alias") ||
      name.ends_with("--ol-s3"))
    return false;
  return true;
}

ApiError invalid_bucket_name(const std::string& name) {
  ApiError error("InvalidBucketName", "The specified bucket is not valid.", 400);
  error.extra["BucketName"] = name;
  return error;
}

// The LocationConstraint of a CreateBucketConfiguration body ("" when none).
std::string location_constraint(const std::string& body) {
  if (trim(body).empty()) return {};
  pugi::xml_document document;
  if (!is_valid_utf8(body) || !document.load_buffer(body.data(), body.size())) {
    throw ApiError("MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our "
                   "published schema",
                   400);
  }
  return document.child("CreateBucketConfiguration").child_value("LocationConstraint");
}

ApiReply create_bucket(Request& request) {
  if (!valid_bucket_name(request.bucket)) throw invalid_bucket_name(request.bucket);
  const std::string constraint = location_constraint(request.http.body);
  const std::string region = request.call.caller.region;
  if (region == "us-east-1" && constraint == "us-east-1") {
    ApiError error("InvalidLocationConstraint", "The specified location-constraint is not valid",
                   400);
    error.extra["LocationConstraint"] = constraint;
    throw error;
  }
  if (region != "us-east-1" && constraint != region) {
    throw ApiError("IllegalLocationConstraintException",
                   constraint.empty()
                       ? "The unspecified location constraint is incompatible for the region "
                         "specific endpoint this request was sent to."
                       : "The " + constraint +
                             " location constraint is incompatible for the region specific "
                             "endpoint this request was sent to.",
                   400);
  }
  json document = {{"Name", request.bucket},
                   {"CreationDate", s3::to_millis(s3::whole_seconds(request.call.now))},
                   {"Region", region},
                   {"Owner", request.call.caller.account}};
  WriteResult written =
      request.state.records->put_if_revision(s3::kBucketKind, request.bucket, document, 0);
  if (!written) {
    std::optional<Record> existing = request.state.records->get(s3::kBucketKind, request.bucket);
    const bool ours =
        existing && existing->document.value("Owner", std::string()) == request.call.caller.account;
    ApiError error(ours ? "BucketAlreadyOwnedByYou" : "BucketAlreadyExists",
                   ours ? "Your previous request to create the named bucket succeeded and you "
                          "already own it."
                        : "The requested bucket name is not available. The bucket namespace is "
                          "shared by all users of the system. Please select a different name and "
                          "try again.",
                   409);
    error.extra["BucketName"] = request.bucket;
    // us-east-1 answers a repeated create by the owner with 200 (legacy behaviour).
    if (!(ours && region == "us-east-1")) throw error;
  }
  ApiReply reply;
  reply.headers.set("Location", "/" + request.bucket);
  return reply;
}

ApiReply head_bucket(Request& request) {
  Record bucket = s3::require_bucket(request);
  ApiReply reply;
  reply.headers.set("x-amz-bucket-region", bucket.document.value("Region", "us-east-1"));
  return reply;
}

ApiReply delete_bucket(Request& request) {
  s3::require_bucket(request);
  const std::string prefix = request.bucket + "/";
  request.state.records->transaction([&](Records::Tx& tx) {
    if (tx.count(s3::kObjectKind, prefix) > 0 || tx.count(s3::kUploadKind, prefix) > 0) {
      ApiError error("BucketNotEmpty", "The bucket you tried to delete is not empty", 409);
      error.extra["BucketName"] = request.bucket;
      throw error;
    }
    tx.remove(s3::kBucketKind, request.bucket);
  });
  ApiReply reply;
  reply.status = 204;
  return reply;
}

ApiReply list_buckets(Request& request) {
  pugi::xml_document document;
  auto root = document.append_child("ListAllMyBucketsResult");
  root.append_attribute("xmlns").set_value(s3::kXmlns);
  auto owner = root.append_child("Owner");
  s3::add_text(owner, "ID", request.call.caller.account);
  s3::add_text(owner, "DisplayName", "lambdeploy-local");
  auto buckets = root.append_child("Buckets");
  Page page =
      request.state.records->list(s3::kBucketKind, {.prefix = "", .marker = "", .limit = 0});
  for (const Record& record : page.records) {
    if (record.document.value("Owner", std::string()) != request.call.caller.account) continue;
    auto bucket = buckets.append_child("Bucket");
    s3::add_text(bucket, "Name", record.key);
    s3::add_text(bucket, "CreationDate",
                 s3::xml_time(s3::from_millis(record.document.value("CreationDate", 0LL))));
  }
  return s3::xml_reply(document);
}

ApiReply get_bucket_location(Request& request) {
  Record bucket = s3::require_bucket(request);
  const std::string region = bucket.document.value("Region", "us-east-1");
  pugi::xml_document document;
  auto root = document.append_child("LocationConstraint");
  root.append_attribute("xmlns").set_value(s3::kXmlns);
  if (region != "us-east-1") root.text().set(region.c_str());
  return s3::xml_reply(document);
}

// An unversioned bucket's versioning: an empty VersioningConfiguration.
ApiReply get_bucket_versioning(Request& request) {
  s3::require_bucket(request);
  pugi::xml_document document;
  document.append_child("VersioningConfiguration").append_attribute("xmlns").set_value(s3::kXmlns);
  return s3::xml_reply(document);
}

ApiError no_such_bucket_policy(const Request& request) {
  ApiError error("NoSuchBucketPolicy", "The bucket policy does not exist", 404);
  error.extra["BucketName"] = request.bucket;
  return error;
}

ApiReply get_bucket_policy(Request& request) {
  Record bucket = s3::require_bucket(request);
  if (!bucket.document.contains("Policy")) throw no_such_bucket_policy(request);
  ApiReply reply;
  reply.raw_body = bucket.document["Policy"].get<std::string>();
  reply.content_type = "application/json";
  return reply;
}

// Keeps the policy as sent once it is a JSON object with a Statement (S3 checks far more).
ApiReply put_bucket_policy(Request& request) {
  s3::require_bucket(request);
  const std::string& text = request.http.body;
  const json parsed = json::parse(text, nullptr, false);
  if (!is_valid_utf8(text) || parsed.is_discarded() || !parsed.is_object()) {
    throw ApiError("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'",
                   400);
  }
  if (!parsed.contains("Statement")) {
    throw ApiError("MalformedPolicy", "Missing required field Statement", 400);
  }
  request.state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> bucket = tx.get(s3::kBucketKind, request.bucket);
    if (!bucket) throw s3::no_such_bucket(request.bucket);
    json document = bucket->document;
    document["Policy"] = text;
    tx.put(s3::kBucketKind, request.bucket, document);
  });
  ApiReply reply;
  reply.status = 204;
  return reply;
}

ApiReply delete_bucket_policy(Request& request) {
  s3::require_bucket(request);
  request.state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> bucket = tx.get(s3::kBucketKind, request.bucket);
    if (!bucket) throw s3::no_such_bucket(request.bucket);
    json document = bucket->document;
    document.erase("Policy");
    tx.put(s3::kBucketKind, request.bucket, document);
  });
  ApiReply reply;
  reply.status = 204;
  return reply;
}

ApiError method_not_allowed(const Request& request) {
  ApiError error("MethodNotAllowed", "The specified method is not allowed against this resource.",
                 405);
  error.extra["Method"] = request.http.method;
  error.extra["ResourceType"] = request.has_key ? "OBJECT" : "BUCKET";
  return error;
}

// Bucket and key from a virtual-hosted host ({bucket}.s3.…) or the path (/bucket/key). A path or
// query that does not decode to UTF-8 is S3's InvalidURI.
void locate(Request& request) {
  for (const auto& [name, value] : request.http.query)
    if (!is_valid_utf8(name) || !is_valid_utf8(value)) throw s3::invalid_uri();
  const std::string& host = request.http.host;
  std::string_view path = request.http.path;
  if (path.starts_with("/")) path.remove_prefix(1);
  const std::size_t s3_label = host.rfind(".s3.");
  if (s3_label != std::string::npos && s3_label > 0) {
    request.bucket = host.substr(0, s3_label);
  } else {
    const std::size_t slash = path.find('/');
    request.bucket = uri_decode(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (slash == std::string_view::npos) {
      if (!is_valid_utf8(request.bucket)) throw s3::invalid_uri();
      request.has_key = false;
      return;
    }
  }
  request.key = uri_decode(path);
  if (!is_valid_utf8(request.bucket) || !is_valid_utf8(request.key)) throw s3::invalid_uri();
  request.has_key = !request.key.empty();
}

// What a request addresses: the service (no bucket), a bucket, or an object (a key).
enum class Target { Service, Bucket, Object };

// One S3 operation as S3 routes it: the method, what it addresses, the query parameters that
// must be present ("&"-separated; "name=value" when the value matters, as in the model's
// requestUri) and a header that must be present. The first route that matches a request names
// its operation. A route without a handler is an operation of S3 the endpoint does not serve: it
// is answered NotImplemented (501), as S3 answers functionality it does not implement.
struct Route {
  std::string_view operation;
  std::string_view method;
  Target target;
  std::string_view query;
  std::string_view header;
  ApiReply (*handler)(Request&);
  // No query parameters but presigning's X-Amz-* (CreateBucket and DeleteBucket take none).
  bool bare = false;
};

// Every operation of the S3 API (2006-03-01) by the request that calls it, more specific routes
// first. The deprecated GetBucketLifecycle, GetBucketNotification, PutBucketLifecycle and
// PutBucketNotification share their requests with the *Configuration operations, named here.
// tests/local/operations_coverage_test.cpp sends each operation of the API model here and writes
// docs/local-operations.md from what answers.
constexpr Route kRoutes[] = {
    {"ListBuckets", "GET", Target::Service, "", "", list_buckets},

    // Buckets.
    {"PutBucketPolicy", "PUT", Target::Bucket, "policy", "", put_bucket_policy},
    {"PutBucketAccelerateConfiguration", "PUT", Target::Bucket, "accelerate", "", nullptr},
    {"PutBucketAcl", "PUT", Target::Bucket, "acl", "", nullptr},
    {"PutBucketAnalyticsConfiguration", "PUT", Target::Bucket, "analytics", "", nullptr},
    {"PutBucketCors", "PUT", Target::Bucket, "cors", "", nullptr},
    {"PutBucketEncryption", "PUT", Target::Bucket, "encryption", "", nullptr},
    {"PutBucketIntelligentTieringConfiguration", "PUT", Target::Bucket, "intelligent-tiering", "",
     nullptr},
    {"PutBucketInventoryConfiguration", "PUT", Target::Bucket, "inventory", "", nullptr},
    {"PutBucketLifecycleConfiguration", "PUT", Target::Bucket, "lifecycle", "", nullptr},
    {"PutBucketLogging", "PUT", Target::Bucket, "logging", "", nullptr},
    {"PutBucketMetricsConfiguration", "PUT", Target::Bucket, "metrics", "", nullptr},
    {"PutBucketNotificationConfiguration", "PUT", Target::Bucket, "notification", "", nullptr},
    {"PutBucketOwnershipControls", "PUT", Target::Bucket, "ownershipControls", "", nullptr},
    {"PutBucketReplication", "PUT", Target::Bucket, "replication", "", nullptr},
    {"PutBucketRequestPayment", "PUT", Target::Bucket, "requestPayment", "", nullptr},
    {"PutBucketTagging", "PUT", Target::Bucket, "tagging", "", nullptr},
    {"PutBucketVersioning", "PUT", Target::Bucket, "versioning", "", nullptr},
    {"PutBucketWebsite", "PUT", Target::Bucket, "website", "", nullptr},
    {"PutObjectLockConfiguration", "PUT", Target::Bucket, "object-lock", "", nullptr},
    {"PutPublicAccessBlock", "PUT", Target::Bucket, "publicAccessBlock", "", nullptr},
    {"CreateBucket", "PUT", Target::Bucket, "", "", create_bucket, true},

    {"HeadBucket", "HEAD", Target::Bucket, "", "", head_bucket},

    {"DeleteBucketPolicy", "DELETE", Target::Bucket, "policy", "", delete_bucket_policy},
    {"DeleteBucketAnalyticsConfiguration", "DELETE", Target::Bucket, "analytics", "", nullptr},
    {"DeleteBucketCors", "DELETE", Target::Bucket, "cors", "", nullptr},
    {"DeleteBucketEncryption", "DELETE", Target::Bucket, "encryption", "", nullptr},
    {"DeleteBucketIntelligentTieringConfiguration", "DELETE", Target::Bucket, "intelligent-tiering",
     "", nullptr},
    {"DeleteBucketInventoryConfiguration", "DELETE", Target::Bucket, "inventory", "", nullptr},
    {"DeleteBucketLifecycle", "DELETE", Target::Bucket, "lifecycle", "", nullptr},
    {"DeleteBucketMetricsConfiguration", "DELETE", Target::Bucket, "metrics", "", nullptr},
    {"DeleteBucketOwnershipControls", "DELETE", Target::Bucket, "ownershipControls", "", nullptr},
    {"DeleteBucketReplication", "DELETE", Target::Bucket, "replication", "", nullptr},
    {"DeleteBucketTagging", "DELETE", Target::Bucket, "tagging", "", nullptr},
    {"DeleteBucketWebsite", "DELETE", Target::Bucket, "website", "", nullptr},
    {"DeletePublicAccessBlock", "DELETE", Target::Bucket, "publicAccessBlock", "", nullptr},
    {"DeleteBucket", "DELETE", Target::Bucket, "", "", delete_bucket, true},

    {"GetBucketLocation", "GET", Target::Bucket, "location", "", get_bucket_location},
    {"GetBucketVersioning", "GET", Target::Bucket, "versioning", "", get_bucket_versioning},
    {"ListObjectVersions", "GET", Target::Bucket, "versions", "", s3::list_object_versions},
    {"GetBucketPolicy", "GET", Target::Bucket, "policy", "", get_bucket_policy},
    {"GetBucketAccelerateConfiguration", "GET", Target::Bucket, "accelerate", "", nullptr},
    {"GetBucketAcl", "GET", Target::Bucket, "acl", "", nullptr},
    {"GetBucketAnalyticsConfiguration", "GET", Target::Bucket, "analytics&id", "", nullptr},
    {"ListBucketAnalyticsConfigurations", "GET", Target::Bucket, "analytics", "", nullptr},
    {"GetBucketCors", "GET", Target::Bucket, "cors", "", nullptr},
    {"GetBucketEncryption", "GET", Target::Bucket, "encryption", "", nullptr},
    {"GetBucketIntelligentTieringConfiguration", "GET", Target::Bucket, "intelligent-tiering&id",
     "", nullptr},
    {"ListBucketIntelligentTieringConfigurations", "GET", Target::Bucket, "intelligent-tiering", "",
     nullptr},
    {"GetBucketInventoryConfiguration", "GET", Target::Bucket, "inventory&id", "", nullptr},
    {"ListBucketInventoryConfigurations", "GET", Target::Bucket, "inventory", "", nullptr},
    {"GetBucketLifecycleConfiguration", "GET", Target::Bucket, "lifecycle", "", nullptr},
    {"GetBucketLogging", "GET", Target::Bucket, "logging", "", nullptr},
    {"GetBucketMetricsConfiguration", "GET", Target::Bucket, "metrics&id", "", nullptr},
    {"ListBucketMetricsConfigurations", "GET", Target::Bucket, "metrics", "", nullptr},
    {"GetBucketNotificationConfiguration", "GET", Target::Bucket, "notification", "", nullptr},
    {"GetBucketOwnershipControls", "GET", Target::Bucket, "ownershipControls", "", nullptr},
    {"GetBucketPolicyStatus", "GET", Target::Bucket, "policyStatus", "", nullptr},
    {"GetBucketReplication", "GET", Target::Bucket, "replication", "", nullptr},
    {"GetBucketRequestPayment", "GET", Target::Bucket, "requestPayment", "", nullptr},
    {"GetBucketTagging", "GET", Target::Bucket, "tagging", "", nullptr},
    {"GetBucketWebsite", "GET", Target::Bucket, "website", "", nullptr},
    {"GetObjectLockConfiguration", "GET", Target::Bucket, "object-lock", "", nullptr},
    {"GetPublicAccessBlock", "GET", Target::Bucket, "publicAccessBlock", "", nullptr},
    {"ListMultipartUploads", "GET", Target::Bucket, "uploads", "", nullptr},
    {"ListObjectsV2", "GET", Target::Bucket, "list-type=2", "",
     [](Request& request) { return s3::list_objects(request, true); }},
    {"ListObjects", "GET", Target::Bucket, "", "",
     [](Request& request) { return s3::list_objects(request, false); }},

    {"DeleteObjects", "POST", Target::Bucket, "delete", "", s3::delete_objects},
    // S3 Object Lambda's answer, sent to {route}.s3-object-lambda.… as POST
    // /WriteGetObjectResponse.
    {"WriteGetObjectResponse", "POST", Target::Bucket, "", "x-amz-request-route", nullptr},

    // Objects.
    {"UploadPartCopy", "PUT", Target::Object, "uploadId", "x-amz-copy-source",
     s3::upload_part_copy},
    {"UploadPart", "PUT", Target::Object, "uploadId", "", s3::upload_part},
    {"PutObjectTagging", "PUT", Target::Object, "tagging", "", s3::put_object_tagging},
    {"PutObjectAcl", "PUT", Target::Object, "acl", "", nullptr},
    {"PutObjectLegalHold", "PUT", Target::Object, "legal-hold", "", nullptr},
    {"PutObjectRetention", "PUT", Target::Object, "retention", "", nullptr},
    {"CopyObject", "PUT", Target::Object, "", "x-amz-copy-source", s3::copy_object},
    {"PutObject", "PUT", Target::Object, "", "", s3::put_object},

    {"GetObjectTagging", "GET", Target::Object, "tagging", "", s3::get_object_tagging},
    {"ListParts", "GET", Target::Object, "uploadId", "", nullptr},
    {"GetObjectAcl", "GET", Target::Object, "acl", "", nullptr},
    {"GetObjectAttributes", "GET", Target::Object, "attributes", "", nullptr},
    {"GetObjectLegalHold", "GET", Target::Object, "legal-hold", "", nullptr},
    {"GetObjectRetention", "GET", Target::Object, "retention", "", nullptr},
    {"GetObjectTorrent", "GET", Target::Object, "torrent", "", nullptr},
    {"GetObject", "GET", Target::Object, "", "",
     [](Request& request) { return s3::get_object(request, false); }},
    {"HeadObject", "HEAD", Target::Object, "", "",
     [](Request& request) { return s3::get_object(request, true); }},

    {"AbortMultipartUpload", "DELETE", Target::Object, "uploadId", "", s3::abort_multipart_upload},
    {"DeleteObjectTagging", "DELETE", Target::Object, "tagging", "", s3::delete_object_tagging},
    {"DeleteObject", "DELETE", Target::Object, "", "", s3::delete_object},

    {"CreateMultipartUpload", "POST", Target::Object, "uploads", "", s3::create_multipart_upload},
    {"CompleteMultipartUpload", "POST", Target::Object, "uploadId", "",
     s3::complete_multipart_upload},
    {"RestoreObject", "POST", Target::Object, "restore", "", nullptr},
    {"SelectObjectContent", "POST", Target::Object, "select&select-type=2", "", nullptr},
};

bool matches(const Route& route, const Request& request, Target target) {
  if (route.target != target || route.method != request.http.method) return false;
  if (!route.header.empty() && !request.header(route.header)) return false;
  if (route.bare) {
    for (const auto& [name, value] : request.http.query) {
      (void)value;
      if (!name.starts_with("X-Amz-")) return false;
    }
  }
  std::string_view conditions = route.query;
  while (!conditions.empty()) {
    const std::size_t amp = conditions.find('&');
    std::string_view condition = conditions.substr(0, amp);
    conditions = amp == std::string_view::npos ? std::string_view() : conditions.substr(amp + 1);
    const std::size_t equals = condition.find('=');
    std::optional<std::string> value = request.query(condition.substr(0, equals));
    if (!value) return false;
    if (equals != std::string_view::npos && *value != condition.substr(equals + 1)) return false;
  }
  return true;
}

// NotImplemented (501), logged on stderr as the endpoint logs every call it does not serve.
// `what`: the operation, or the method and path when no operation can be told.
ApiError not_served(const std::string& what) {
  std::fprintf(stderr, "lambdeploy local: S3 %s is not served\n", what.c_str());
  return ApiError("NotImplemented", "the local endpoint does not implement S3 " + what, 501);
}

}  // namespace

const aws::ServiceInfo& S3Service::info() const {
  return aws::kS3;
}

ApiReply S3Service::call(ApiCall& call) {
  if (call.http == nullptr) throw ApiError("InternalError", "no HTTP request to route", 500);
  Request request{.state = state_, .call = call, .http = *call.http, .bucket = {}, .key = {}};
  locate(request);
  const Target target = request.bucket.empty() ? Target::Service
                        : request.has_key      ? Target::Object
                                               : Target::Bucket;
  if (target == Target::Object && request.key.size() > 1024) {
    ApiError error("KeyTooLongError", "Your key is too long", 400);
    error.extra["MaxSizeAllowed"] = "1024";
    error.extra["Size"] = std::to_string(request.key.size());
    throw error;
  }
  bool method_known = false;
  for (const Route& route : kRoutes) {
    method_known = method_known || (route.target == target && route.method == call.http->method);
    if (!matches(route, request, target)) continue;
    call.operation = std::string(route.operation);
    if (route.handler == nullptr) throw not_served(call.operation);
    return route.handler(request);
  }
  // A method S3 takes on this resource, with parameters that name no operation routed here.
  if (method_known) throw not_served(call.http->method + " " + call.http->path);
  throw method_not_allowed(request);
}

}  // namespace ld::local
