#include "local/log_output.hpp"

#include <algorithm>
#include <utility>

namespace ld::local {

namespace {

// "10 MiB" for whole MiB, else "N bytes".
std::string amount(std::size_t bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// `end` moved back to the first byte of the UTF-8 character it falls inside, so that a cut line
// keeps its characters whole (at most 3 bytes back, never to `start`).
std::size_t character_boundary(const std::string& text, std::size_t start, std::size_t end) {
  for (int back = 0; back < 3 && end > start + 1; ++back) {
    if ((static_cast<unsigned char>(text[end]) & 0xC0) != 0x80) break;
    --end;
  }
  return end;
}

}  // namespace

LogOutput::LogOutput(OutputLimits limits, Clock::time_point now)
    : limits_(limits), tokens_(static_cast<double>(limits.burst_bytes)), refilled_at_(now) {}

void LogOutput::feed(int stream, std::string_view bytes, Clock::time_point now,
                     std::vector<std::string>& events) {
  const double seconds = std::chrono::duration<double>(now - refilled_at_).count();
  refilled_at_ = now;
  tokens_ =
      std::min(static_cast<double>(limits_.burst_bytes),
               tokens_ + std::max(0.0, seconds) * static_cast<double>(limits_.bytes_per_second));
  if (dropping_) {
    // Kept again once half the bucket has refilled: a steady flood gives one notice per half
    // bucket, not one per chunk.
    if (tokens_ < static_cast<double>(limits_.burst_bytes) / 2) {
      dropped_ += bytes.size();
      dropped_total_ += bytes.size();
      return;
    }
    dropping_ = false;
    report_dropped(events);
  } else if (tokens_ <= 0) {
    dropping_ = true;
    // The lines cut off by the drop end here.
    for (std::string& line : partial_)
      if (!line.empty()) emit(std::exchange(line, {}) + "\n", events);
    dropped_ += bytes.size();
    dropped_total_ += bytes.size();
    return;
  }
  partial_[stream].append(bytes);
  split(stream, events);
}

void LogOutput::finish(int stream, std::vector<std::string>& events) {
  if (!partial_[stream].empty()) emit(std::exchange(partial_[stream], {}) + "\n", events);
  report_dropped(events);
}

std::optional<LogOutput::Clock::time_point> LogOutput::notice_due() const {
  if (dropped_ == 0) return std::nullopt;
  return refilled_at_ + kQuietBeforeNotice;
}

void LogOutput::quiet(Clock::time_point now, std::vector<std::string>& events) {
  if (dropped_ != 0 && now >= refilled_at_ + kQuietBeforeNotice) report_dropped(events);
}

void LogOutput::emit(std::string message, std::vector<std::string>& events) {
  tokens_ -= static_cast<double>(message.size() + limits_.event_cost_bytes);
  events.push_back(std::move(message));
}

void LogOutput::split(int stream, std::vector<std::string>& events) {
  std::string& text = partial_[stream];
  constexpr std::size_t kMaxLine = kMaxLogEventBytes - 1;  // its newline makes the event full
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t newline = text.find('\n', start);
    const std::size_t line_end = newline == std::string::npos ? text.size() : newline;
    if (line_end - start > kMaxLine) {
      const std::size_t cut = character_boundary(text, start, start + kMaxLine);
      emit(text.substr(start, cut - start) + "\n", events);
      start = cut;
    } else if (newline != std::string::npos) {
      emit(text.substr(start, newline + 1 - start), events);
      start = newline + 1;
    } else {
      break;
    }
  }
  text.erase(0, start);
}

void LogOutput::report_dropped(std::vector<std::string>& events) {
  if (dropped_ == 0) return;
  // Not charged: it is the endpoint's line, and one per half bucket at most.
  events.push_back("lambdeploy: output dropped: " + std::to_string(dropped_) +
                   " bytes over the limit (" + amount(limits_.bytes_per_second) +
                   "/s after a burst of " + amount(limits_.burst_bytes) + ")\n");
  dropped_ = 0;
}

}  // namespace ld::local
