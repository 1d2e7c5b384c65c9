#include "local/services/cloudwatch_alarm_evaluation.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace ld::local {

namespace {

using nlohmann::json;

std::string phrase(const std::string& comparison) {
  if (comparison == "GreaterThanOrEqualToThreshold") return "greater than or equal to";
  if (comparison == "GreaterThanThreshold") return "greater than";
  if (comparison == "LessThanThreshold") return "less than";
  if (comparison == "LessThanOrEqualToThreshold") return "less than or equal to";
  return comparison;
}

std::tm utc(std::int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

// 27/11/26 10:00:00, as CloudWatch dates the datapoints of a StateReason.
std::string reason_date(std::int64_t ms) {
  const std::tm tm = utc(ms);
  std::array<char, 32> text{};
  std::strftime(text.data(), text.size(), "%d/%m/%y %H:%M:%S", &tm);
  return text.data();
}

// 2026-11-27T10:00:00.000+0000, as StateReasonData dates things.
std::string reason_data_date(std::int64_t ms) {
  const std::tm tm = utc(ms);
  std::array<char, 40> text{};
  std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  std::array<char, 16> millis{};
  std::snprintf(millis.data(), millis.size(), ".%03d+0000",
                static_cast<int>(((ms % 1000) + 1000) % 1000));
  return std::string(text.data()) + millis.data();
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string listed(const std::vector<const AlarmPeriod*>& points) {
  std::string out = "[";
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (i > 0) out += ", ";
    out += java_double(*points[i]->value) + " (" + reason_date(points[i]->start_ms) + ")";
  }
  return out + "]";
}

}  // namespace

bool breaches(const std::string& comparison, double value, double threshold) {
  if (comparison == "GreaterThanOrEqualToThreshold") return value >= threshold;
  if (comparison == "GreaterThanThreshold") return value > threshold;
  if (comparison == "LessThanThreshold") return value < threshold;
  if (comparison == "LessThanOrEqualToThreshold") return value <= threshold;
  return false;
}

std::string java_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  const double magnitude = std::fabs(value);
  std::array<char, 64> text{};
  if (magnitude != 0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    // Java's computerized scientific notation: 1.0E7, 2.5E-4.
    auto [end, ec] =
        std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::scientific);
    std::string s(text.data(), ec == std::errc() ? end : text.data());
    auto e = s.find('e');
    std::string mantissa = s.substr(0, e);
    if (mantissa.find('.') == std::string::npos) mantissa += ".0";
    int exponent = std::stoi(s.substr(e + 1));
    return mantissa + "E" + std::to_string(exponent);
  }
  auto [end, ec] =
      std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  std::string s(text.data(), ec == std::errc() ? end : text.data());
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

AlarmVerdict evaluate_alarm(const AlarmRule& rule, const std::vector<AlarmPeriod>& periods,
                            std::int64_t now_ms) {
  AlarmVerdict verdict;
  const std::string& missing_as = rule.treat_missing_data;
  std::vector<const AlarmPeriod*> present;
  std::vector<const AlarmPeriod*> breaching;
  std::vector<const AlarmPeriod*> fine;
  for (const auto& period : periods) {
    if (!period.value) continue;
    present.push_back(&period);
    (breaches(rule.comparison, *period.value, rule.threshold) ? breaching : fine)
        .push_back(&period);
  }
  const std::size_t missing = periods.size() - present.size();
  const std::size_t needed = static_cast<std::size_t>(rule.datapoints_to_alarm);

  json data = {{"version", "1.0"},
               {"queryDate", reason_data_date(now_ms)},
               {"statistic", rule.statistic},
               {"period", rule.period_seconds},
               {"threshold", rule.threshold}};
  if (!periods.empty()) data["startDate"] = reason_data_date(periods.back().start_ms);
  json recent = json::array();
  json evaluated = json::array();
  for (const auto* period : present) {
    recent.push_back(*period->value);
    evaluated.push_back({{"timestamp", reason_data_date(period->start_ms)},
                         {"sampleCount", period->sample_count},
                         {"value", *period->value}});
  }
  data["recentDatapoints"] = recent;
  if (!evaluated.empty()) data["evaluatedDatapoints"] = evaluated;
  verdict.reason_data = data;

  if (present.empty()) {
    const std::string periods_text = plural(missing, "period", "periods");
    const std::string missing_text =
        plural(missing, "missing datapoint was", "missing datapoints were");
    if (missing_as == "ignore") return verdict;  // the state is kept
    if (missing_as == "breaching" && missing >= needed) {
      verdict.state = "ALARM";
      verdict.reason = "Threshold Crossed: no datapoints were received for " + periods_text +
                       " and " + missing_text + " treated as [Breaching].";
      return verdict;
    }
    if (missing_as == "notBreaching" || missing_as == "breaching") {
      verdict.state = "OK";
      verdict.reason = "Threshold Crossed: no datapoints were received for " + periods_text +
                       " and " + missing_text + " treated as [NonBreaching].";
      return verdict;
    }
    verdict.state = "INSUFFICIENT_DATA";
    verdict.reason = "Insufficient Data: " +
                     plural(missing, "datapoint was unknown.", "datapoints were unknown.");
    return verdict;
  }

  const std::size_t counted_breaching =
      breaching.size() + (missing_as == "breaching" ? missing : 0);
  const bool alarm = counted_breaching >= needed;
  const auto& shown = alarm ? breaching : fine;
  const std::string comparison = (alarm ? "" : "not ") + phrase(rule.comparison);
  const std::string threshold = java_double(rule.threshold);
  verdict.state = alarm ? "ALARM" : "OK";
  if (periods.size() == 1) {
    verdict.reason = "Threshold Crossed: 1 datapoint " + listed(shown) + " was " + comparison +
                     " the threshold (" + threshold + ").";
  } else {
    const std::size_t minimum = alarm ? needed : periods.size() - needed + 1;
    verdict.reason = "Threshold Crossed: " + std::to_string(shown.size()) + " out of the last " +
                     std::to_string(periods.size()) + " datapoints " + listed(shown) + " were " +
                     comparison + " the threshold (" + threshold + ") (minimum " +
                     plural(minimum, "datapoint", "datapoints") + " for " +
                     (alarm ? "OK -> ALARM" : "ALARM -> OK") + " transition).";
  }
  return verdict;
}

}  // namespace ld::local
