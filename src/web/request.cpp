#include "web/request.hpp"

#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::web {

std::optional<std::string> Request::query_param(std::string_view name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return std::nullopt;
}

std::vector<std::string> Request::query_params(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query)
    if (k == name) out.push_back(v);
  return out;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : cookies)
    if (k == name) return v;
  return std::nullopt;
}

std::optional<std::string> Request::path_param(std::string_view name) const {
  auto it = path_params.find(name);
  if (it == path_params.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw_query) {
  std::vector<std::pair<std::string, std::string>> out;
  if (raw_query.empty()) return out;
  for (const auto& part : split(raw_query, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string_view p(part);
    if (eq == std::string::npos) {
      out.emplace_back(uri_decode(p, true), "");
    } else {
      out.emplace_back(uri_decode(p.substr(0, eq), true), uri_decode(p.substr(eq + 1), true));
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_cookie_header(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& part : split(value, ';')) {
    std::string_view p = trim(part);
    if (p.empty()) continue;
    auto eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view v = trim(p.substr(eq + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    out.emplace_back(std::string(trim(p.substr(0, eq))), std::string(v));
  }
  return out;
}

}  // namespace ld::web
