#pragma once
// A web application: routes plus the middleware chain, as one Handler for any adapter.
//
//   web::App app({.title = "GitHub Digest", .version = "v1.0.0",
//                 .api_key = web::ApiKeyConfig::from_environment()});
//   app.get("/info/version", {.summary = "Version", .tag = "info"},
//           [](web::Request&, const web::Params&) {
//             return web::Response::json(200, {{"version", "v1.0.0"}});
//           });
//   runtime::run(app.handler());
//
// Every request goes: request id → CORS preflight (when enabled) → API key → route, and every
// response comes back with x-request-id and, for an allowed Origin, the CORS headers. The
// preflight is answered before the key check because browsers never send custom headers on a
// preflight (the Python original answers OPTIONS before its key check too).
// Add all routes before serving: handle() may run on many threads, route() must not.
#include <mutex>
#include <string>

#include "web/api_key.hpp"
#include "web/cors.hpp"
#include "web/handler.hpp"
#include "web/params.hpp"
#include "web/route.hpp"
#include "web/router.hpp"

namespace ld::web {

// What an App is and which of the framework's middleware and routes it turns on.
struct AppConfig {
  std::string title = "lambdeploy service";
  std::string version = "v0.0.0";
  std::string description{};
  ApiKeyConfig api_key{};  // fill with ApiKeyConfig::from_environment() at start
  CorsConfig cors{};
  bool docs = true;         // GET /docs and GET /openapi.json
  bool auth_routes = true;  // GET /auth/set-cookie-form and POST /auth/set-auth-cookie
};

// Routes, middleware and the framework's own pages.
class App {
 public:
  explicit App(AppConfig config);
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Adds a route (throws ld::Error for a bad or repeated one).
  App& route(std::string method, std::string path, RouteSpec spec, RouteHandler handler);
  App& get(std::string path, RouteSpec spec, RouteHandler handler);
  App& post(std::string path, RouteSpec spec, RouteHandler handler);
  App& put(std::string path, RouteSpec spec, RouteHandler handler);
  App& del(std::string path, RouteSpec spec, RouteHandler handler);

  // Answers one request; never throws for a handler's exception (500, logged on stderr).
  // Sets request.request_id when it is empty.
  Response handle(Request& request);
  // handle() as a Handler; the App must outlive it.
  Handler handler();

  // The OpenAPI document as /openapi.json serves it (built once, after the last route()).
  const std::string& openapi_json();
  const Router& router() const { return router_; }
  const AppConfig& config() const { return config_; }

 private:
  Response run_middleware(Request& request);
  Response run_route(Request& request);
  Response internal_error(const Request& request, const char* what) const;

  AppConfig config_;
  ApiKeyCheck api_key_;
  Cors cors_;
  Router router_;
  std::mutex openapi_mutex_;
  std::string openapi_json_;  // empty until first asked for; cleared by route()
};

}  // namespace ld::web
