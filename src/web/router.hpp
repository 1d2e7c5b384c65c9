#pragma once
// Finds the route for a method and path: literal segments before "{param}" segments, matched
// against a table built when routes are added (no regex, no allocation for literal paths).
//
// Trailing slash: "/a/b/" matches the route "/a/b" (one trailing slash is ignored; "/" stays the
// root). Empty segments ("/a//b") never match. HEAD is answered by the GET route when the path
// has no HEAD route. Path parameters are percent-decoded after splitting, so "%2F" stays inside
// one parameter.
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "web/request.hpp"
#include "web/route.hpp"

namespace ld::web {

// The routes of an app, indexed by path shape.
class Router {
 public:
  // Adds a route. Throws ld::Error for a path that does not start with '/', a malformed or
  // repeated "{param}", the same method and path twice, or a path that differs from an existing
  // one only in its parameter names.
  void add(Route route);

  struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed };
    Kind kind = Kind::NotFound;
    const Route* route = nullptr;
    std::string allow;  // for MethodNotAllowed: "GET, HEAD, POST"
  };
  // Finds the route for request.method and request.raw_path (or .path when raw_path is empty)
  // and, when found, fills request.path_params.
  Match match(Request& request) const;

  // Every route in the order added (stable addresses).
  const std::deque<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter's name
    bool is_param = false;
  };
  struct PathEntry {
    std::string pattern;
    std::vector<Segment> segments;
    std::vector<const Route*> methods;
  };
  static constexpr std::size_t kMaxParams = 16;

  // Whether the path's segments fit the entry; the parameter slices go to `params`.
  static bool fits(const PathEntry& entry, std::string_view path, std::size_t segment_count,
                   std::string_view* params);

  std::deque<Route> routes_;
  std::vector<PathEntry> entries_;  // most specific first
};

}  // namespace ld::web
