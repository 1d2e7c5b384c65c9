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
  void append_all(std::vector<LogBatch> batches) override {
    {
      std::lock_guard lock(mu_);
      ++append_alls;
    }
    LogSink::append_all(std::move(batches));
  }
  void put(std::vector<MetricDatum> data) override {
    std::lock_guard lock(mu_);
    ++puts;
    datums += data.size();
    for (auto& d : data) received.push_back(std::move(d));
  }
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> lines;
  int appends = 0;
  int append_alls = 0;
  int puts = 0;
  std::vector<MetricDatum> received;
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
          buffer.put({MetricDatum{"AWS/Lambda",
                                  "Invocations",
                                  {{"FunctionName", "f"}},
                                  1.0,
                                  "Count",
                                  1000 + i * 100,
                                  std::nullopt}});
        }
      });
    }
    for (auto& w : writers) w.join();
    buffer.flush();
    // The four writers' data for each 10 ms merge into one statistic set per timestamp.
    EXPECT_EQ(recorder->datums, 250u);
    for (const auto& d : recorder->received) {
      ASSERT_TRUE(d.statistics);
      EXPECT_EQ(d.statistics->sample_count, 4.0);
      EXPECT_EQ(d.statistics->sum, 4.0);
    }
    EXPECT_EQ(recorder->append_alls, 1);  // every stream in one hand-over
    EXPECT_EQ(recorder->appends, 4);      // (which the default splits per stream)
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

TEST(TelemetryBuffer, MergesDataIntoStatisticSetsPerMetricAndInterval) {
  auto recorder = std::make_shared<Recorder>();
  TelemetryBuffer buffer(recorder, recorder, std::chrono::milliseconds(1000));
  const std::vector<std::pair<std::string, std::string>> f = {{"FunctionName", "f"}};
  const std::vector<std::pair<std::string, std::string>> g = {{"FunctionName", "g"}};
  buffer.put({MetricDatum{"AWS/Lambda", "Duration", f, 2.0, "Milliseconds", 5000, std::nullopt},
              MetricDatum{"AWS/Lambda", "Duration", f, 7.0, "Milliseconds", 5004, std::nullopt},
              MetricDatum{"AWS/Lambda", "Duration", f, 3.0, "Milliseconds", 5009, std::nullopt},
              MetricDatum{"AWS/Lambda", "Duration", f, 9.0, "Milliseconds", 5010,
                          std::nullopt},  // next 10 ms
              MetricDatum{"AWS/Lambda", "Duration", g, 1.0, "Milliseconds", 5001,
                          std::nullopt},  // other dims
              MetricDatum{"AWS/Lambda", "Errors", f, 1.0, "Count", 5002, std::nullopt}});
  buffer.flush();
  ASSERT_EQ(recorder->received.size(), 4u);
  const MetricDatum* first = nullptr;
  for (const auto& d : recorder->received)
    if (d.name == "Duration" && d.dimensions == f && d.timestamp_ms == 5000) first = &d;
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->statistics);
  EXPECT_EQ(first->statistics->sample_count, 3.0);
  EXPECT_EQ(first->statistics->sum, 12.0);
  EXPECT_EQ(first->statistics->minimum, 2.0);
  EXPECT_EQ(first->statistics->maximum, 7.0);
  EXPECT_EQ(first->unit, "Milliseconds");
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
