#include "aws/services/xml_values.hpp"

#include <charconv>
#include <string>

#include "core/encoding.hpp"

namespace ld::aws {

using nlohmann::json;

json xml_list(const json& value) {
  if (value.is_null()) return json::array();
  if (value.is_array()) return value;
  if (value.is_string() && value.get<std::string>().empty()) return json::array();
  if (value.is_object()) {
    if (value.empty()) return json::array();
    if (value.size() == 1 && value.contains("member")) return xml_list(value["member"]);
  }
  return json::array({value});
}

namespace {

// A decimal number written as text: integers stay integers, anything else is a double.
json parse_number(const std::string& text) {
  long long integer = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, integer);
  if (ec == std::errc() && ptr == end) return integer;
  double real = 0;
  auto [rptr, rec] = std::from_chars(text.data(), end, real);
  if (rec == std::errc() && rptr == end) return real;
  return text;
}

}  // namespace

void normalize_lists(json& object, std::initializer_list<std::string_view> members) {
  if (!object.is_object()) return;
  for (std::string_view name : members) {
    auto it = object.find(name);
    if (it != object.end()) *it = xml_list(*it);
  }
}

void require_lists(json& object, std::initializer_list<std::string_view> members) {
  if (!object.is_object()) return;
  for (std::string_view name : members) {
    auto it = object.find(name);
    if (it == object.end())
      object[std::string(name)] = json::array();
    else
      *it = xml_list(*it);
  }
}

void normalize_numbers(json& object, std::initializer_list<std::string_view> members) {
  if (!object.is_object()) return;
  for (std::string_view name : members) {
    auto it = object.find(name);
    if (it != object.end() && it->is_string()) *it = parse_number(it->get<std::string>());
  }
}

void normalize_booleans(json& object, std::initializer_list<std::string_view> members) {
  if (!object.is_object()) return;
  for (std::string_view name : members) {
    auto it = object.find(name);
    if (it == object.end() || !it->is_string()) continue;
    const std::string text = it->get<std::string>();
    if (text == "true") *it = true;
    if (text == "false") *it = false;
  }
}

json decode_policy_document(const json& value) {
  if (!value.is_string()) return value;
  const std::string decoded = uri_decode(value.get<std::string>());
  json parsed = json::parse(decoded, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return decoded;
  return parsed;
}

}  // namespace ld::aws
