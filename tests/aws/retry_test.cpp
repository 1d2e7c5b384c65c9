// The standard retry mode: classification, back-off with full jitter, Retry-After, retry quota.
#include "aws/retry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ld::aws {
namespace {

using namespace std::chrono_literals;

struct CodeCase {
  std::string code;
  int status;
  FailureKind expected;
};

TEST(Classify, ServiceErrorCodesAndStatuses) {
  const std::vector<CodeCase> cases = {
      // Throttling, whatever the status.
      {"Throttling", 400, FailureKind::Throttling},
      {"ThrottlingException", 400, FailureKind::Throttling},
      {"ThrottledException", 400, FailureKind::Throttling},
      {"RequestThrottledException", 400, FailureKind::Throttling},
      {"TooManyRequestsException", 429, FailureKind::Throttling},
      {"TooManyRequestsException", 400, FailureKind::Throttling},
      {"ProvisionedThroughputExceededException", 400, FailureKind::Throttling},
      {"TransactionInProgressException", 400, FailureKind::Throttling},
      {"RequestLimitExceeded", 503, FailureKind::Throttling},
      {"BandwidthLimitExceeded", 509, FailureKind::Throttling},
      {"LimitExceededException", 400, FailureKind::Throttling},
      {"RequestThrottled", 403, FailureKind::Throttling},
      {"SlowDown", 503, FailureKind::Throttling},
      {"PriorRequestNotComplete", 400, FailureKind::Throttling},
      {"EC2ThrottledException", 503, FailureKind::Throttling},
      {"", 429, FailureKind::Throttling},
      {"SomethingElse", 429, FailureKind::Throttling},
      // Transient codes and statuses.
      {"RequestTimeout", 400, FailureKind::Transient},
      {"RequestTimeoutException", 408, FailureKind::Transient},
      {"InternalError", 500, FailureKind::Transient},
      {"InternalError", 400, FailureKind::Transient},
      {"IDPCommunicationError", 400, FailureKind::Transient},
      {"ServiceException", 500, FailureKind::Transient},
      {"", 500, FailureKind::Transient},
      {"", 502, FailureKind::Transient},
      {"ServiceUnavailable", 503, FailureKind::Transient},
      {"", 504, FailureKind::Transient},
      // Lambda's "an update is in progress".
      {"ResourceConflictException", 409, FailureKind::Transient},
      // Clock skew.
      {"RequestTimeTooSkewed", 403, FailureKind::ClockSkew},
      {"RequestExpired", 400, FailureKind::ClockSkew},
      {"InvalidSignatureException", 403, FailureKind::ClockSkew},
      {"SignatureDoesNotMatch", 403, FailureKind::ClockSkew},
      {"AuthFailure", 401, FailureKind::ClockSkew},
      {"RequestInTheFuture", 403, FailureKind::ClockSkew},
      // Everything else.
      {"ValidationException", 400, FailureKind::NotRetryable},
      {"InvalidParameterValueException", 400, FailureKind::NotRetryable},
      {"ResourceNotFoundException", 404, FailureKind::NotRetryable},
      {"AccessDeniedException", 403, FailureKind::NotRetryable},
      {"UnrecognizedClientException", 403, FailureKind::NotRetryable},
      {"NoSuchBucket", 404, FailureKind::NotRetryable},
      {"", 400, FailureKind::NotRetryable},
      {"", 501, FailureKind::NotRetryable},
      {"", 505, FailureKind::NotRetryable},
      {"", 509, FailureKind::NotRetryable},
      {"throttling", 400, FailureKind::NotRetryable},  // codes are case-sensitive
  };
  for (const auto& c : cases) {
    EXPECT_EQ(classify(AwsError(c.code, "m", c.status)), c.expected)
        << "code '" << c.code << "' status " << c.status;
  }
}

TEST(Classify, ResourceConflictThatAlreadyExistsIsNotRetried) {
  EXPECT_EQ(classify(AwsError("ResourceConflictException",
                              "The operation cannot be performed at this time. An update is in "
                              "progress for resource: arn:aws:lambda:us-east-1:1:function:f",
                              409)),
            FailureKind::Transient);
  EXPECT_EQ(classify(AwsError("ResourceConflictException", "Function already exist: f", 409)),
            FailureKind::NotRetryable);
  EXPECT_EQ(classify(AwsError("ResourceConflictException",
                              "The statement id (url) provided already exists.", 409)),
            FailureKind::NotRetryable);
}

TEST(Classify, TransportErrors) {
  using K = TransportError::Kind;
  EXPECT_EQ(classify(TransportError(K::Connect, "x")), FailureKind::Transient);
  EXPECT_EQ(classify(TransportError(K::Timeout, "x")), FailureKind::Transient);
  EXPECT_EQ(classify(TransportError(K::Reset, "x")), FailureKind::Transient);
  EXPECT_EQ(classify(TransportError(K::Dns, "x")), FailureKind::NotRetryable);
  EXPECT_EQ(classify(TransportError(K::Tls, "x")), FailureKind::NotRetryable);
  EXPECT_EQ(classify(TransportError(K::Io, "x")), FailureKind::NotRetryable);
  EXPECT_EQ(classify(TransportError(K::Other, "x")), FailureKind::NotRetryable);
}

RetryPolicy policy(std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  RetryPolicy p;
  p.max_attempts = 10;
  p.base_delay = base;
  p.max_backoff = cap;
  return p;
}

TEST(Backoff, FullJitterStaysUnderTheGrowingCeilingAndSpreadsOverIt) {
  RetryState state(policy(100ms, 20000ms), 7);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    long long ceiling = 100LL << (attempt - 1);  // 100, 200, 400, 800, 1600 ms
    long long low = ceiling, high = 0, sum = 0;
    int quarters[4] = {0, 0, 0, 0};
    constexpr int kSamples = 4000;
    for (int i = 0; i < kSamples; ++i) {
      long long d = state.backoff(attempt).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling) << "attempt " << attempt;
      low = std::min(low, d);
      high = std::max(high, d);
      sum += d;
      ++quarters[std::min<long long>(3, d * 4 / (ceiling + 1))];
    }
    // Spread over the range: reaches both ends and fills each quarter about equally.
    EXPECT_LT(low, ceiling / 20) << "attempt " << attempt;
    EXPECT_GT(high, ceiling - ceiling / 20) << "attempt " << attempt;
    double mean = static_cast<double>(sum) / kSamples;
    EXPECT_NEAR(mean, ceiling / 2.0, ceiling * 0.05) << "attempt " << attempt;
    for (int q : quarters) EXPECT_GT(q, kSamples / 4 * 8 / 10) << "attempt " << attempt;
  }
}

TEST(Backoff, NeverAboveTheCap) {
  RetryState state(policy(100ms, 500ms), 11);
  long long high = 0;
  for (int attempt = 1; attempt <= 40; ++attempt) {
    for (int i = 0; i < 200; ++i) {
      long long d = state.backoff(attempt).count();
      ASSERT_LE(d, 500) << "attempt " << attempt;
      high = std::max(high, d);
    }
  }
  EXPECT_GT(high, 450);  // the cap is reached, not undershot
}

TEST(Backoff, RetryAfterIsAFloorCappedAtMaxBackoff) {
  RetryState state(policy(10ms, 20000ms), 3);
  for (int i = 0; i < 200; ++i) {
    auto d = state.backoff(1, 2);
    EXPECT_EQ(d, 2000ms);  // jitter of at most 10 ms never beats 2 s
  }
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(state.backoff(1, 3600), 20000ms);  // an hour is capped
  }
  for (int i = 0; i < 200; ++i) {
    auto d = state.backoff(1, 0);
    EXPECT_GE(d, 0ms);
    EXPECT_LE(d, 10ms);
  }
  RetryState big(policy(1000ms, 20000ms), 5);
  bool above = false;
  for (int i = 0; i < 200; ++i) {
    auto d = big.backoff(4, 1);  // ceiling 8 s, floor 1 s
    EXPECT_GE(d, 1000ms);
    EXPECT_LE(d, 8000ms);
    above = above || d > 1000ms;
  }
  EXPECT_TRUE(above);  // a longer jitter wins over a short Retry-After
}

TEST(Backoff, SameSeedSameDelays) {
  RetryState a(policy(100ms, 20000ms), 99), b(policy(100ms, 20000ms), 99);
  for (int i = 1; i < 8; ++i) EXPECT_EQ(a.backoff(i), b.backoff(i));
}

TEST(Quota, AcquireRespectsAttemptsAndKinds) {
  RetryPolicy p;
  p.max_attempts = 3;
  RetryState state(p, 1);
  EXPECT_TRUE(state.acquire(FailureKind::Throttling, 1));
  EXPECT_TRUE(state.acquire(FailureKind::Transient, 2));
  EXPECT_FALSE(state.acquire(FailureKind::Transient, 3));  // the last attempt failed
  EXPECT_FALSE(state.acquire(FailureKind::NotRetryable, 1));
  EXPECT_FALSE(state.acquire(FailureKind::None, 1));
  EXPECT_EQ(state.available_tokens(), 500 - 5 - 5);
}

TEST(Quota, ExhaustionStopsRetriesUntilSuccessRefills) {
  RetryPolicy p;
  p.max_attempts = 5;
  RetryState state(p, 1);
  int granted = 0;
  while (state.acquire(FailureKind::Transient, 1)) ++granted;
  EXPECT_EQ(granted, 100);  // 500 tokens at 5 each
  EXPECT_EQ(state.available_tokens(), 0);
  EXPECT_FALSE(state.acquire(FailureKind::Throttling, 1));

  state.on_success(false);  // a first-try success puts one token back
  EXPECT_EQ(state.available_tokens(), 1);
  EXPECT_FALSE(state.acquire(FailureKind::Transient, 1));
  state.on_success(true);  // a retried success returns the cost of its retry
  EXPECT_EQ(state.available_tokens(), 6);
  EXPECT_TRUE(state.acquire(FailureKind::Transient, 1));
  EXPECT_EQ(state.available_tokens(), 1);
}

TEST(Quota, TimeoutsCostMoreAndRefundsNeverOverfill) {
  RetryPolicy p;
  p.max_attempts = 5;
  p.quota_capacity = 25;
  RetryState state(p, 1);
  EXPECT_TRUE(state.acquire(FailureKind::Transient, 1, /*timeout=*/true));
  EXPECT_EQ(state.available_tokens(), 15);
  EXPECT_TRUE(state.acquire(FailureKind::Transient, 1, true));
  EXPECT_FALSE(state.acquire(FailureKind::Transient, 1, true));  // 5 left, a timeout needs 10
  EXPECT_TRUE(state.acquire(FailureKind::Transient, 1, false));  // but a plain retry needs 5
  EXPECT_EQ(state.available_tokens(), 0);
  state.release(10);
  EXPECT_EQ(state.available_tokens(), 10);
  for (int i = 0; i < 100; ++i) state.on_success(false);
  EXPECT_EQ(state.available_tokens(), 25);  // capped at the capacity
}

}  // namespace
}  // namespace ld::aws
