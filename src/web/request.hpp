#pragma once
// An HTTP request as a route handler sees it, whatever brought it: a Function URL event or the
// local HTTP server.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/http.hpp"

namespace ld::web {

using ld::Headers;  // ordered, case-insensitive look-up; repeated headers kept

// One incoming request. Built by an adapter (runtime event mapping, local server).
struct Request {
  std::string method;     // upper case: GET, POST, ...
  std::string raw_path;   // as received, percent-encoded ("/a%20b")
  std::string path;       // decoded ("/a b")
  std::string raw_query;  // without '?', as received
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order, keys repeat
  Headers headers;
  std::vector<std::pair<std::string, std::string>> cookies;  // name, value, in order
  std::string body;                                          // bytes
  std::string source_ip;
  std::string request_id;  // the platform's (Lambda request id) or one the server made
  // Path parameters the router matched ("{owner}" → "octocat").
  std::map<std::string, std::string, std::less<>> path_params;

  // First value of a query parameter / every value / a cookie / a path parameter.
  std::optional<std::string> query_param(std::string_view name) const;
  std::vector<std::string> query_params(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
  std::optional<std::string> path_param(std::string_view name) const;
};

// Parses a raw query string ("a=1&b=x%20y&a=2") into decoded pairs, '+' as space.
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw_query);
// Parses a Cookie header value ("a=1; b=2") into pairs.
std::vector<std::pair<std::string, std::string>> parse_cookie_header(std::string_view value);

}  // namespace ld::web
