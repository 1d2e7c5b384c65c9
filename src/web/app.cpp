#include "web/app.hpp"

#include <cstdio>
#include <exception>

#include "web/auth_cookie.hpp"
#include "web/docs_page.hpp"
#include "web/openapi.hpp"
#include "web/request_id.hpp"

namespace ld::web {
namespace {

Response detail(int status, const char* text) {
  return Response::json(status, nlohmann::json{{"detail", text}});
}

}  // namespace

App::App(AppConfig config)
    : config_(std::move(config)), api_key_(config_.api_key), cors_(config_.cors) {
  if (config_.docs) {
    get("/openapi.json", {.hidden = true}, [this](Request&, const Params&) {
      return Response::text(200, openapi_json(), "application/json");
    });
    get("/docs", {.hidden = true}, [](Request&, const Params&) {
      return Response::text(200, std::string(docs_page_html()), "text/html; charset=utf-8");
    });
  }
  if (config_.auth_routes) {
    get("/auth/set-cookie-form",
        {.summary = "Set Cookie Form",
         .tag = "auth",
         .response_content_type = "text/html",
         .response_description = "A form to enter the API key"},
        [](Request& r, const Params&) { return set_cookie_form(r); });
    post("/auth/set-auth-cookie",
         {.summary = "Set Auth Cookie",
          .tag = "auth",
          .body_schema = {{"type", "object"},
                          {"title", "Schema__Set_Cookie"},
                          {"properties", {{"cookie_value", {{"type", "string"}}}}},
                          {"required", {"cookie_value"}}},
          .validate_body = false},
         [this](Request& r, const Params&) { return set_auth_cookie(r, config_.api_key); });
  }
}

App& App::route(std::string method, std::string path, RouteSpec spec, RouteHandler handler) {
  router_.add(Route{std::move(method), std::move(path), std::move(spec), std::move(handler)});
  std::lock_guard lock(openapi_mutex_);
  openapi_json_.clear();
  return *this;
}

App& App::get(std::string path, RouteSpec spec, RouteHandler handler) {
  return route("GET", std::move(path), std::move(spec), std::move(handler));
}
App& App::post(std::string path, RouteSpec spec, RouteHandler handler) {
  return route("POST", std::move(path), std::move(spec), std::move(handler));
}
App& App::put(std::string path, RouteSpec spec, RouteHandler handler) {
  return route("PUT", std::move(path), std::move(spec), std::move(handler));
}
App& App::del(std::string path, RouteSpec spec, RouteHandler handler) {
  return route("DELETE", std::move(path), std::move(spec), std::move(handler));
}

const std::string& App::openapi_json() {
  std::lock_guard lock(openapi_mutex_);
  if (openapi_json_.empty()) {
    OpenApiInfo info{config_.title, config_.version, config_.description,
                     config_.api_key.enabled ? config_.api_key.name : ""};
    openapi_json_ = openapi_document(info, router_)
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return openapi_json_;
}

Handler App::handler() {
  return [this](Request& request) { return handle(request); };
}

Response App::handle(Request& request) {
  if (request.request_id.empty()) request.request_id = generate_request_id();
  Response response;
  try {
    response = run_middleware(request);
  } catch (const std::exception& e) {
    response = internal_error(request, e.what());
  } catch (...) {
    response = internal_error(request, "unknown exception");
  }
  cors_.decorate(request, response);
  if (request.method == "HEAD") {
    response.body.clear();
    response.stream = nullptr;
  }
  response.headers.set("x-request-id", request.request_id);
  return response;
}

Response App::run_middleware(Request& request) {
  if (cors_.enabled() && Cors::is_preflight(request)) return cors_.preflight(request);
  if (auto denied = api_key_.check(request)) return std::move(*denied);
  return run_route(request);
}

Response App::run_route(Request& request) {
  Router::Match match = router_.match(request);
  switch (match.kind) {
    case Router::Match::Kind::NotFound:
      return detail(404, "Not Found");
    case Router::Match::Kind::MethodNotAllowed: {
      Response r = detail(405, "Method Not Allowed");
      r.headers.set("Allow", std::move(match.allow));
      return r;
    }
    case Router::Match::Kind::Found:
      break;
  }
  try {
    Params params = Params::parse(request, match.route->spec);
    return match.route->handler(request, params);
  } catch (const ValidationError& e) {
    return e.response();
  }
}

Response App::internal_error(const Request& request, const char* what) const {
  std::string line = "web: 500 " + request.method + " " + request.path +
                     " request_id=" + request.request_id + ": " + what + "\n";
  std::fputs(line.c_str(), stderr);
  return detail(500, "Internal Server Error");
}

}  // namespace ld::web
