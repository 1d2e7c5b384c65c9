#include "local/url_gateway.hpp"

#include <cstdio>
#include <random>

#include "aws/sigv4_verify.hpp"
#include "core/strings.hpp"
#include "core/uuid.hpp"
#include "local/api_call.hpp"
#include "local/url_event.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

constexpr std::string_view kPathPrefix = "/_lambdeploy/url/";

std::string join(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    if (!out.empty()) out += ",";
    out += item.get<std::string>();
  }
  return out;
}

bool origin_allowed(const json& cors, std::string_view origin) {
  if (origin.empty() || !cors.is_object()) return false;
  auto it = cors.find("AllowOrigins");
  if (it == cors.end() || !it->is_array()) return false;
  for (const auto& allowed : *it) {
    if (!allowed.is_string()) continue;
    const std::string value = allowed.get<std::string>();
    if (value == "*" || iequals(value, origin)) return true;
  }
  return false;
}

// "Root=1-{8 hex seconds}-{24 hex}" as X-Ray writes trace ids.
std::string new_trace_id(Timestamp now) {
  const std::string id = random_uuid();
  std::string hex;
  for (char c : id)
    if (c != '-') hex.push_back(c);
  char seconds[16];
  std::snprintf(
      seconds, sizeof seconds, "%08llx",
      static_cast<unsigned long long>(
          std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()));
  return std::string("Root=1-") + seconds + "-" + hex.substr(0, 24);
}

}  // namespace

void apply_cors(const json& cors, std::string_view origin, bool preflight, Headers& headers) {
  if (!origin_allowed(cors, origin)) return;
  const bool any = join(cors.value("AllowOrigins", json::array())) == "*";
  const bool credentials = cors.value("AllowCredentials", false);
  headers.set("Access-Control-Allow-Origin", any && !credentials ? "*" : std::string(origin));
  if (credentials) headers.set("Access-Control-Allow-Credentials", "true");
  if (preflight) {
    if (auto methods = join(cors.value("AllowMethods", json::array())); !methods.empty())
      headers.set("Access-Control-Allow-Methods", methods);
    if (auto allowed = join(cors.value("AllowHeaders", json::array())); !allowed.empty())
      headers.set("Access-Control-Allow-Headers", allowed);
    if (cors.contains("MaxAge") && cors["MaxAge"].is_number_integer())
      headers.set("Access-Control-Max-Age", std::to_string(cors["MaxAge"].get<int>()));
  } else if (auto exposed = join(cors.value("ExposeHeaders", json::array())); !exposed.empty()) {
    headers.set("Access-Control-Expose-Headers", exposed);
  }
  if (!any || credentials) headers.add("Vary", "Origin");
}

UrlGateway::UrlGateway(std::shared_ptr<LambdaFunctions> functions,
                       std::shared_ptr<Executor> executor, std::shared_ptr<KeyRing> keys, NowFn now)
    : functions_(std::move(functions)),
      executor_(std::move(executor)),
      keys_(std::move(keys)),
      now_(now ? std::move(now) : NowFn(system_now)) {}

std::string UrlGateway::url_id_of(const HttpRequest& request) {
  const std::string& host = request.host;
  if (auto at = host.find(".lambda-url."); at != std::string::npos && at > 0)
    return host.substr(0, at);
  if (request.path.starts_with(kPathPrefix)) {
    std::string_view rest = std::string_view(request.path).substr(kPathPrefix.size());
    return std::string(rest.substr(0, rest.find('/')));
  }
  return {};
}

std::optional<HttpResponse> UrlGateway::handle(const HttpRequest& request, const Peer& peer) const {
  const std::string url_id = url_id_of(request);
  if (url_id.empty()) return std::nullopt;

  // The path the function sees: the whole path, or what follows the prefix form's id.
  std::string_view target = peer.target.empty() ? std::string_view(request.path) : peer.target;
  std::string_view raw_path = target.substr(0, target.find('?'));
  std::string raw_query;
  if (auto q = target.find('?'); q != std::string_view::npos) raw_query = target.substr(q + 1);
  std::string path(raw_path);
  if (request.host.find(".lambda-url.") == std::string::npos) {
    path = path.substr(kPathPrefix.size() + url_id.size());
    if (path.empty()) path = "/";
  }

  auto found = functions_->url_target(url_id);
  if (!found) return url_error(404, "Not Found");
  const UrlTarget& url = *found;

  const std::string origin = request.headers.get("Origin").value_or("");
  // CORS preflight, answered at the URL when it has a CORS configuration.
  if (request.method == "OPTIONS" && request.headers.has("Access-Control-Request-Method") &&
      url.cors.is_object()) {
    HttpResponse preflight;
    preflight.status = 200;
    apply_cors(url.cors, origin, true, preflight.headers);
    return preflight;
  }

  HttpResponse response = invoke(request, peer, url, path, raw_query);
  if (url.cors.is_object()) apply_cors(url.cors, origin, false, response.headers);
  response.headers.set("x-amzn-RequestId", random_uuid());
  return response;
}

HttpResponse UrlGateway::invoke(const HttpRequest& request, const Peer& peer, const UrlTarget& url,
                                const std::string& raw_path, const std::string& raw_query) const {
  const Timestamp now = now_();
  std::string account = "anonymous";
  if (url.auth_type == "AWS_IAM") {
    std::optional<KeyPair> key;
    auto lookup = [&](std::string_view access_key) -> std::optional<std::string> {
      key = keys_->find(access_key, now);
      return key ? std::optional<std::string>(key->secret_key) : std::nullopt;
    };
    aws::VerifyResult verified = aws::verify_request(request, lookup, now);
    if (!verified.ok || verified.service != "lambda") return url_error(403, "Forbidden");
    account = key->account;
  } else if (!functions_->url_invocation_allowed(url.function_name, url.qualifier)) {
    return url_error(403, "Forbidden");
  }

  Caller caller;
  caller.account = url.account;
  caller.region = url.region;
  InvokeRequest invocation;
  try {
    invocation.image =
        functions_->image_for(url.function_name, url.qualifier, &invocation.alias, caller, now);
  } catch (const ApiError& e) {
    return url_error(e.status() == 404 ? 404 : 502, e.status() == 404 ? "Not Found" : e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy local: Function URL %s: %s\n", url.url_id.c_str(), e.what());
    return url_error(502, "Internal Server Error");
  }
  invocation.invoked_arn = invocation.image.function_arn;
  if (!url.qualifier.empty()) invocation.invoked_arn += ":" + url.qualifier;
  invocation.request_id = random_uuid();

  UrlEventContext context;
  context.url_id = url.url_id;
  context.account = account;
  context.source_ip = peer.address.empty() ? "127.0.0.1" : peer.address;
  context.local_port = peer.local_port;
  context.request_id = invocation.request_id;
  context.trace_id = new_trace_id(now);
  context.raw_path = raw_path;
  context.raw_query = raw_query;
  context.time = now;
  invocation.payload = url_event(request, context).dump();

  InvokeResult result;
  try {
    result = executor_->invoke(std::move(invocation));
  } catch (const ApiError& e) {
    if (e.status() == 429) return url_error(429, "Rate Exceeded.");
    std::fprintf(stderr, "lambdeploy local: Function URL %s: %s\n", url.url_id.c_str(), e.what());
    return url_error(502, "Internal Server Error");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy local: Function URL %s: %s\n", url.url_id.c_str(), e.what());
    return url_error(502, "Internal Server Error");
  }
  if (result.function_error) return url_error(502, "Internal Server Error");
  return url_response(result.payload);
}

}  // namespace ld::local
