#include "web/api_key.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

namespace ld::web {

ApiKeyConfig ApiKeyConfig::from_environment() {
  ApiKeyConfig c;
  if (const char* n = std::getenv(kNameVariable)) c.name = n;
  if (const char* v = std::getenv(kValueVariable)) c.value = v;
  return c;
}

bool is_api_key_exempt(std::string_view path) {
  return path == "/docs" || path == "/openapi.json" || path == "/auth/set-cookie-form" ||
         path == "/auth/set-auth-cookie";
}

Response api_key_error(std::string_view message) {
  nlohmann::json body = {
      {"data", nullptr}, {"error", nullptr}, {"message", message}, {"status", "error"}};
  return Response::json(401, body);
}

ApiKeyCheck::ApiKeyCheck(ApiKeyConfig config)
    : config_(std::move(config)), value_digest_(sha256(config_.value)) {}

std::optional<Response> ApiKeyCheck::check(const Request& request) const {
  if (!config_.enabled || is_api_key_exempt(request.path)) return std::nullopt;
  if (config_.name.empty()) return api_key_error(kApiKeyNameMissing);
  if (config_.value.empty()) return api_key_error(kApiKeyValueMissing);
  std::optional<std::string> key = request.headers.get(config_.name);
  if (!key || key->empty()) {
    key = request.cookie(config_.name);
    if (!key && request.cookies.empty()) {  // an adapter that left the Cookie header unparsed
      if (auto header = request.headers.get("Cookie")) {
        for (auto& [k, v] : parse_cookie_header(*header))
          if (k == config_.name) {
            key = std::move(v);
            break;
          }
      }
    }
  }
  if (!key || key->empty()) return api_key_error(kApiKeyMissing);
  if (!constant_time_equal(as_chars(sha256(*key)), as_chars(value_digest_)))
    return api_key_error(kApiKeyInvalid);
  return std::nullopt;
}

}  // namespace ld::web
