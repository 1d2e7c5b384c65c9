#include "web/router.hpp"

#include <algorithm>
#include <array>

#include "core/encoding.hpp"
#include "core/error.hpp"

namespace ld::web {
namespace {

// The path without one trailing slash ("/a/" → "/a"; "/" stays).
std::string_view normalized(std::string_view path) {
  if (path.size() > 1 && path.back() == '/' && path[path.size() - 2] != '/') path.remove_suffix(1);
  return path;
}

std::size_t count_segments(std::string_view path) {
  return path == "/" ? 0 : static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

// Literal segments sort before parameters, position by position.
bool more_specific(const std::vector<bool>& a, const std::vector<bool>& b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (a[i] != b[i]) return !a[i];
  return a.size() < b.size();
}

}  // namespace

void Router::add(Route route) {
  const std::string where = route.method + " " + route.path;
  if (route.path.empty() || route.path.front() != '/')
    throw ld::Error("route " + where + ": the path must start with '/'");
  if (!route.handler) throw ld::Error("route " + where + ": no handler");
  std::string_view path = normalized(route.path);
  std::vector<Segment> segments;
  std::size_t params = 0;
  if (path != "/") {
    std::size_t pos = 1;
    while (true) {
      auto slash = path.find('/', pos);
      std::string_view s = path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
      if (s.empty()) throw ld::Error("route " + where + ": empty path segment");
      bool param = s.front() == '{';
      if (param) {
        if (s.size() < 3 || s.back() != '}' ||
            s.substr(1, s.size() - 2).find_first_of("{}/") != std::string_view::npos)
          throw ld::Error("route " + where + ": malformed parameter '" + std::string(s) + "'");
        s = s.substr(1, s.size() - 2);
        for (const auto& other : segments)
          if (other.is_param && other.text == s)
            throw ld::Error("route " + where + ": parameter {" + std::string(s) + "} repeated");
        if (++params > kMaxParams)
          throw ld::Error("route " + where + ": more than 16 path parameters");
      } else if (s.find_first_of("{}") != std::string_view::npos) {
        throw ld::Error("route " + where + ": '{' or '}' inside a literal segment");
      }
      segments.push_back({std::string(s), param});
      if (slash == std::string_view::npos) break;
      pos = slash + 1;
    }
  }

  PathEntry* entry = nullptr;
  for (auto& e : entries_) {
    if (e.segments.size() != segments.size()) continue;
    bool same_shape = true;
    bool same_names = true;
    for (std::size_t i = 0; i < segments.size() && same_shape; ++i) {
      const auto& a = e.segments[i];
      const auto& b = segments[i];
      if (a.is_param != b.is_param || (!a.is_param && a.text != b.text)) same_shape = false;
      if (a.text != b.text) same_names = false;
    }
    if (!same_shape) continue;
    if (!same_names)
      throw ld::Error("route " + where + ": conflicts with " + e.pattern +
                      " (same path, other parameter names)");
    entry = &e;
    break;
  }
  if (entry) {
    for (const Route* r : entry->methods)
      if (r->method == route.method) throw ld::Error("route " + where + " declared twice");
  }

  routes_.push_back(std::move(route));
  const Route* stored = &routes_.back();
  if (entry) {
    entry->methods.push_back(stored);
    return;
  }
  entries_.push_back(PathEntry{std::string(path), std::move(segments), {stored}});
  auto shape = [](const PathEntry& e) {
    std::vector<bool> s;
    for (const auto& seg : e.segments) s.push_back(seg.is_param);
    return s;
  };
  std::stable_sort(entries_.begin(), entries_.end(), [&](const PathEntry& a, const PathEntry& b) {
    return more_specific(shape(a), shape(b));
  });
}

bool Router::fits(const PathEntry& entry, std::string_view path, std::size_t segment_count,
                  std::string_view* params) {
  if (entry.segments.size() != segment_count) return false;
  std::size_t pos = 1;
  std::size_t n = 0;
  for (const auto& seg : entry.segments) {
    auto slash = path.find('/', pos);
    std::string_view s = path.substr(pos, slash == std::string_view::npos ? slash : slash - pos);
    if (s.empty()) return false;
    if (seg.is_param) {
      params[n++] = s;
    } else if (s != seg.text) {
      if (s.find('%') == std::string_view::npos || uri_decode(s) != seg.text) return false;
    }
    pos = slash + 1;
  }
  return true;
}

Router::Match Router::match(Request& request) const {
  std::string_view path = normalized(request.raw_path.empty() ? request.path : request.raw_path);
  Match m;
  if (path.empty() || path.front() != '/') return m;
  const std::size_t count = count_segments(path);
  std::array<std::string_view, kMaxParams> params{};
  std::vector<std::string> allowed;
  for (const auto& entry : entries_) {
    if (!fits(entry, path, count, params.data())) continue;
    const Route* found = nullptr;
    const Route* get = nullptr;
    for (const Route* r : entry.methods) {
      if (r->method == request.method) found = r;
      if (r->method == "GET") get = r;
    }
    if (!found && request.method == "HEAD") found = get;
    if (found) {
      std::size_t n = 0;
      for (const auto& seg : entry.segments)
        if (seg.is_param) request.path_params[seg.text] = uri_decode(params[n++]);
      m.kind = Match::Kind::Found;
      m.route = found;
      return m;
    }
    for (const Route* r : entry.methods) {
      allowed.push_back(r->method);
      if (r->method == "GET") allowed.push_back("HEAD");
    }
  }
  if (allowed.empty()) return m;
  std::sort(allowed.begin(), allowed.end());
  allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
  m.kind = Match::Kind::MethodNotAllowed;
  for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

}  // namespace ld::web
