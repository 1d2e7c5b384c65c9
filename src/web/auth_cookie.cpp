#include "web/auth_cookie.hpp"

#include <nlohmann/json.hpp>

#include "core/strings.hpp"
#include "web/docs_page.hpp"
#include "web/params.hpp"

namespace ld::web {
namespace {

// RFC 6265 cookie-octet: visible ASCII except '"', ',', ';' and '\'.
bool is_cookie_value(std::string_view v) {
  for (char c : v) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}

FieldError value_error(std::string msg, nlohmann::json input) {
  return FieldError{
      "value_error", {"body", "cookie_value"}, std::move(msg), std::move(input), nullptr};
}

}  // namespace

Response set_cookie_form(const Request&) {
  return Response::text(200, std::string(set_cookie_form_html()), "text/html; charset=utf-8");
}

Response set_auth_cookie(const Request& request, const ApiKeyConfig& config) {
  if (config.name.empty()) return api_key_error(kApiKeyNameMissing);
  std::optional<std::string> value;
  const std::string type = to_lower(request.headers.get("Content-Type").value_or(""));
  if (type.rfind("application/x-www-form-urlencoded", 0) == 0) {
    for (auto& [k, v] : parse_query(request.body))
      if (k == "cookie_value") value = std::move(v);
  } else {
    nlohmann::json body;
    try {
      body = nlohmann::json::parse(request.body);
    } catch (const nlohmann::json::parse_error&) {
      throw ValidationError({FieldError{
          "json_invalid", {"body"}, "JSON decode error", nlohmann::json::object(), nullptr}});
    }
    if (body.is_object() && body.contains("cookie_value")) {
      if (!body["cookie_value"].is_string())
        throw ValidationError({FieldError{"string_type",
                                          {"body", "cookie_value"},
                                          "Input should be a valid string",
                                          body["cookie_value"],
                                          nullptr}});
      value = body["cookie_value"].get<std::string>();
    }
  }
  if (!value)
    throw ValidationError(
        {FieldError{"missing", {"body", "cookie_value"}, "Field required", nullptr, nullptr}});
  if (!is_cookie_value(*value))
    throw ValidationError({value_error(
        "Value error, a cookie value cannot hold spaces, quotes, commas, semicolons or "
        "backslashes",
        nullptr)});

  nlohmann::json body = {{"message", "Cookie set successfully"},
                         {"cookie_name", config.name},
                         {"cookie_value", *value}};
  Response r = Response::json(200, body);
  std::string cookie = config.name + "=" + *value + "; Path=/; HttpOnly; Secure; SameSite=Strict";
  if (value->empty()) cookie += "; Max-Age=0";
  r.cookies.push_back(std::move(cookie));
  return r;
}

}  // namespace ld::web
