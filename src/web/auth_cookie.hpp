#pragma once
// The original service's two auth routes: a form to enter the API key, and the POST that stores
// it as an HttpOnly, SameSite=Strict cookie named after the key's header.
#include <string>

#include "web/api_key.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::web {

// GET /auth/set-cookie-form: the HTML form.
Response set_cookie_form(const Request& request);

// POST /auth/set-auth-cookie with {"cookie_value": "..."} (JSON) or cookie_value=... (form):
// 200 {"message", "cookie_name", "cookie_value"} and Set-Cookie; an empty value deletes the
// cookie. Throws ValidationError for a missing or unusable value.
Response set_auth_cookie(const Request& request, const ApiKeyConfig& config);

}  // namespace ld::web
