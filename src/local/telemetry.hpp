#pragma once
// Where invocations report what they did: log events (CloudWatch Logs) and metric data
// (CloudWatch). The executor writes; the Logs and CloudWatch services implement and serve them.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ld::local {

// One log line as CloudWatch Logs stores it.
struct LogEvent {
  std::int64_t timestamp_ms = 0;  // Unix epoch milliseconds
  std::string message;
};

// Events bound for one log stream.
struct LogBatch {
  std::string group;
  std::string stream;
  std::vector<LogEvent> events;
};

// Receives log events for a group and stream, creating both when missing. Thread-safe.
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void append(const std::string& group, const std::string& stream,
                      std::vector<LogEvent> events) = 0;
  // Many streams' events at once; a store overrides it to write them together.
  virtual void append_all(std::vector<LogBatch> batches) {
    for (auto& batch : batches) append(batch.group, batch.stream, std::move(batch.events));
  }
};

// A statistic set, as PutMetricData's StatisticValues: several samples in one datum.
struct MetricStatistics {
  double sample_count = 0;
  double sum = 0;
  double minimum = 0;
  double maximum = 0;
};

// One metric data point as PutMetricData takes it.
struct MetricDatum {
  std::string metric_namespace;  // "AWS/Lambda"
  std::string name;              // "Invocations", "Errors", "Duration", "Throttles", ...
  std::vector<std::pair<std::string, std::string>> dimensions;  // {"FunctionName", "f"}, ...
  double value = 0;
  std::string unit = "None";  // "Count", "Milliseconds", ...
  std::int64_t timestamp_ms = 0;
  std::optional<MetricStatistics> statistics;  // when set, stands for the samples; value unused
};

// Receives metric data. Thread-safe.
class MetricSink {
 public:
  virtual ~MetricSink() = default;
  virtual void put(std::vector<MetricDatum> data) = 0;
};

}  // namespace ld::local
