#pragma once
// Batches the executor's log events and metric data on their way to the Logs and CloudWatch
// services: a background thread hands them over every `interval` (and on flush() or
// destruction), so that a burst of invocations costs one SQLite transaction per log stream and
// one for all metric data per interval, instead of one per line and per datum.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "local/telemetry.hpp"

namespace ld::local {

// A LogSink and MetricSink in front of the real ones. Thread-safe.
class TelemetryBuffer : public LogSink, public MetricSink {
 public:
  TelemetryBuffer(std::shared_ptr<LogSink> logs, std::shared_ptr<MetricSink> metrics,
                  std::chrono::milliseconds interval = std::chrono::milliseconds(20));
  ~TelemetryBuffer() override;
  TelemetryBuffer(const TelemetryBuffer&) = delete;
  TelemetryBuffer& operator=(const TelemetryBuffer&) = delete;

  void append(const std::string& group, const std::string& stream,
              std::vector<LogEvent> events) override;
  void put(std::vector<MetricDatum> data) override;

  // Hands everything queued so far to the sinks before returning (readers call it first, so
  // an API read sees every invocation that finished before it).
  void flush();

 private:
  void run();

  std::shared_ptr<LogSink> logs_;
  std::shared_ptr<MetricSink> metrics_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::mutex flushing_;  // one hand-over at a time, so per-stream order is kept
  bool stopping_ = false;
  std::map<std::pair<std::string, std::string>, std::vector<LogEvent>> lines_;
  std::vector<MetricDatum> data_;
  std::thread thread_;
};

}  // namespace ld::local
