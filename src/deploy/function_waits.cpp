#include "deploy/function_waits.hpp"

#include <algorithm>
#include <thread>

#include "aws/error.hpp"

namespace ld::deploy {

using nlohmann::json;

void pause(std::chrono::milliseconds delay, const std::atomic<bool>* cancelled) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (cancelled != nullptr && cancelled->load()) throw Cancelled("cancelled");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(20)));
  }
}

json wait_until_settled(const aws::LambdaClient& lambda, const std::string& function,
                        const std::string& qualifier, const WaitPolicy& policy,
                        Progress& progress) {
  const auto deadline = std::chrono::steady_clock::now() + policy.timeout;
  auto delay = policy.first_poll;
  const std::string shown = qualifier.empty() ? function : function + ":" + qualifier;
  while (true) {
    if (policy.cancelled != nullptr && policy.cancelled->load()) throw Cancelled("cancelled");
    json configuration = lambda.get_function_configuration(function, qualifier);
    const std::string state = configuration.value("State", "Active");
    const std::string update = configuration.value("LastUpdateStatus", "Successful");
    if (state == "Failed") {
      throw Error("function " + shown +
                  " is in state Failed: " + configuration.value("StateReasonCode", "") + ": " +
                  configuration.value("StateReason", "(no reason given)"));
    }
    if (update == "Failed") {
      throw Error("the last update of " + shown +
                  " failed: " + configuration.value("LastUpdateStatusReasonCode", "") + ": " +
                  configuration.value("LastUpdateStatusReason", "(no reason given)"));
    }
    if (state == "Active" && update == "Successful") return configuration;
    // NOLINTBEGIN(performance-inefficient-string-concatenation): a message thrown once, or
    // shown once per poll between sleeps; += would only obscure it
    if (std::chrono::steady_clock::now() >= deadline) {
      throw Error("function " + shown + " did not settle within " +
                  std::to_string(policy.timeout.count() / 1000) + " s (State " + state +
                  ", LastUpdateStatus " + update + ")");
    }
    progress.waiting(shown + ": State " + state + ", LastUpdateStatus " + update);
    // NOLINTEND(performance-inefficient-string-concatenation)
    pause(delay, policy.cancelled);
    delay = std::min(policy.max_poll, delay * 3 / 2);
  }
}

json retry_on_conflict(const std::function<json()>& call, const aws::LambdaClient& lambda,
                       const std::string& function, const WaitPolicy& policy, Progress& progress,
                       int attempts) {
  auto delay = std::chrono::milliseconds(200);
  for (int attempt = 1;; ++attempt) {
    try {
      return call();
    } catch (const aws::AwsError& error) {
      if (error.code() != "ResourceConflictException" || attempt >= attempts) throw;
      progress.retrying(error.operation(), attempt + 1, error.code() + ": " + error.message());
      wait_until_settled(lambda, function, "", policy, progress);
      pause(delay, policy.cancelled);
      delay = std::min(std::chrono::milliseconds(5000), delay * 2);
    }
  }
}

}  // namespace ld::deploy
