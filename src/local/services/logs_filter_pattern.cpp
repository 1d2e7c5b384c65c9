#include "local/services/logs_filter_pattern.hpp"

#include <algorithm>

#include "local/api_call.hpp"

namespace ld::local {

namespace {

[[noreturn]] void unsupported(std::string_view pattern, const std::string& why) {
  throw ApiError("InvalidParameterException",
                 "Invalid filter pattern '" + std::string(pattern) + "': " + why);
}

bool contains(std::string_view text, const std::string& term) {
  return text.find(term) != std::string_view::npos;
}

}  // namespace

LogFilterPattern::LogFilterPattern(std::string_view pattern) {
  const std::string_view whole = pattern;
  std::size_t i = 0;
  auto skip_spaces = [&] {
    while (i < pattern.size() && (pattern[i] == ' ' || pattern[i] == '\t')) ++i;
  };
  skip_spaces();
  if (i < pattern.size()) {
    const char first = pattern[i];
    if (first == '{') unsupported(whole, "JSON filter patterns are not supported locally");
    if (first == '[') {
      unsupported(whole, "space-delimited filter patterns are not supported locally");
    }
    if (first == '%') {
      unsupported(whole, "regular-expression filter patterns are not supported locally");
    }
  }
  while (true) {
    skip_spaces();
    if (i >= pattern.size()) break;
    char mode = 0;  // 0 required, '?' alternative, '-' excluded
    if (pattern[i] == '?' || pattern[i] == '-') {
      mode = pattern[i];
      ++i;
    }
    std::string term;
    if (i < pattern.size() && pattern[i] == '"') {
      ++i;
      bool closed = false;
      while (i < pattern.size()) {
        const char c = pattern[i++];
        if (c == '\\' && i < pattern.size()) {
          term.push_back(pattern[i++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          term.push_back(c);
        }
      }
      if (!closed) unsupported(whole, "a quoted phrase is not closed");
    } else {
      while (i < pattern.size() && pattern[i] != ' ' && pattern[i] != '\t') {
        if (pattern[i] == '"') unsupported(whole, "a quote inside a term");
        term.push_back(pattern[i++]);
      }
    }
    if (term.empty()) continue;
    if (mode == '?') {
      alternatives_.push_back(term);
    } else if (mode == '-') {
      excluded_.push_back(term);
    } else {
      required_.push_back(term);
    }
  }
  if (!alternatives_.empty() && (!required_.empty() || !excluded_.empty())) {
    unsupported(whole,
                "mixing ?-alternatives with other terms is not supported locally (use only "
                "?term ?term, or only terms and -terms)");
  }
}

bool LogFilterPattern::matches(std::string_view message) const {
  for (const auto& term : required_)
    if (!contains(message, term)) return false;
  for (const auto& term : excluded_)
    if (contains(message, term)) return false;
  if (alternatives_.empty()) return true;
  return std::any_of(alternatives_.begin(), alternatives_.end(),
                     [&](const std::string& term) { return contains(message, term); });
}

}  // namespace ld::local
