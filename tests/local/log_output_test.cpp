// An instance's output as log events: lines, lines cut at CloudWatch Logs' event size, and the
// per-instance budget with its one notice per drop.
#include "local/log_output.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <numeric>
#include <string>
#include <vector>

namespace ld::local {
namespace {

using namespace std::chrono_literals;
using Clock = LogOutput::Clock;

// The bytes of all events together.
std::size_t total_size(const std::vector<std::string>& events) {
  return std::accumulate(events.begin(), events.end(), std::size_t{0},
                         [](std::size_t n, const std::string& e) { return n + e.size(); });
}

TEST(LogOutputTest, OneEventPerLineWithTheStreamsKeptApart) {
  const auto t0 = Clock::now();
  LogOutput output({}, t0);
  std::vector<std::string> events;
  output.feed(0, "first li", t0, events);
  output.feed(1, "an error\nand half", t0, events);
  output.feed(0, "ne\nsecond line\nthird", t0, events);
  EXPECT_EQ(events, (std::vector<std::string>{"an error\n", "first line\n", "second line\n"}));
  events.clear();
  output.finish(0, events);
  output.finish(1, events);
  EXPECT_EQ(events, (std::vector<std::string>{"third\n", "and half\n"}));
}

TEST(LogOutputTest, LinesLongerThanAnEventAreCut) {
  const auto t0 = Clock::now();
  LogOutput output({}, t0);
  std::vector<std::string> events;
  // 600,000 bytes and a newline: 262,118 + 262,118 + the rest.
  output.feed(0, std::string(600'000, 'a') + "\n", t0, events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].size(), kMaxLogEventBytes);
  EXPECT_EQ(events[0].back(), '\n');
  EXPECT_EQ(events[1].size(), kMaxLogEventBytes);
  EXPECT_EQ(events[2].size(), 600'001u - 2 * (kMaxLogEventBytes - 1));
  // A line of exactly the event size is one event.
  events.clear();
  output.feed(0, std::string(kMaxLogEventBytes - 1, 'b') + "\n", t0, events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].size(), kMaxLogEventBytes);
  EXPECT_EQ(kMaxLogEventBytes + 26, 262'144u);
}

TEST(LogOutputTest, ACutNeverSplitsAUtf8Character) {
  const auto t0 = Clock::now();
  LogOutput output({}, t0);
  std::vector<std::string> events;
  // "é" (2 bytes) straddling the cut: it moves to the second event whole.
  std::string line(kMaxLogEventBytes - 2, 'a');
  line += "\xc3\xa9tail\n";
  output.feed(0, line, t0, events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].size(), kMaxLogEventBytes - 1);
  EXPECT_EQ(events[1], "\xc3\xa9tail\n");
}

TEST(LogOutputTest, OutputBeyondTheBudgetIsDroppedAndReportedOnce) {
  const auto t0 = Clock::now();
  OutputLimits limits;
  limits.burst_bytes = 1000;
  limits.bytes_per_second = 100;
  limits.event_cost_bytes = 26;
  LogOutput output(limits, t0);
  std::vector<std::string> events;
  const std::string line(73, 'x');  // 74 bytes with its newline, 100 with the event's cost
  for (int i = 0; i < 50; ++i) output.feed(0, line + "\n", t0, events);
  EXPECT_EQ(events.size(), 10u);  // the burst
  EXPECT_EQ(output.dropped_bytes(), 40u * 74);
  // Nothing said while the flood goes on...
  EXPECT_TRUE(output.notice_due());
  output.quiet(t0 + 100ms, events);
  EXPECT_EQ(events.size(), 10u);
  // ... and one line once it pauses.
  output.quiet(t0 + LogOutput::kQuietBeforeNotice, events);
  ASSERT_EQ(events.size(), 11u);
  EXPECT_EQ(events.back(),
            "lambdeploy: output dropped: 2960 bytes over the limit (100 bytes/s after a burst of "
            "1000 bytes)\n");
  EXPECT_FALSE(output.notice_due());
  // Still over: dropped until half the bucket has come back (5 s at 100 bytes/s).
  output.feed(0, line + "\n", t0 + 4s, events);
  EXPECT_EQ(events.size(), 11u);
  output.feed(0, line + "\n", t0 + 10s, events);
  ASSERT_EQ(events.size(), 13u);
  EXPECT_EQ(events[11],
            "lambdeploy: output dropped: 74 bytes over the limit (100 bytes/s after a burst of "
            "1000 bytes)\n");
  EXPECT_EQ(events[12], line + "\n");
}

TEST(LogOutputTest, EachEventCostsWhatStoringItTakes) {
  const auto t0 = Clock::now();
  OutputLimits limits;  // 10 MiB, then 1 MiB/s; 256 bytes an event on top of its message
  LogOutput output(limits, t0);
  std::vector<std::string> events;
  // `yes`: 2-byte lines. The burst keeps 10 MiB / 258 of them, not 10 MiB / 2.
  std::string flood;
  for (int i = 0; i < 32 * 1024; ++i) flood += "y\n";
  for (int i = 0; i < 1000 && !output.notice_due(); ++i) output.feed(0, flood, t0, events);
  EXPECT_GE(events.size(), (10u << 20) / 258);
  EXPECT_LT(events.size(), (10u << 20) / 258 + 32 * 1024);
}

TEST(LogOutputTest, ALineCutOffByTheDropEndsWhereTheDropStarts) {
  const auto t0 = Clock::now();
  OutputLimits limits;
  limits.burst_bytes = 100;
  limits.bytes_per_second = 1;
  LogOutput output(limits, t0);
  std::vector<std::string> events;
  output.feed(0, std::string(150, 'a') + "\nno newline yet", t0, events);
  output.feed(0, "more", t0, events);  // the budget is spent: dropped
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1], "no newline yet\n");
  output.finish(0, events);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].rfind("lambdeploy: output dropped: 4 bytes over the limit", 0), 0u);
  EXPECT_LT(total_size(events), 300u);
}

}  // namespace
}  // namespace ld::local
