#include "core/http.hpp"

#include <charconv>

#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld {

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.name, name)) return f.value;
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  fields_.push_back({std::move(name), std::move(value)});
}

void Headers::add(std::string name, std::string value) {
  fields_.push_back({std::move(name), std::move(value)});
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.name, name); });
}

std::string HttpRequest::authority() const {
  if (!port) return host;
  bool default_port = (scheme == "https" && *port == 443) || (scheme == "http" && *port == 80);
  return default_port ? host : host + ":" + std::to_string(*port);
}

std::string HttpRequest::query_string() const {
  std::string out;
  for (const auto& [k, v] : query) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k);
    out.push_back('=');
    out += uri_encode(v);
  }
  return out;
}

std::string HttpRequest::url() const {
  std::string out = scheme + "://" + authority() + (path.empty() ? "/" : path);
  if (!query.empty()) out += "?" + query_string();
  return out;
}

std::uint64_t HttpRequest::body_size() const {
  if (body_file) return std::filesystem::file_size(*body_file);
  return body.size();
}

}  // namespace ld
