#pragma once
// The two HTML pages the framework serves: /docs (renders /openapi.json, self-contained, no CDN)
// and /auth/set-cookie-form (enter the API key once, kept as a cookie).
#include <string_view>

namespace ld::web {

// The /docs page: fetches openapi.json (relative, so a path prefix works) and lists the
// operations with their parameters and a "Try it" form.
std::string_view docs_page_html();
// The /auth/set-cookie-form page: posts {"cookie_value": ...} to set-auth-cookie.
std::string_view set_cookie_form_html();

}  // namespace ld::web
