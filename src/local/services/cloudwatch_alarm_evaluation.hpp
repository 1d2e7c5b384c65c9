#pragma once
// How a CloudWatch metric alarm judges its most recent periods: the statistic of each period
// against the threshold, DatapointsToAlarm out of EvaluationPeriods, TreatMissingData, and the
// StateReason / StateReasonData CloudWatch words the outcome with.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ld::local {

// One evaluated period: its start (epoch ms) and statistic, or no value when no data arrived.
struct AlarmPeriod {
  std::int64_t start_ms = 0;
  std::optional<double> value;
  double sample_count = 0;
};

// What the alarm is configured to do (the MetricAlarm members that matter to evaluation).
struct AlarmRule {
  std::string statistic;  // Sum, Average, Minimum, Maximum, SampleCount
  std::int64_t period_seconds = 60;
  int evaluation_periods = 1;
  int datapoints_to_alarm = 1;
  double threshold = 0;
  std::string comparison;          // GreaterThanOrEqualToThreshold, ...
  std::string treat_missing_data;  // missing, notBreaching, breaching, ignore
};

// The outcome: the new state, or nullopt to keep the current one (TreatMissingData=ignore).
struct AlarmVerdict {
  std::optional<std::string> state;  // OK, ALARM, INSUFFICIENT_DATA
  std::string reason;
  nlohmann::json reason_data = nlohmann::json::object();
};

// Judges `periods` (newest first, rule.evaluation_periods of them) evaluated at `now_ms`.
AlarmVerdict evaluate_alarm(const AlarmRule& rule, const std::vector<AlarmPeriod>& periods,
                            std::int64_t now_ms);

// true when `value` breaches the threshold under `comparison`.
bool breaches(const std::string& comparison, double value, double threshold);

// A double as CloudWatch prints it in reasons (Java's Double.toString: 2.0, 0.5, 1.0E7).
std::string java_double(double value);

}  // namespace ld::local
