#include "local/input_text.hpp"

#include <cctype>

#include "core/utf8.hpp"

namespace ld::local {

namespace {

// "Tags" → "tags", as AWS names members in validation messages.
std::string lower_camel(std::string name) {
  if (!name.empty()) name[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[0])));
  return name;
}

std::optional<std::string> find_in(const nlohmann::json& value, const std::string& path) {
  if (value.is_string()) {
    if (is_valid_utf8(value.get_ref<const std::string&>())) return std::nullopt;
    return path;
  }
  if (value.is_array()) {
    std::size_t index = 0;
    for (const nlohmann::json& item : value) {
      ++index;
      if (auto found = find_in(item, path + "." + std::to_string(index))) return found;
    }
    return std::nullopt;
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      const std::string member = path.empty() ? lower_camel(key) : path + "." + lower_camel(key);
      if (!is_valid_utf8(key)) return path.empty() ? std::string("input") : path;
      if (auto found = find_in(item, member)) return found;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> first_non_utf8_member(const nlohmann::json& input) {
  return find_in(input, "");
}

std::string non_utf8_message(const std::string& member) {
  return "1 validation error detected: Value at '" + member +
         "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
         "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-"
         "\\u10FFFF]+";
}

}  // namespace ld::local
