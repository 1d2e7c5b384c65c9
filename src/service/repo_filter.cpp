#include "service/repo_filter.hpp"

#include <nlohmann/json.hpp>

#include "core/strings.hpp"

namespace ld::service {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool any_of(const std::vector<std::string>& needles, std::string_view path,
            bool (*test)(std::string_view, std::string_view)) {
  for (const auto& needle : needles) {
    if (!needle.empty() && test(path, needle)) return true;
  }
  return false;
}

bool contains(std::string_view s, std::string_view needle) {
  return s.find(needle) != std::string_view::npos;
}

bool glob_from(std::string_view p, std::string_view s) {
  while (!p.empty()) {
    if (p.substr(0, 2) == "**") {
      std::string_view rest = p.substr(2);
      if (!rest.empty() && rest.front() == '/') {
        // "**/" matches zero or more whole segments.
        rest.remove_prefix(1);
        if (glob_from(rest, s)) return true;
        for (std::size_t i = 0; i < s.size(); ++i) {
          if (s[i] == '/' && glob_from(rest, s.substr(i + 1))) return true;
        }
        return false;
      }
      for (std::size_t i = 0; i <= s.size(); ++i) {
        if (glob_from(rest, s.substr(i))) return true;
      }
      return false;
    }
    if (p.front() == '*') {
      std::string_view rest = p.substr(1);
      for (std::size_t i = 0; i <= s.size(); ++i) {
        if (glob_from(rest, s.substr(i))) return true;
        if (i < s.size() && s[i] == '/') break;
      }
      return false;
    }
    if (s.empty()) return false;
    if (p.front() == '?') {
      if (s.front() == '/') return false;
    } else if (p.front() != s.front()) {
      return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

std::vector<std::string> strings_field(const nlohmann::json& body, const char* name) {
  std::vector<std::string> values;
  if (!body.contains(name) || body[name].is_null()) return values;
  const auto& field = body[name];
  if (field.is_string()) {
    for (const auto& part : ld::split(field.get<std::string>(), ',')) {
      const auto trimmed = ld::trim(part);
      if (!trimmed.empty()) values.emplace_back(trimmed);
    }
    return values;
  }
  if (!field.is_array())
    throw ld::Error(std::string("field '") + name + "' must be a list of strings");
  for (const auto& item : field) {
    if (!item.is_string())
      throw ld::Error(std::string("field '") + name + "' must be a list of strings");
    values.push_back(item.get<std::string>());
  }
  return values;
}

std::string string_field(const nlohmann::json& body, const char* name, std::string fallback) {
  if (!body.contains(name) || body[name].is_null()) return fallback;
  if (!body[name].is_string())
    throw ld::Error(std::string("field '") + name + "' must be a string");
  return body[name].get<std::string>();
}

std::uint64_t size_field(const nlohmann::json& body, const char* name) {
  if (!body.contains(name) || body[name].is_null()) return 0;
  const auto& field = body[name];
  if (!field.is_number_integer() || field.get<std::int64_t>() < 0) {
    throw ld::Error(std::string("field '") + name + "' must be a non-negative integer");
  }
  return field.get<std::uint64_t>();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return glob_from(pattern, path);
}

bool RepoFilter::matches(std::string_view path) const {
  if (!filter_starts_with.empty() && !starts_with(path, filter_starts_with)) return false;
  if (!filter_contains.empty() && !contains(path, filter_contains)) return false;
  if (!filter_ends_with.empty()) {
    bool any = false;
    for (const auto& suffix : ld::split(filter_ends_with, ',')) {
      const auto trimmed = ld::trim(suffix);
      if (!trimmed.empty() && ends_with(path, trimmed)) any = true;
    }
    if (!any) return false;
  }
  if (!filter_starts_with_any.empty() && !any_of(filter_starts_with_any, path, starts_with)) {
    return false;
  }
  if (any_of(filter_exclude_paths, path, contains)) return false;
  if (any_of(filter_exclude_prefixes, path, starts_with)) return false;
  if (any_of(filter_exclude_suffixes, path, ends_with)) return false;
  if (!include_patterns.empty()) {
    bool any = false;
    for (const auto& pattern : include_patterns) any = any || glob_match(pattern, path);
    if (!any) return false;
  }
  for (const auto& pattern : exclude_patterns) {
    if (glob_match(pattern, path)) return false;
  }
  return true;
}

bool RepoFilter::truncates(std::string_view path) const {
  if (max_content_length == 0) return false;
  return truncate_patterns.empty() || any_of(truncate_patterns, path, contains);
}

RepoFilter repo_filter_from_json(const nlohmann::json& body) {
  if (!body.is_object()) throw ld::Error("the filter must be a JSON object");
  RepoFilter filter;
  filter.repo.owner = string_field(body, "owner", "");
  filter.repo.name = string_field(body, "name", "");
  filter.repo.ref = string_field(body, "ref", "main");
  filter.filter_starts_with = string_field(body, "filter_starts_with", "");
  filter.filter_contains = string_field(body, "filter_contains", "");
  filter.filter_ends_with = string_field(body, "filter_ends_with", "");
  filter.filter_starts_with_any = strings_field(body, "filter_starts_with_any");
  filter.filter_exclude_paths = strings_field(body, "filter_exclude_paths");
  filter.filter_exclude_prefixes = strings_field(body, "filter_exclude_prefixes");
  filter.filter_exclude_suffixes = strings_field(body, "filter_exclude_suffixes");
  filter.include_patterns = strings_field(body, "include_patterns");
  filter.exclude_patterns = strings_field(body, "exclude_patterns");
  filter.max_file_size_bytes = size_field(body, "max_file_size_bytes");
  filter.max_content_length = size_field(body, "max_content_length");
  filter.truncate_patterns = strings_field(body, "truncate_patterns");
  filter.max_total_bytes = size_field(body, "max_total_bytes");
  if (body.contains("hide_file_contents") && !body["hide_file_contents"].is_null()) {
    if (!body["hide_file_contents"].is_boolean()) {
      throw ld::Error("field 'hide_file_contents' must be true or false");
    }
    filter.hide_file_contents = body["hide_file_contents"].get<bool>();
  }
  return filter;
}

}  // namespace ld::service
