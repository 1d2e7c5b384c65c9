#include "local/front_end.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "aws/error.hpp"
#include "aws/sigv4_verify.hpp"
#include "core/strings.hpp"
#include "core/uuid.hpp"
#include "local/body_encoding.hpp"
#include "local/request_gate.hpp"
#include "local/sent_headers.hpp"
#include "local/wire_decode.hpp"
#include "local/wire_encode.hpp"
#include "local/wire_query_compatible.hpp"

namespace ld::local {

namespace {

// X-Amz-Target prefixes of the json services we serve.
std::string service_of_target(std::string_view target) {
  std::string_view prefix = target.substr(0, target.find('.'));
  if (prefix == "Logs_20140328") return "logs";
  if (prefix == "AmazonSSM") return "ssm";
  if (prefix == "GraniteServiceVersion20100801") return "monitoring";
  return {};
}

// "…Credential=AKID/20150830/us-east-1/lambda/aws4_request…" → "lambda".
std::string scope_service(std::string_view credential) {
  auto parts = split(credential, '/');
  if (parts.size() != 5) return {};
  return parts[3];
}

std::string credential_of(const HttpRequest& request) {
  if (auto auth = request.headers.get("Authorization")) {
    auto at = auth->find("Credential=");
    if (at == std::string::npos) return {};
    std::string_view rest = std::string_view(*auth).substr(at + 11);
    return std::string(rest.substr(0, rest.find_first_of(", ")));
  }
  for (const auto& [key, value] : request.query)
    if (key == "X-Amz-Credential") return value;
  return {};
}

bool is_s3_host(std::string_view host) {
  return host.starts_with("s3.") || host.find(".s3.") != std::string_view::npos || host == "s3" ||
         host.starts_with("s3-");
}

// Whether the body is an HTML form (application/x-www-form-urlencoded, any parameters): the only
// POST body AWS's query front ends read parameters from.
bool is_form_body(const HttpRequest& request) {
  const std::optional<std::string> type = request.headers.get("Content-Type");
  if (!type) return false;
  const std::string_view media = trim(std::string_view(*type).substr(0, type->find(';')));
  return iequals(media, "application/x-www-form-urlencoded");
}

// A query-protocol call's parameters: the form body of a POST (none when the body is no form:
// a text/plain POST, which any web page may send, names no action), else the query string.
QueryParams form_of(const HttpRequest& request) {
  if (request.method != "POST") return request.query;
  return is_form_body(request) ? parse_form(request.body) : QueryParams();
}

std::string form_action(const HttpRequest& request) {
  QueryParams form = form_of(request);
  for (const auto& [key, value] : form)
    if (key == "Action") return value;
  return {};
}

// Whether an S3 request names an object (a key after the bucket), as the S3 service locates it:
// virtual-hosted ({bucket}.s3.…) the whole path is the key, path-style what follows /{bucket}/.
bool names_s3_object(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path.starts_with('/')) path.remove_prefix(1);
  const std::size_t s3_label = request.host.rfind(".s3.");
  if (s3_label != std::string::npos && s3_label > 0) return !path.empty();
  const std::size_t slash = path.find('/');
  return slash != std::string_view::npos && slash + 1 < path.size();
}

// Whether S3 keeps the body as object data (PutObject, UploadPart): a PUT on an object that
// names none of S3's XML sub-resources. Every other S3 body is an XML document (or JSON).
bool is_s3_object_data(const HttpRequest& request) {
  if (request.method != "PUT" || !names_s3_object(request)) return false;
  return std::none_of(request.query.begin(), request.query.end(), [](const auto& pair) {
    return pair.first == "tagging" || pair.first == "acl" || pair.first == "retention" ||
           pair.first == "legal-hold";
  });
}

// S3 reads XML bodies as it routes (CreateBucket, DeleteObjects, CompleteMultipartUpload): one
// nested beyond kMaxInputDepth is refused here, as S3 refuses XML that fails its schema.
void check_s3_xml_depth(const HttpRequest& request) {
  if (request.body.empty() || is_s3_object_data(request)) return;
  if (xml_within_depth(request.body)) return;
  throw ApiError("MalformedXML",
                 "The XML you provided was not well-formed or did not validate against our "
                 "published schema",
                 400);
}

ApiError as_api_error(const aws::AwsError& e) {
  return ApiError(e.code(), e.message(), e.http_status());
}

// An error in the protocol the request was made in: the service's own, or for a
// query-compatible service the JSON 1.0 or RPC v2 CBOR the client chose.
HttpResponse encode_error_as(CompatibleProtocol compatible, aws::Protocol protocol,
                             const ApiError& error, std::string_view request_id) {
  if (compatible != CompatibleProtocol::None)
    return encode_compatible_error(compatible, error, request_id);
  return encode_error(protocol, error, request_id);
}

// Whether `error` is a service's answer to an operation it does not serve.
bool is_unserved(const ApiError& error) {
  return error.code() == "UnknownOperationException" || error.code() == "InvalidAction";
}

// The request with its body's Content-Encoding undone (gzip), for every service but S3, whose
// Content-Encoding is object metadata it stores; nullopt when there is nothing to undo. The body
// may inflate to no more than the gate lets the request carry as sent.
std::optional<HttpRequest> inflated(const HttpRequest& request, std::string_view service,
                                    aws::Protocol protocol) {
  if (service == "s3" || !request.headers.has("Content-Encoding")) return std::nullopt;
  const std::size_t limit = body_allowance(request, service, protocol).limit;
  std::optional<std::string> body = decoded_body(request, limit);
  if (!body) return std::nullopt;
  HttpRequest decoded = request;
  decoded.body = std::move(*body);
  decoded.headers.remove("Content-Encoding");
  decoded.headers.set("Content-Length", std::to_string(decoded.body.size()));
  return decoded;
}

}  // namespace

std::string service_of(const HttpRequest& request) {
  if (auto target = request.headers.get("X-Amz-Target")) {
    if (auto service = service_of_target(*target); !service.empty()) return service;
  }
  if (auto service = scope_service(credential_of(request)); !service.empty()) return service;
  if (is_s3_host(request.host)) return "s3";
  if (form_action(request) == "AssumeRoleWithWebIdentity") return "sts";
  return {};
}

FrontEnd::FrontEnd(std::shared_ptr<KeyRing> keys, NowFn now)
    : keys_(std::move(keys)), now_(now ? std::move(now) : NowFn(&system_now)) {}

void FrontEnd::add(std::shared_ptr<Service> service) {
  std::string name(service->info().signing_name);
  services_[name] = std::move(service);
}

Service* FrontEnd::find(std::string_view signing_name) const {
  auto it = services_.find(signing_name);
  return it == services_.end() ? nullptr : it->second.get();
}

std::vector<std::string> FrontEnd::service_ids() const {
  std::vector<std::string> ids;
  for (const auto& [name, service] : services_) ids.emplace_back(service->info().id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::optional<HttpResponse> FrontEnd::refuse_signed_head(const HttpRequest& head) const {
  const std::string name = service_of(head);
  const Service* service = find(name);
  if (service == nullptr) return std::nullopt;  // handle() says which service is missing
  const Timestamp now = now_();
  auto lookup = [&](std::string_view access_key) -> std::optional<std::string> {
    std::optional<KeyPair> key = keys_->find(access_key, now);
    return key ? std::optional<std::string>(key->secret_key) : std::nullopt;
  };
  const aws::VerifyResult verified = verify_as_sent(head, lookup, now);
  switch (verified.failure) {
    case aws::AuthFailure::None:
    case aws::AuthFailure::PayloadHashMismatch:  // the body is not here yet
      return std::nullopt;
    case aws::AuthFailure::SignatureMismatch:
      // Outside S3 the signature covers the body's hash, which only the body can give.
      if (name != "s3") return std::nullopt;
      break;
    default:
      break;
  }
  const aws::Protocol protocol = service->info().protocol;
  return encode_error_as(compatible_protocol_of(service->info(), head), protocol,
                         as_api_error(aws::auth_error(verified, protocol)), random_uuid());
}

HttpResponse FrontEnd::handle(const HttpRequest& request) const {
  const std::string request_id = random_uuid();
  const std::string name = service_of(request);
  Service* service = find(name);
  if (service == nullptr) {
    ApiError error("UnrecognizedServiceException",
                   name.empty() ? "the request names no AWS service (no X-Amz-Target and no "
                                  "SigV4 credential scope)"
                                : "the local endpoint does not serve the service '" + name + "'",
                   400);
    return encode_error(aws::Protocol::RestJson, error, request_id);
  }
  const aws::ServiceInfo& info = service->info();
  const CompatibleProtocol compatible = compatible_protocol_of(info, request);
  ApiCall call;
  call.service = name;
  call.http = &request;
  call.request_id = request_id;
  call.now = now_();
  try {
    // Authentication: every call but STS's AssumeRoleWithWebIdentity is signed.
    const bool unsigned_web_identity = name == "sts" && !request.headers.has("Authorization") &&
                                       form_action(request) == "AssumeRoleWithWebIdentity";
    if (unsigned_web_identity) {
      call.caller.region = "us-east-1";
    } else {
      std::optional<KeyPair> key;
      auto lookup = [&](std::string_view access_key) -> std::optional<std::string> {
        key = keys_->find(access_key, call.now);
        if (!key) return std::nullopt;
        return key->secret_key;
      };
      aws::VerifyResult verified = verify_as_sent(request, lookup, call.now);
      if (verified.ok && key && !key->session_token.empty() &&
          verified.session_token != key->session_token) {
        verified.ok = false;
        verified.failure = aws::AuthFailure::UnknownKey;
      }
      if (!verified.ok) {
        if (std::getenv("LAMBDEPLOY_DEBUG_SIGV4") != nullptr) {
          std::fprintf(stderr, "sigv4: %s\ncanonical request:\n%s\nstring to sign:\n%s\n",
                       verified.message.c_str(), verified.canonical_request.c_str(),
                       verified.string_to_sign.c_str());
        }
        return encode_error_as(compatible, info.protocol,
                               as_api_error(aws::auth_error(verified, info.protocol)), request_id);
      }
      call.caller = Caller{.access_key = key->access_key,
                           .account = key->account,
                           .arn = key->arn,
                           .region = verified.region};
    }

    // A compressed body, once its signature (over the bytes as sent) is checked.
    const std::optional<HttpRequest> unpacked = inflated(request, name, info.protocol);
    const HttpRequest& in = unpacked ? *unpacked : request;
    call.http = &in;

    // A query-compatible service's JSON 1.0 and CBOR calls, answered in the same protocol.
    if (compatible != CompatibleProtocol::None) {
      CompatibleCall decoded = decode_compatible(compatible, in);
      call.operation = std::move(decoded.operation);
      call.input = std::move(decoded.input);
      if (before_call_) before_call_(name);
      return encode_compatible_reply(compatible, call.operation, service->call(call), request_id);
    }

    // Decoding.
    const aws::Operation* operation = nullptr;
    switch (info.protocol) {
      case aws::Protocol::RestJson: {
        auto match = match_rest(service->operations(), in);
        if (!match) {
          throw ApiError(
              "UnknownOperationException",
              "no " + std::string(info.id) + " operation is " + in.method + " " + in.path, 404);
        }
        operation = match->operation;
        call.operation = std::string(operation->name);
        call.input = std::move(match->input);
        break;
      }
      case aws::Protocol::Json: {
        std::string target = in.headers.get("X-Amz-Target").value_or("");
        auto dot = target.find('.');
        if (dot == std::string::npos) {
          throw ApiError("UnknownOperationException", "X-Amz-Target names no operation");
        }
        call.operation = target.substr(dot + 1);
        if (!in.body.empty()) call.input = read_json_object(in.body, "the request body");
        break;
      }
      case aws::Protocol::Query: {
        QueryParams form = form_of(in);
        for (const auto& [key, value] : form)
          if (key == "Action") call.operation = value;
        if (call.operation.empty()) {
          throw ApiError("MissingAction", "the request has no Action parameter");
        }
        call.input = unflatten_query(form);
        break;
      }
      case aws::Protocol::RestXml:
        check_s3_xml_depth(in);
        break;  // S3 reads call.http itself
    }

    if (before_call_) before_call_(name);
    ApiReply reply = service->call(call);
    return encode_reply(info, operation, call.operation, std::move(reply), request_id);
  } catch (const ApiError& e) {
    if (is_unserved(e)) {
      const std::string what =
          !call.operation.empty() ? call.operation : request.method + " " + request.path;
      std::fprintf(stderr, "lambdeploy local: %s %s is not served\n", std::string(info.id).c_str(),
                   what.c_str());
    }
    return encode_error_as(compatible, info.protocol, e, request_id);
  } catch (const std::exception& e) {
    ApiError internal(
        info.protocol == aws::Protocol::Query ? "InternalFailure" : "ServiceException",
        std::string("the local endpoint failed: ") + e.what(), 500);
    return encode_error_as(compatible, info.protocol, internal, request_id);
  }
}

}  // namespace ld::local
