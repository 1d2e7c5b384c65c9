#pragma once
// How the local CloudWatch's operations read their query-protocol input: members checked and
// refused in CloudWatch's words, times, units, periods, dimension sets and the alarm listings'
// NextToken. Shared by cloudwatch.cpp and the cloudwatch_*.cpp files it is split into.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace ld::local::cloudwatch {

// The statistics a MetricStat, GetMetricStatistics or an alarm may ask for.
inline constexpr std::array<const char*, 5> kStatistics = {"SampleCount", "Average", "Sum",
                                                           "Minimum", "Maximum"};

template <std::size_t N>
bool one_of(const std::array<const char*, N>& values, const std::string& value) {
  return std::any_of(values.begin(), values.end(), [&](const char* v) { return value == v; });
}

// "[A, B, C]", as CloudWatch lists an enum's values in its messages.
template <std::size_t N>
std::string enum_set(const std::array<const char*, N>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < N; ++i) out += (i > 0 ? ", " : "") + std::string(values[i]);
  return out + "]";
}

// MissingParameter for `member`.
[[noreturn]] void missing(const std::string& member);
// InvalidParameterValue with `message`.
[[noreturn]] void invalid_value(const std::string& message);
// A "1 validation error detected" ValidationError on `value` at `member`.
[[noreturn]] void validation(const std::string& value, const std::string& member,
                             const std::string& what);
// A ValidationError with a message of its own.
[[noreturn]] void validation_error(const std::string& message);

// A member as text (a non-string value as its JSON), or nullopt when absent or null.
std::optional<std::string> text(const nlohmann::json& input, const char* member);
// A member that must be there and not empty; `where` prefixes its name in the error.
std::string required(const nlohmann::json& input, const char* member,
                     const std::string& where = {});
std::optional<double> number(const nlohmann::json& input, const char* member,
                             const std::string& where = {});
std::optional<std::int64_t> integer(const nlohmann::json& input, const char* member,
                                    const std::string& where = {});
std::optional<bool> boolean(const nlohmann::json& input, const char* member);
// A list member: `L.member.N` arrives as an array, `L=` as [], a lone value as a scalar.
nlohmann::json list(const nlohmann::json& input, const char* member);
// A list member of strings, at most `max` of them.
std::vector<std::string> string_list(const nlohmann::json& input, const char* member,
                                     std::size_t max);

std::int64_t millis(Timestamp t);
Timestamp at(std::int64_t ms);
// ISO 8601 (what the SDKs send) or epoch seconds, as epoch milliseconds.
std::optional<std::int64_t> time_member(const nlohmann::json& input, const char* member,
                                        const std::string& where = {});

void check_unit(const std::string& unit, const std::string& member);
// 1, 5, 10, 30 or a multiple of 60 seconds.
void check_period(std::int64_t period, const std::string& member);

using Dimensions = std::vector<std::pair<std::string, std::string>>;

Dimensions dimensions_of(const nlohmann::json& input, const std::string& where);
// The stored form of a dimension set: sorted by name, so sets compare as strings.
std::string dimension_key(Dimensions dims);
nlohmann::json dimensions_json(const Dimensions& dims);
nlohmann::json dimensions_json(const std::string& key);

// A NextToken for the page at `offset` of a listing of `kind` ("alarms", "metric-data"), and
// the offset a token of that kind stands for (nullopt when it is not one).
std::string page_token(std::string_view kind, std::size_t offset);
std::optional<std::size_t> page_offset(std::string_view kind, const std::string& token);

// The NextToken of DescribeAlarms and DescribeAlarmHistory for the page at `offset`, and back
// (InvalidNextToken for a token that is not theirs).
std::string offset_token(std::size_t offset);
std::size_t offset_of(const nlohmann::json& input);

}  // namespace ld::local::cloudwatch
