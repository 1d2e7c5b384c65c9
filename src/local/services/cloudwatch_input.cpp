#include "local/services/cloudwatch_input.hpp"

#include <charconv>
#include <cmath>

#include "core/encoding.hpp"
#include "local/api_call.hpp"

namespace ld::local::cloudwatch {

using nlohmann::json;

namespace {

constexpr std::array<const char*, 27> kUnits = {"Seconds",
                                                "Microseconds",
                                                "Milliseconds",
                                                "Bytes",
                                                "Kilobytes",
                                                "Megabytes",
                                                "Gigabytes",
                                                "Terabytes",
                                                "Bits",
                                                "Kilobits",
                                                "Megabits",
                                                "Gigabits",
                                                "Terabits",
                                                "Percent",
                                                "Count",
                                                "Bytes/Second",
                                                "Kilobytes/Second",
                                                "Megabytes/Second",
                                                "Gigabytes/Second",
                                                "Terabytes/Second",
                                                "Bits/Second",
                                                "Kilobits/Second",
                                                "Megabits/Second",
                                                "Gigabits/Second",
                                                "Terabits/Second",
                                                "Count/Second",
                                                "None"};

}  // namespace

[[noreturn]] void missing(const std::string& member) {
  throw ApiError("MissingParameter", "The parameter " + member + " is required.");
}

[[noreturn]] void invalid_value(const std::string& message) {
  throw ApiError("InvalidParameterValue", message);
}

[[noreturn]] void validation(const std::string& value, const std::string& member,
                             const std::string& what) {
  throw ApiError("ValidationError", "1 validation error detected: Value '" + value + "' at '" +
                                        member + "' failed to satisfy constraint: " + what);
}

// A ValidationError with a message of its own.
[[noreturn]] void validation_error(const std::string& message) {
  throw ApiError("ValidationError", message);
}

std::optional<std::string> text(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string required(const json& input, const char* member, const std::string& where) {
  auto value = text(input, member);
  if (!value || value->empty()) missing(where + member);
  return *value;
}

std::optional<double> number(const json& input, const char* member, const std::string& where) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) return it->get<double>();
  const std::string value = it->is_string() ? it->get<std::string>() : it->dump();
  double out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(out)) {
    invalid_value("The parameter " + where + member + " must be a number, not '" + value + "'.");
  }
  return out;
}

std::optional<std::int64_t> integer(const json& input, const char* member,
                                    const std::string& where) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const std::string value = it->is_string() ? it->get<std::string>() : it->dump();
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (ec != std::errc() || end != value.data() + value.size()) {
    invalid_value("The parameter " + where + member + " must be an integer, not '" + value + "'.");
  }
  return out;
}

std::optional<bool> boolean(const json& input, const char* member) {
  auto value = text(input, member);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  invalid_value("The parameter " + std::string(member) + " must be true or false.");
}

// A list member: `L.member.N` arrives as an array, `L=` as [], a lone value as a scalar.
json list(const json& input, const char* member) {
  auto it = input.find(member);
  if (it == input.end() || it->is_null()) return json::array();
  if (it->is_array()) return *it;
  if (it->is_string() && it->get<std::string>().empty()) return json::array();
  return json::array({*it});
}

std::vector<std::string> string_list(const json& input, const char* member, std::size_t max) {
  std::vector<std::string> out;
  for (const auto& item : list(input, member))
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  if (out.size() > max) {
    invalid_value("The collection " + std::string(member) + " must not have a size greater than " +
                  std::to_string(max) + ".");
  }
  return out;
}

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}

Timestamp at(std::int64_t ms) {
  return Timestamp(std::chrono::milliseconds(ms));
}

// ISO 8601 (what the SDKs send) or epoch seconds.
std::optional<std::int64_t> time_member(const json& input, const char* member,
                                        const std::string& where) {
  auto value = text(input, member);
  if (!value) return std::nullopt;
  if (auto parsed = parse_iso8601(*value)) return millis(*parsed);
  double seconds = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), seconds);
  if (ec == std::errc() && end == value->data() + value->size()) {
    return static_cast<std::int64_t>(std::llround(seconds * 1000));
  }
  invalid_value("The parameter " + where + member + " must be an ISO 8601 timestamp, not '" +
                *value + "'.");
}

void check_unit(const std::string& unit, const std::string& member) {
  if (!one_of(kUnits, unit))
    validation(unit, member, "Member must satisfy enum value set: " + enum_set(kUnits));
}

void check_period(std::int64_t period, const std::string& member) {
  if (period < 1) invalid_value("The parameter " + member + " must be greater than 0.");
  if (period < 60 ? !(period == 1 || period == 5 || period == 10 || period == 30)
                  : period % 60 != 0) {
    invalid_value("The parameter " + member + " must be 1, 5, 10, 30, or a multiple of 60.");
  }
}

using Dimensions = std::vector<std::pair<std::string, std::string>>;

Dimensions dimensions_of(const json& input, const std::string& where) {
  Dimensions dims;
  const json items = list(input, "Dimensions");
  if (items.size() > 30) {
    invalid_value("The collection " + where + "Dimensions must not have a size greater than 30.");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string at_item = where + "Dimensions.member." + std::to_string(i + 1) + ".";
    if (!items[i].is_object()) missing(at_item + "Name");
    dims.emplace_back(required(items[i], "Name", at_item), required(items[i], "Value", at_item));
  }
  return dims;
}

// The stored form of a dimension set: sorted by name, so sets compare as strings.
std::string dimension_key(Dimensions dims) {
  std::sort(dims.begin(), dims.end());
  json key = json::array();
  for (auto& [name, value] : dims) key.push_back({name, value});
  return key.dump();
}

json dimensions_json(const Dimensions& dims) {
  json out = json::array();
  for (const auto& [name, value] : dims) out.push_back({{"Name", name}, {"Value", value}});
  return out;
}

json dimensions_json(const std::string& key) {
  json out = json::array();
  for (const auto& pair : json::parse(key)) out.push_back({{"Name", pair[0]}, {"Value", pair[1]}});
  return out;
}

std::string page_token(std::string_view kind, std::size_t offset) {
  return base64_encode(std::string(kind) + "/" + std::to_string(offset));
}

std::optional<std::size_t> page_offset(std::string_view kind, const std::string& token) {
  auto decoded = base64_decode(token);
  std::size_t offset = 0;
  if (decoded && decoded->size() > kind.size() && decoded->compare(0, kind.size(), kind) == 0 &&
      (*decoded)[kind.size()] == '/') {
    const char* first = decoded->data() + kind.size() + 1;
    const char* last = decoded->data() + decoded->size();
    auto [end, ec] = std::from_chars(first, last, offset);
    if (ec == std::errc() && end == last) return offset;
  }
  return std::nullopt;
}

std::string offset_token(std::size_t offset) {
  return page_token("alarms", offset);
}

std::size_t offset_of(const json& input) {
  auto token = text(input, "NextToken");
  if (!token) return 0;
  if (auto offset = page_offset("alarms", *token)) return *offset;
  throw ApiError("InvalidNextToken", "The NextToken '" + *token + "' is invalid.");
}

}  // namespace ld::local::cloudwatch
