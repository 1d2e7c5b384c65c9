#pragma once
// A stage's log events as `lambdeploy logs` shows them: FilterLogEvents across every stream of
// the function's log group, in time order, page by page as they arrive, and following new ones.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "aws/services/logs.hpp"

namespace ld::deploy {

// One event.
struct LogEvent {
  std::int64_t timestamp = 0;  // ms since the epoch
  std::string stream;
  std::string message;
  std::string id;
};

// Which events.
struct LogQuery {
  std::string group;
  std::int64_t start_ms = 0;
  std::string filter;  // a CloudWatch Logs filter pattern; "" = every event
};

// Calls `sink` for every event of `query` and returns the newest event's timestamp (start_ms
// when there was none). Pages are handed on as they arrive.
std::int64_t read_log_events(const aws::LogsClient& logs, const LogQuery& query,
                             const std::function<void(const LogEvent&)>& sink);

// Reads, then asks again every `interval` for events not yet seen, until `stop` is set.
void follow_log_events(const aws::LogsClient& logs, LogQuery query,
                       const std::function<void(const LogEvent&)>& sink,
                       const std::atomic<bool>& stop,
                       std::chrono::milliseconds interval = std::chrono::seconds(1));

}  // namespace ld::deploy
