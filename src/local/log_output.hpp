#pragma once
// An instance's stdout and stderr as log events, bounded as CloudWatch Logs bounds events and so
// that a function printing without end cannot fill the data dir: one event per line, a line
// longer than kMaxLogEventBytes cut into several; beyond a byte budget per instance (a token
// bucket: a burst, then so many bytes a second) output is dropped, and one line says how much
// once output is kept again, pauses or ends.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ld::local {

// CloudWatch Logs' largest event, 262,144 bytes, less the 26 bytes it counts for each event on
// top of its message: the longest message (its newline included) one event gets.
inline constexpr std::size_t kLogEventOverheadBytes = 26;
inline constexpr std::size_t kMaxLogEventBytes = 262'144 - kLogEventOverheadBytes;

// The output budget of one instance, in bytes of the data dir: each event costs its message
// plus `event_cost_bytes`, about what storing one more takes (its row in state.db and two index
// entries, each naming the log group and stream): 30 s of `yes` (2-byte lines) would otherwise be
// millions of rows.
struct OutputLimits {
  std::size_t bytes_per_second = 1u << 20;  // sustained
  std::size_t burst_bytes = 10u << 20;      // the bucket's size (full when the instance starts)
  std::size_t event_cost_bytes = 256;
};

// Cuts and budgets one instance's output. Not thread-safe: the instance's output thread owns it.
class LogOutput {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LogOutput(OutputLimits limits, Clock::time_point now = Clock::now());

  // Bytes read from `stream` (0: stdout, 1: stderr) at `now`: appends the events they complete
  // (each ending in a newline) to `events`.
  void feed(int stream, std::string_view bytes, Clock::time_point now,
            std::vector<std::string>& events);
  // `stream` ended (or the process did): its unfinished line, then the notice of what was
  // dropped and not yet reported.
  void finish(int stream, std::vector<std::string>& events);
  // When to call quiet() next (output was dropped and not reported yet), else nullopt.
  std::optional<Clock::time_point> notice_due() const;
  // No output since feed(): once kQuietBeforeNotice has passed, the notice of what was dropped
  // (the flood is over, or pausing).
  void quiet(Clock::time_point now, std::vector<std::string>& events);

  // How long output must pause before the notice of a drop is written.
  static constexpr std::chrono::milliseconds kQuietBeforeNotice{200};

  // Bytes dropped in all, reported or not.
  std::size_t dropped_bytes() const { return dropped_total_; }

 private:
  // Appends one event, charged to the budget.
  void emit(std::string message, std::vector<std::string>& events);
  // Emits the complete (or too long) lines of a stream's unfinished text.
  void split(int stream, std::vector<std::string>& events);
  // Appends the notice of what was dropped since the last one, if anything was.
  void report_dropped(std::vector<std::string>& events);

  OutputLimits limits_;
  double tokens_;
  Clock::time_point refilled_at_;  // also when output last came
  bool dropping_ = false;
  std::size_t dropped_ = 0;  // since the last notice
  std::size_t dropped_total_ = 0;
  std::string partial_[2];  // each stream's unfinished line
};

}  // namespace ld::local
