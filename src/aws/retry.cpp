#include "aws/retry.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "core/strings.hpp"

namespace ld::aws {
namespace {

// Error codes standard mode treats as throttling (botocore retries/standard.py, plus the codes
// of the legacy per-service policies in _retry.json that it folded in).
constexpr std::array<std::string_view, 14> kThrottlingCodes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

// Codes of failures that a later attempt may not meet. IDPCommunicationError is STS's "the
// identity provider did not answer", which botocore's standard mode retries too.
constexpr std::array<std::string_view, 5> kTransientCodes = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
    "InternalError",  "IDPCommunicationError",
};

// Codes an AWS front end answers when the request's time is off; only a retry with a corrected
// clock helps, and only when the clock really is off (the client checks the Date header).
constexpr std::array<std::string_view, 6> kClockSkewCodes = {
    "RequestTimeTooSkewed",  "RequestExpired", "InvalidSignatureException",
    "SignatureDoesNotMatch", "AuthFailure",    "RequestInTheFuture",
};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& codes, std::string_view code) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// Lambda answers 409 ResourceConflictException while an update of the function is in progress
// ("The operation cannot be performed at this time. An update is in progress for resource:
// ..."); the deployer relies on the client waiting that out, so it is retried as transient
// (standard mode itself does not know the code). The same code also means "this already
// exists" (CreateFunction on an existing function, AddPermission with a used statement id):
// waiting never fixes those, so they fail at once and the caller can handle them.
bool is_update_in_progress(const AwsError& error) {
  if (error.code() != "ResourceConflictException") return false;
  return to_lower(error.message()).find("already exist") == std::string::npos;
}

}  // namespace

FailureKind classify(const AwsError& error) {
  const std::string& code = error.code();
  int status = error.http_status();
  if (contains(kThrottlingCodes, code) || status == 429) return FailureKind::Throttling;
  if (contains(kClockSkewCodes, code)) return FailureKind::ClockSkew;
  if (contains(kTransientCodes, code) || is_update_in_progress(error)) {
    return FailureKind::Transient;
  }
  if (status == 500 || status == 502 || status == 503 || status == 504) {
    return FailureKind::Transient;
  }
  return FailureKind::NotRetryable;
}

FailureKind classify(const TransportError& error) {
  switch (error.kind()) {
    case TransportError::Kind::Connect:
    case TransportError::Kind::Timeout:
    case TransportError::Kind::Reset:
      return FailureKind::Transient;
    case TransportError::Kind::Dns:  // a name that does not resolve will not resolve later
    case TransportError::Kind::Tls:  // nor will a certificate become valid
    case TransportError::Kind::Io:
    case TransportError::Kind::Other:
      return FailureKind::NotRetryable;
  }
  return FailureKind::NotRetryable;
}

RetryState::RetryState(RetryPolicy policy, std::uint64_t seed)
    : policy_(policy), tokens_(policy.quota_capacity), rng_(seed) {}

bool RetryState::acquire(FailureKind kind, int attempt, bool timeout) {
  if (kind == FailureKind::None || kind == FailureKind::NotRetryable) return false;
  if (attempt >= policy_.max_attempts) return false;
  int cost = timeout ? policy_.timeout_retry_cost : policy_.retry_cost;
  std::lock_guard lock(mu_);
  if (tokens_ < cost) return false;
  tokens_ -= cost;
  return true;
}

void RetryState::on_success(bool was_retry) {
  release(was_retry ? policy_.retry_cost : 1);
}

void RetryState::release(int tokens) {
  std::lock_guard lock(mu_);
  tokens_ = std::min(policy_.quota_capacity, tokens_ + std::max(tokens, 0));
}

int RetryState::available_tokens() {
  std::lock_guard lock(mu_);
  return tokens_;
}

// Full jitter: a uniform pick in [0, min(max_backoff, base_delay * 2^(attempt-1))].
// A Retry-After the service sent is a floor for the wait, but it is capped at max_backoff too:
// a throttled deploy should not sleep for an hour because a front end said so; if the service
// still refuses, the next failure is retried under the same rules until attempts run out.
std::chrono::milliseconds RetryState::backoff(int attempt, int retry_after_seconds) {
  using std::chrono::milliseconds;
  long long cap = std::max<long long>(policy_.max_backoff.count(), 0);
  long long ceiling = std::max<long long>(policy_.base_delay.count(), 0);
  for (int i = 1; i < attempt && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  long long delay = 0;
  {
    std::lock_guard lock(mu_);
    std::uniform_int_distribution<long long> pick(0, ceiling);
    delay = pick(rng_);
  }
  if (retry_after_seconds >= 0) {
    long long floor = std::min(static_cast<long long>(retry_after_seconds) * 1000, cap);
    delay = std::max(delay, floor);
  }
  return milliseconds(delay);
}

}  // namespace ld::aws
