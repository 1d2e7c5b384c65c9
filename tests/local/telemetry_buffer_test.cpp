// Batched telemetry: lines reach the log sink in their order per stream, metric data all
// arrive, a flush hands over everything queued before it, and destruction loses nothing.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "local/telemetry_buffer.hpp"

namespace ld::local {
namespace {

// Records what the buffer hands over, and in how many calls.
class Recorder : public LogSink, public MetricSink {
 public:
  void append(const std::string& group, const std::string& stream,
              std::vector<LogEvent> events) override {
    std::lock_guard lock(mu_);
    ++appends;
    for (auto& e : events) lines[group + "|" + stream].push_back(e.message);
  }
  void put(std::vector<MetricDatum> data) override {
    std::lock_guard lock(mu_);
    ++puts;
    datums += data.size();
  }
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> lines;
  int appends = 0;
  int puts = 0;
  std::size_t datums = 0;
};

TEST(TelemetryBuffer, KeepsOrderPerStreamAndBatches) {
  auto recorder = std::make_shared<Recorder>();
  {
    TelemetryBuffer buffer(recorder, recorder, std::chrono::milliseconds(1000));
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&buffer, t] {
        for (int i = 0; i < 250; ++i) {
          buffer.append("/aws/lambda/f", "stream-" + std::to_string(t),
                        {{i, "line " + std::to_string(i)}});
          buffer.put({MetricDatum{}});
        }
      });
    }
    for (auto& w : writers) w.join();
    buffer.flush();
    EXPECT_EQ(recorder->datums, 1000u);
    EXPECT_EQ(recorder->appends, 4);  // one hand-over per stream, not one per line
    EXPECT_EQ(recorder->puts, 1);
    for (int t = 0; t < 4; ++t) {
      const auto& lines = recorder->lines["/aws/lambda/f|stream-" + std::to_string(t)];
      ASSERT_EQ(lines.size(), 250u);
      for (int i = 0; i < 250; ++i) EXPECT_EQ(lines[i], "line " + std::to_string(i));
    }
    buffer.append("/aws/lambda/f", "late", {{1, "queued at the end"}});
  }
  // Destruction flushed the last line.
  EXPECT_EQ(recorder->lines["/aws/lambda/f|late"].size(), 1u);
}

TEST(TelemetryBuffer, HandsOverOnItsOwnWithinTheInterval) {
  auto recorder = std::make_shared<Recorder>();
  TelemetryBuffer buffer(recorder, recorder, std::chrono::milliseconds(10));
  buffer.append("g", "s", {{1, "x"}});
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(recorder->mu_);
      if (!recorder->lines["g|s"].empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::lock_guard lock(recorder->mu_);
  EXPECT_EQ(recorder->lines["g|s"].size(), 1u);
}

}  // namespace
}  // namespace ld::local
