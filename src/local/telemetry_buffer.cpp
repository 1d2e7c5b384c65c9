#include "local/telemetry_buffer.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <tuple>

namespace ld::local {

namespace {

constexpr std::int64_t kMetricResolutionMs = 10;

// Data of the same metric, dimensions and unit within kMetricResolutionMs merged into one
// statistic set (a burst of invocations is then a handful of rows, not one per datum).
std::vector<MetricDatum> aggregated(std::vector<MetricDatum> data) {
  using Key = std::tuple<std::string, std::string, std::vector<std::pair<std::string, std::string>>,
                         std::string, std::int64_t>;
  std::map<Key, MetricDatum> merged;
  for (auto& d : data) {
    const std::int64_t bucket = d.timestamp_ms - d.timestamp_ms % kMetricResolutionMs;
    MetricStatistics stats =
        d.statistics ? *d.statistics : MetricStatistics{1, d.value, d.value, d.value};
    Key key{d.metric_namespace, d.name, d.dimensions, d.unit, bucket};
    auto [it, inserted] = merged.try_emplace(std::move(key));
    MetricDatum& into = it->second;
    if (inserted) {
      into = std::move(d);
      into.timestamp_ms = bucket;
      into.statistics = stats;
      continue;
    }
    MetricStatistics& total = *into.statistics;
    total.sample_count += stats.sample_count;
    total.sum += stats.sum;
    total.minimum = std::min(total.minimum, stats.minimum);
    total.maximum = std::max(total.maximum, stats.maximum);
  }
  std::vector<MetricDatum> out;
  out.reserve(merged.size());
  for (auto& [key, d] : merged) out.push_back(std::move(d));
  return out;
}

}  // namespace

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
    if (logs_ && !lines.empty()) {
      std::vector<LogBatch> batches;
      batches.reserve(lines.size());
      for (auto& [where, events] : lines)
        batches.push_back(LogBatch{where.first, where.second, std::move(events)});
      logs_->append_all(std::move(batches));
    }
    if (metrics_ && !data.empty()) metrics_->put(aggregated(std::move(data)));
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
