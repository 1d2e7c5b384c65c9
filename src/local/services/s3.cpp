#include "local/services/s3.hpp"

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

ApiError not_implemented(const Request& request) {
  return ApiError("NotImplemented",
                  "the local endpoint does not implement " + request.http.method +
                      " with these parameters on " + request.http.path,
                  501);
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

ApiReply on_service(Request& request) {
  if (request.http.method == "GET") return list_buckets(request);
  throw method_not_allowed(request);
}

ApiReply on_bucket(Request& request) {
  const std::string& method = request.http.method;
  if (method == "PUT") {
    if (request.has_query("policy")) return put_bucket_policy(request);
    for (const auto& [name, value] : request.http.query) {
      (void)value;
      if (!name.starts_with("X-Amz-")) throw not_implemented(request);
    }
    return create_bucket(request);
  }
  if (method == "HEAD") return head_bucket(request);
  if (method == "DELETE") {
    if (request.has_query("policy")) return delete_bucket_policy(request);
    if (!request.http.query.empty()) throw not_implemented(request);
    return delete_bucket(request);
  }
  if (method == "GET") {
    if (request.has_query("location")) return get_bucket_location(request);
    if (request.has_query("versioning")) return get_bucket_versioning(request);
    if (request.has_query("versions")) return s3::list_object_versions(request);
    if (request.has_query("policy")) return get_bucket_policy(request);
    if (request.has_query("uploads") || request.has_query("acl") || request.has_query("tagging") ||
        request.has_query("cors") || request.has_query("lifecycle") ||
        request.has_query("website") || request.has_query("notification") ||
        request.has_query("encryption"))
      throw not_implemented(request);
    return s3::list_objects(request, request.query("list-type") == "2");
  }
  if (method == "POST" && request.has_query("delete")) return s3::delete_objects(request);
  throw method_not_allowed(request);
}

ApiReply on_object(Request& request) {
  const std::string& method = request.http.method;
  if (request.key.size() > 1024) {
    ApiError error("KeyTooLongError", "Your key is too long", 400);
    error.extra["MaxSizeAllowed"] = "1024";
    error.extra["Size"] = std::to_string(request.key.size());
    throw error;
  }
  if (method == "PUT") {
    if (request.has_query("uploadId")) {
      if (request.header("x-amz-copy-source")) return s3::upload_part_copy(request);
      return s3::upload_part(request);
    }
    if (request.has_query("tagging")) return s3::put_object_tagging(request);
    if (request.has_query("acl") || request.has_query("retention") ||
        request.has_query("legal-hold"))
      throw not_implemented(request);
    if (request.header("x-amz-copy-source")) return s3::copy_object(request);
    return s3::put_object(request);
  }
  if (method == "GET" || method == "HEAD") {
    if (request.has_query("tagging") && method == "GET") return s3::get_object_tagging(request);
    if (request.has_query("uploadId") || request.has_query("tagging") || request.has_query("acl") ||
        request.has_query("attributes"))
      throw not_implemented(request);
    return s3::get_object(request, method == "HEAD");
  }
  if (method == "DELETE") {
    if (request.has_query("uploadId")) return s3::abort_multipart_upload(request);
    if (request.has_query("tagging")) return s3::delete_object_tagging(request);
    return s3::delete_object(request);
  }
  if (method == "POST") {
    if (request.has_query("uploads")) return s3::create_multipart_upload(request);
    if (request.has_query("uploadId")) return s3::complete_multipart_upload(request);
  }
  throw method_not_allowed(request);
}

}  // namespace

const aws::ServiceInfo& S3Service::info() const {
  return aws::kS3;
}

ApiReply S3Service::call(ApiCall& call) {
  if (call.http == nullptr) throw ApiError("InternalError", "no HTTP request to route", 500);
  Request request{.state = state_, .call = call, .http = *call.http, .bucket = {}, .key = {}};
  locate(request);
  if (request.bucket.empty()) return on_service(request);
  if (!request.has_key) return on_bucket(request);
  return on_object(request);
}

}  // namespace ld::local
