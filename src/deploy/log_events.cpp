#include "deploy/log_events.hpp"

#include <set>
#include <thread>
#include <utility>

namespace ld::deploy {

using nlohmann::json;

namespace {

// Events already handed on, by (timestamp, id).
using Seen = std::set<std::pair<std::int64_t, std::string>>;

// One pass over `query`'s events; `seen` drops events a previous pass handed on.
std::int64_t read_pass(const aws::LogsClient& logs, const LogQuery& query,
                       const std::function<void(const LogEvent&)>& sink, Seen* seen) {
  json input = {{"logGroupName", query.group}, {"startTime", query.start_ms}};
  if (!query.filter.empty()) input["filterPattern"] = query.filter;
  std::int64_t newest = query.start_ms;
  while (true) {
    const json page = logs.filter_log_events(input);
    for (const auto& item : page.value("events", json::array())) {
      LogEvent event{item.value("timestamp", std::int64_t{0}), item.value("logStreamName", ""),
                     item.value("message", ""), item.value("eventId", "")};
      if (seen != nullptr && !seen->insert({event.timestamp, event.id}).second) continue;
      newest = std::max(newest, event.timestamp);
      sink(event);
    }
    const std::string token = page.value("nextToken", "");
    if (token.empty()) return newest;
    input["nextToken"] = token;
  }
}

}  // namespace

std::int64_t read_log_events(const aws::LogsClient& logs, const LogQuery& query,
                             const std::function<void(const LogEvent&)>& sink) {
  return read_pass(logs, query, sink, nullptr);
}

void follow_log_events(const aws::LogsClient& logs, LogQuery query,
                       const std::function<void(const LogEvent&)>& sink,
                       const std::atomic<bool>& stop, std::chrono::milliseconds interval) {
  Seen seen;
  while (!stop.load()) {
    // Events of the newest millisecond may still arrive: ask from there again, drop the seen;
    // older ones cannot come back, so they are forgotten.
    query.start_ms = read_pass(logs, query, sink, &seen);
    seen.erase(seen.begin(), seen.lower_bound({query.start_ms, std::string()}));
    const auto until = std::chrono::steady_clock::now() + interval;
    while (!stop.load() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace ld::deploy
