#pragma once
// Waiting for a Lambda function to settle, as every mutation must (lambroll's rule): State
// Active and LastUpdateStatus Successful, a Failed state reported with Lambda's reason; and
// retrying a call that Lambda refuses while an update is in progress.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/services/lambda.hpp"
#include "deploy/progress.hpp"

namespace ld::deploy {

// How long and how often to wait, and what stops a wait early.
struct WaitPolicy {
  std::chrono::milliseconds first_poll{50};
  std::chrono::milliseconds max_poll{2000};
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};
  const std::atomic<bool>* cancelled = nullptr;
};

// The deploy was cancelled (Ctrl-C) between two calls.
class Cancelled : public Error {
 public:
  using Error::Error;
};

// Polls GetFunctionConfiguration (of `qualifier`, "" = $LATEST) until State is Active and
// LastUpdateStatus Successful; returns that configuration. Throws ld::Error with Lambda's
// StateReason / LastUpdateStatusReason (and their codes) when either is Failed, on timeout,
// and Cancelled when the flag is set.
nlohmann::json wait_until_settled(const aws::LambdaClient& lambda, const std::string& function,
                                  const std::string& qualifier, const WaitPolicy& policy,
                                  Progress& progress);

// Sleeps `delay`, in small steps so a cancellation ends it at once (throws Cancelled).
void pause(std::chrono::milliseconds delay, const std::atomic<bool>* cancelled);

// Runs `call`; when Lambda answers ResourceConflictException (an update in progress), waits
// for the function to settle and tries again, up to `attempts` times with growing pauses.
nlohmann::json retry_on_conflict(const std::function<nlohmann::json()>& call,
                                 const aws::LambdaClient& lambda, const std::string& function,
                                 const WaitPolicy& policy, Progress& progress, int attempts = 8);

}  // namespace ld::deploy
