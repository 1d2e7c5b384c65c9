#include "local/telemetry_buffer.hpp"

#include <cstdio>
#include <exception>

namespace ld::local {

TelemetryBuffer::TelemetryBuffer(std::shared_ptr<LogSink> logs, std::shared_ptr<MetricSink> metrics,
                                 std::chrono::milliseconds interval)
    : logs_(std::move(logs)), metrics_(std::move(metrics)), interval_(interval) {
  thread_ = std::thread([this] { run(); });
}

TelemetryBuffer::~TelemetryBuffer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  flush();
}

void TelemetryBuffer::append(const std::string& group, const std::string& stream,
                             std::vector<LogEvent> events) {
  std::lock_guard lock(mu_);
  auto& queued = lines_[{group, stream}];
  if (queued.empty()) {
    queued = std::move(events);
  } else {
    queued.insert(queued.end(), std::make_move_iterator(events.begin()),
                  std::make_move_iterator(events.end()));
  }
}

void TelemetryBuffer::put(std::vector<MetricDatum> data) {
  std::lock_guard lock(mu_);
  data_.insert(data_.end(), std::make_move_iterator(data.begin()),
               std::make_move_iterator(data.end()));
}

void TelemetryBuffer::flush() {
  std::lock_guard order(flushing_);
  std::map<std::pair<std::string, std::string>, std::vector<LogEvent>> lines;
  std::vector<MetricDatum> data;
  {
    std::lock_guard lock(mu_);
    lines.swap(lines_);
    data.swap(data_);
  }
  // A failing sink must not stop the others, nor the thread: say it and go on.
  try {
    if (logs_) {
      for (auto& [where, events] : lines)
        logs_->append(where.first, where.second, std::move(events));
    }
    if (metrics_ && !data.empty()) metrics_->put(std::move(data));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy local: could not store logs or metrics: %s\n", e.what());
  }
}

void TelemetryBuffer::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace ld::local
