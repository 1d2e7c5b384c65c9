#pragma once
// The bake of a canary: for a while after LIVE routes a share to the new version, the stage's
// alarms are watched and its checks run again and again; the first alarm in ALARM or failing
// check ends it with the reason, else it passes when the time is up. The caller then promotes
// or rolls back.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/transport.hpp"
#include "deploy/clients.hpp"
#include "deploy/desired.hpp"

namespace ld::deploy {

struct BakeOptions {
  std::chrono::milliseconds duration{std::chrono::minutes(5)};
  std::chrono::milliseconds interval{std::chrono::seconds(10)};  // between two rounds
  const std::atomic<bool>* cancelled = nullptr;                  // set: throws Cancelled
  // The releases the URL may answer with (the primary's and the canary's), for `{version}`.
  std::vector<std::string> releases;
};

// How a bake ended.
struct BakeVerdict {
  bool passed = false;
  std::string reason;  // the alarm and its StateReason, or the failing check and what it saw
  int rounds = 0;
};

// Bakes `canary_version` of the stage `desired` describes: each round reads the stage's alarms
// (DescribeAlarms) and runs the direct invoke check on the canary version and the [[smoke]]
// checks through `function_url`. `note` hears one line per round.
BakeVerdict bake(const Clients& clients, Transport& transport, const Desired& desired,
                 const std::string& function_url, const std::string& canary_version,
                 const BakeOptions& options, const std::function<void(const std::string&)>& note);

}  // namespace ld::deploy
