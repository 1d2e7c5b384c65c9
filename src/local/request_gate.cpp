#include "local/request_gate.hpp"

#include <charconv>
#include <regex>

#include <nlohmann/json.hpp>

#include "aws/error.hpp"
#include "aws/sigv4_verify.hpp"
#include "core/strings.hpp"
#include "core/uuid.hpp"
#include "local/api_call.hpp"
#include "local/url_event.hpp"
#include "local/url_gateway.hpp"
#include "local/wire_encode.hpp"

namespace ld::local {

namespace {

bool is_loopback_name(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]" ||
         host.ends_with(".localhost");
}

// "POST /2015-03-31/functions/{name}/invocations" and its streaming form: Lambda's Invoke.
bool is_lambda_invoke(const HttpRequest& request) {
  static const std::regex invoke(
      "/20[0-9-]+/functions/[^/]+/(invocations|response-streaming-invocations)/?");
  return request.method == "POST" && std::regex_match(request.path, invoke);
}

// The Lambda operation a large request is most likely for, as its 413 names it.
std::string lambda_operation(const HttpRequest& request) {
  if (request.path.ends_with("/code")) return "UpdateFunctionCode";
  if (request.path.find("/layers/") != std::string::npos) return "PublishLayerVersion";
  if (request.method == "POST" && request.path.ends_with("/functions")) return "CreateFunction";
  return "this";
}

std::string smaller_than(std::size_t limit, const std::string& operation) {
  return "Request must be smaller than " + std::to_string(limit) + " bytes for the " + operation +
         " operation";
}

HttpResponse lambda_too_large(const std::string& code, std::size_t limit,
                              const std::string& operation) {
  ApiError error(code, smaller_than(limit, operation), 413);
  error.extra = {{"Type", "User"}};
  return encode_error(aws::Protocol::RestJson, error, random_uuid());
}

HttpResponse s3_too_large() {
  ApiError error("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400);
  error.extra = {{"MaxSizeAllowed", std::to_string(kS3BodyLimit)}};
  return encode_error(aws::Protocol::RestXml, error, random_uuid());
}

// The service's answer to a client that should slow down and retry.
HttpResponse busy_answer(std::string_view service, aws::Protocol protocol) {
  if (service == "s3") {
    return encode_error(aws::Protocol::RestXml,
                        ApiError("SlowDown", "Please reduce your request rate.", 503),
                        random_uuid());
  }
  if (service == "lambda") {
    ApiError error("TooManyRequestsException", "Rate Exceeded.", 429);
    error.extra = {{"Type", "User"}, {"Reason", "CallerRateLimitExceeded"}};
    return encode_error(aws::Protocol::RestJson, error, random_uuid());
  }
  const bool query = protocol == aws::Protocol::Query;
  return encode_error(protocol,
                      ApiError(query ? "Throttling" : "ThrottlingException", "Rate exceeded", 400),
                      random_uuid());
}

// The body limit of a request and its answer when over (busy is set by the caller).
BodyAllowance body_limit(const HttpRequest& request, std::string_view service,
                         aws::Protocol protocol) {
  if (!UrlGateway::url_id_of(request).empty()) {
    return {kInvokePayloadLimit,
            url_error(413, smaller_than(kInvokePayloadLimit, "InvokeFunction"))};
  }
  if (!is_signed(request)) {
    const aws::AwsError missing = aws::auth_error(aws::AuthFailure::Missing, protocol);
    const ApiError error(missing.code(), missing.message(), missing.http_status());
    return {kUnsignedLimit, encode_error(protocol, error, random_uuid())};
  }
  if (service == "lambda") {
    if (is_lambda_invoke(request)) {
      return {kInvokePayloadLimit,
              lambda_too_large("RequestTooLargeException", kInvokePayloadLimit, "InvokeFunction")};
    }
    return {kLambdaRequestLimit, lambda_too_large("RequestEntityTooLargeException",
                                                  kLambdaRequestLimit, lambda_operation(request))};
  }
  if (service == "s3") return {kS3BodyLimit, s3_too_large()};
  ApiError error("RequestEntityTooLarge", smaller_than(kOtherServiceLimit, "requested"), 413);
  return {kOtherServiceLimit, encode_error(protocol, error, random_uuid())};
}

}  // namespace

bool is_signed(const HttpRequest& request) {
  if (request.headers.has("Authorization")) return true;
  for (const auto& [key, value] : request.query)
    if (key == "X-Amz-Signature") return true;
  return false;
}

std::optional<std::size_t> content_length(const HttpRequest& request) {
  auto text = request.headers.get("Content-Length");
  if (!text) return std::nullopt;
  std::size_t n = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, n);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return n;
}

std::optional<HttpResponse> refuse_host(const HttpRequest& request, const GateOptions& options) {
  const std::string& host = request.host;
  if (!host.empty() && is_loopback_name(host)) return std::nullopt;
  for (const auto& allowed : options.allowed_hosts)
    if (host == allowed) return std::nullopt;
  HttpResponse response;
  response.status = 403;
  response.headers.set("Content-Type", "application/json");
  response.body =
      nlohmann::json{{"message",
                      "lambdeploy local answers only Host localhost, 127.0.0.1, [::1] "
                      "and *.localhost" +
                          std::string(options.allowed_hosts.empty() ? "" : " and ") +
                          join(options.allowed_hosts, ", ") + "; this request's Host is '" + host +
                          "' (start it with --allow-host NAME to serve a name)"}}
          .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

BodyAllowance body_allowance(const HttpRequest& request, std::string_view service,
                             aws::Protocol protocol) {
  BodyAllowance allowance = body_limit(request, service, protocol);
  allowance.busy = busy_answer(service, protocol);
  return allowance;
}

}  // namespace ld::local
