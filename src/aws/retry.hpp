#pragma once
// The AWS SDKs' "standard" retry mode: which failures are retried, how long to wait, and the
// retry quota that stops a failing service from being hammered.
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <random>

#include "aws/error.hpp"

namespace ld::aws {

struct RetryPolicy {
  int max_attempts = 3;                          // AWS_MAX_ATTEMPTS / max_attempts
  std::chrono::milliseconds base_delay{1000};    // back-off = rand(0, base * 2^(attempt-1))
  std::chrono::milliseconds max_backoff{20000};  // cap of one back-off
  int quota_capacity = 500;                      // retry tokens (standard mode)
  int retry_cost = 5;
  int timeout_retry_cost = 10;
};

enum class FailureKind { None, Throttling, Transient, ClockSkew, NotRetryable };

// Classifies a service error (code + status) or a transport error the way standard mode does.
FailureKind classify(const AwsError& error);
FailureKind classify(const TransportError& error);

// Per-client retry state: the token bucket and the random source for jitter. Thread-safe.
class RetryState {
 public:
  explicit RetryState(RetryPolicy policy, std::uint64_t seed = std::random_device{}());
  const RetryPolicy& policy() const { return policy_; }

  // Whether attempt number `attempt` (1-based, the one that just failed) may be retried; takes
  // tokens from the quota when it may (timeout_retry_cost when `timeout`, else retry_cost).
  bool acquire(FailureKind kind, int attempt, bool timeout = false);
  // Called on success: returns the tokens a retried request took, or one token.
  void on_success(bool was_retry);
  // Called on success after a retry: gives back exactly what the last acquire() took.
  void release(int tokens);
  // Tokens left in the retry quota.
  int available_tokens();
  // Delay before the next attempt: full jitter, capped; Retry-After (seconds) wins when longer.
  std::chrono::milliseconds backoff(int attempt, int retry_after_seconds = -1);

 private:
  RetryPolicy policy_;
  std::mutex mu_;
  int tokens_;
  std::mt19937_64 rng_;
};

}  // namespace ld::aws
