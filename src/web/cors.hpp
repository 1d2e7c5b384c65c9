#pragma once
// Cross-origin resource sharing: answers preflight requests and marks responses for allowed
// origins, as Starlette's CORSMiddleware does (preflight answered with 204).
#include <string>
#include <vector>

#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::web {

// What cross-origin callers may do. "*" in a list allows everything.
struct CorsConfig {
  bool enabled = false;
  std::vector<std::string> allow_origins{};
  std::vector<std::string> allow_methods = {"GET", "POST", "PUT", "DELETE", "OPTIONS"};
  std::vector<std::string> allow_headers{};
  std::vector<std::string> expose_headers{};
  int max_age_s = 600;
  bool allow_credentials = false;
};

// Applies a CorsConfig to requests and responses.
class Cors {
 public:
  explicit Cors(CorsConfig config);

  bool enabled() const { return config_.enabled; }
  // OPTIONS with Origin and Access-Control-Request-Method.
  static bool is_preflight(const Request& request);
  // 204 with the Access-Control-Allow-* headers, or 400 naming what is not allowed.
  Response preflight(const Request& request) const;
  // Adds Access-Control-Allow-Origin (and friends) when the request's Origin is allowed.
  void decorate(const Request& request, Response& response) const;

 private:
  bool origin_allowed(const std::string& origin) const;
  // The Access-Control-Allow-Origin value for an allowed origin ("*" or the origin itself).
  std::string allow_origin_value(const std::string& origin) const;

  CorsConfig config_;
  bool any_origin_ = false;
  bool any_method_ = false;
  bool any_header_ = false;
  std::string methods_;  // joined once
  std::string expose_;
};

}  // namespace ld::web
