#pragma once
// The bytes a function streams (Lambda-Runtime-Function-Response-Mode: streaming) on their way
// from its instance's Runtime API to the caller of InvokeWithResponseStream. Bounded: past its
// buffer a write waits for the reader, so a slow caller holds the function back, not memory.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace ld::local {

// A one-writer, one-reader queue of byte chunks. Thread-safe.
class PayloadStream {
 public:
  explicit PayloadStream(std::size_t buffer_limit = std::size_t{1} << 20)
      : buffer_limit_(buffer_limit) {}

  // Queues bytes, waiting while the buffer is full (until `deadline`). False when the stream is
  // closed or the wait ran out; true when queued, or dropped because the reader has gone (the
  // function runs on, as on AWS when a caller disconnects).
  bool write(std::string_view bytes, std::chrono::steady_clock::time_point deadline);
  // No more bytes: the invocation is over. Wakes a waiting writer and the reader.
  void close();
  // The reader has gone: queued and later bytes are dropped.
  void abandon();

  // Waits until there are bytes to read or the stream is closed; true when bytes came first.
  bool wait_started();
  // The next chunk, waiting for one; nullopt once closed and drained.
  std::optional<std::string> read();

 private:
  const std::size_t buffer_limit_;
  std::mutex m_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0;
  bool closed_ = false;
  bool abandoned_ = false;
};

}  // namespace ld::local
