#include "local/payload_stream.hpp"

namespace ld::local {

bool PayloadStream::write(std::string_view bytes, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(m_);
  // One chunk is always taken when nothing is queued, however large.
  while (!closed_ && !abandoned_ && buffered_ != 0 && buffered_ + bytes.size() > buffer_limit_) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) return false;
  }
  if (closed_) return false;
  if (abandoned_ || bytes.empty()) return true;
  chunks_.emplace_back(bytes);
  buffered_ += bytes.size();
  lock.unlock();
  cv_.notify_all();
  return true;
}

void PayloadStream::close() {
  {
    std::lock_guard lock(m_);
    closed_ = true;
  }
  cv_.notify_all();
}

void PayloadStream::abandon() {
  {
    std::lock_guard lock(m_);
    abandoned_ = true;
    chunks_.clear();
    buffered_ = 0;
  }
  cv_.notify_all();
}

bool PayloadStream::wait_started() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return !chunks_.empty() || closed_; });
  return !chunks_.empty();
}

std::optional<std::string> PayloadStream::read() {
  std::unique_lock lock(m_);
  cv_.wait(lock, [&] { return !chunks_.empty() || closed_; });
  if (chunks_.empty()) return std::nullopt;
  std::string chunk = std::move(chunks_.front());
  chunks_.pop_front();
  buffered_ -= chunk.size();
  lock.unlock();
  cv_.notify_all();
  return chunk;
}

}  // namespace ld::local
