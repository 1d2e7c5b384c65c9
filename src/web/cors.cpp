#include "web/cors.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ld::web {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool contains_star(const std::vector<std::string>& items) {
  return std::find(items.begin(), items.end(), "*") != items.end();
}

bool contains_icase(const std::vector<std::string>& items, std::string_view value) {
  return std::any_of(items.begin(), items.end(),
                     [&](const std::string& i) { return iequals(i, value); });
}

void add_vary_origin(Response& response) {
  auto vary = response.headers.get("Vary");
  if (!vary) {
    response.headers.set("Vary", "Origin");
  } else if (vary->find("Origin") == std::string::npos) {
    response.headers.set("Vary", *vary + ", Origin");
  }
}

}  // namespace

Cors::Cors(CorsConfig config)
    : config_(std::move(config)),
      any_origin_(contains_star(config_.allow_origins)),
      any_method_(contains_star(config_.allow_methods)),
      any_header_(contains_star(config_.allow_headers)),
      methods_(join(config_.allow_methods)),
      expose_(join(config_.expose_headers)) {}

bool Cors::is_preflight(const Request& request) {
  return request.method == "OPTIONS" && request.headers.has("Origin") &&
         request.headers.has("Access-Control-Request-Method");
}

bool Cors::origin_allowed(const std::string& origin) const {
  return any_origin_ || std::find(config_.allow_origins.begin(), config_.allow_origins.end(),
                                  origin) != config_.allow_origins.end();
}

std::string Cors::allow_origin_value(const std::string& origin) const {
  // With credentials a browser refuses "*", so the origin is echoed.
  return any_origin_ && !config_.allow_credentials ? "*" : origin;
}

Response Cors::preflight(const Request& request) const {
  const std::string origin = request.headers.get("Origin").value_or("");
  const std::string method = request.headers.get("Access-Control-Request-Method").value_or("");
  const std::string asked = request.headers.get("Access-Control-Request-Headers").value_or("");
  std::vector<std::string> refused;
  if (!origin_allowed(origin)) refused.push_back("origin");
  if (!any_method_ && !contains_icase(config_.allow_methods, method)) refused.push_back("method");
  if (!any_header_) {
    for (const auto& h : split(asked, ',')) {
      auto name = trim(h);
      if (!name.empty() && !contains_icase(config_.allow_headers, name)) {
        refused.push_back("headers");
        break;
      }
    }
  }
  Response r;
  if (!refused.empty()) {
    r = Response::text(400, "Disallowed CORS " + join(refused));
  } else {
    r.status = 204;
    r.headers.set("Access-Control-Allow-Origin", allow_origin_value(origin));
    r.headers.set("Access-Control-Allow-Methods", any_method_ ? method : methods_);
    if (!asked.empty()) {
      r.headers.set("Access-Control-Allow-Headers", asked);
    } else if (!config_.allow_headers.empty() && !any_header_) {
      r.headers.set("Access-Control-Allow-Headers", join(config_.allow_headers));
    }
    r.headers.set("Access-Control-Max-Age", std::to_string(config_.max_age_s));
    if (config_.allow_credentials) r.headers.set("Access-Control-Allow-Credentials", "true");
  }
  add_vary_origin(r);
  return r;
}

void Cors::decorate(const Request& request, Response& response) const {
  if (!config_.enabled) return;
  auto origin = request.headers.get("Origin");
  if (!origin || !origin_allowed(*origin)) return;
  response.headers.set("Access-Control-Allow-Origin", allow_origin_value(*origin));
  if (!any_origin_ || config_.allow_credentials) add_vary_origin(response);
  if (config_.allow_credentials) response.headers.set("Access-Control-Allow-Credentials", "true");
  if (!expose_.empty()) response.headers.set("Access-Control-Expose-Headers", expose_);
}

}  // namespace ld::web
