#pragma once
// Runs a plan's actions in order against AWS: waits before and after every change to the
// function, retries what Lambda refuses while an update runs, checks a new version by invoking
// it before alias LIVE moves to it, and reports each action through Progress.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deploy/clients.hpp"
#include "deploy/desired.hpp"
#include "deploy/function_waits.hpp"
#include "deploy/observed.hpp"
#include "deploy/plan.hpp"
#include "deploy/progress.hpp"
#include "deploy/smoke.hpp"

namespace ld::deploy {

struct ApplyOptions {
  WaitPolicy wait;
  // Who deploys (STS's Arn) and when: recorded in LIVE's description (LiveRecord) with the
  // version it served before.
  std::string caller;
  std::string now_iso8601;
  // Called after action N (1-based) has finished: the fault-injection seam (tests stop the
  // process here to prove that an interrupted deploy leaves LIVE where it was).
  std::function<void(std::size_t)> after_action;
  // How long CreateFunction is retried while a new role cannot yet be assumed by Lambda (IAM
  // is eventually consistent; AWS answers InvalidParameterValueException meanwhile).
  std::chrono::milliseconds role_propagation{std::chrono::seconds(90)};
};

// One action's outcome.
struct ActionOutcome {
  std::string detail;
  std::chrono::milliseconds took{0};
};

// What the stage is after the plan ran.
struct ApplyResult {
  std::vector<ActionOutcome> outcomes;  // one per action, in order
  std::string live_version;             // what LIVE serves (its primary version)
  std::string canary_version;           // the version a canary routes a share to ("" = none)
  std::string published_version;        // "" when none was published
  std::string function_url;             // "" when the stage has none
  std::vector<CheckResult> checks;      // the invoke checks made
};

// A deploy step that failed: which action, and the cause (AWS's code and message, or ours).
class ApplyError : public Error {
 public:
  ApplyError(std::size_t index, const Action& action, const std::string& cause,
             std::string aws_code = {});
  std::size_t index() const { return index_; }  // 0-based
  const std::string& action() const { return action_; }
  const std::string& aws_code() const { return aws_code_; }
  const std::string& cause() const { return cause_; }

 private:
  std::size_t index_;
  std::string cause_;
  std::string action_;
  std::string aws_code_;
};

// Runs `plan`. Throws ApplyError naming the action that failed (everything before it stays
// done; LIVE has not moved unless the failing action came after its move), or Cancelled.
ApplyResult apply(const Plan& plan, const Desired& desired, const Observed& observed,
                  const Clients& clients, const ApplyOptions& options, Progress& progress);

}  // namespace ld::deploy
