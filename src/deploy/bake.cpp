#include "deploy/bake.hpp"

#include "deploy/function_waits.hpp"
#include "deploy/smoke.hpp"

namespace ld::deploy {

using nlohmann::json;

namespace {

// The first of the stage's alarms in ALARM, as "name: reason"; "" when none is.
std::string alarm_firing(const Clients& clients, const Desired& desired) {
  if (desired.alarms.empty()) return "";
  json names = json::array();
  for (const auto& alarm : desired.alarms) names.push_back(alarm["AlarmName"]);
  const json found = clients.cloudwatch.describe_all_alarms({{"AlarmNames", names}});
  for (const auto& alarm : found.value("MetricAlarms", json::array())) {
    if (alarm.value("StateValue", "") == "ALARM")
      return "alarm " + alarm.value("AlarmName", "") +
             " is in ALARM: " + alarm.value("StateReason", "(no reason given)");
  }
  return "";
}

// The first failing check, as "check: what it saw"; "" when all passed. The canary's version
// is checked directly; the URL, whose answers come from either version, with both releases.
std::string check_failing(const Clients& clients, Transport& transport, const Desired& desired,
                          const std::string& function_url, const std::string& canary_version,
                          const std::vector<std::string>& releases) {
  std::vector<CheckResult> checks = {check_invoke(clients.lambda, desired, canary_version)};
  const auto on_version = run_smoke_on_version(clients.lambda, desired, canary_version);
  checks.insert(checks.end(), on_version.begin(), on_version.end());
  if (!function_url.empty()) {
    const auto through_url = run_smoke(transport, function_url, desired, releases);
    checks.insert(checks.end(), through_url.begin(), through_url.end());
  }
  for (const auto& check : checks)
    if (!check.passed) return check.name + ": " + check.detail;
  return "";
}

}  // namespace

BakeVerdict bake(const Clients& clients, Transport& transport, const Desired& desired,
                 const std::string& function_url, const std::string& canary_version,
                 const BakeOptions& options, const std::function<void(const std::string&)>& note) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto end = start + options.duration;
  BakeVerdict verdict;
  while (true) {
    ++verdict.rounds;
    std::string reason = alarm_firing(clients, desired);
    if (reason.empty())
      reason = check_failing(clients, transport, desired, function_url, canary_version,
                             options.releases);
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start).count();
    if (!reason.empty()) {
      verdict.reason = reason;
      if (note)
        note("bake round " + std::to_string(verdict.rounds) + " at " + std::to_string(elapsed) +
             " s: " + reason);
      return verdict;
    }
    if (note)
      note("bake round " + std::to_string(verdict.rounds) + " at " + std::to_string(elapsed) +
           " s: alarms quiet, checks pass");
    const auto now = Clock::now();
    if (now >= end) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
    pause(std::min(options.interval, left), options.cancelled);
  }
  verdict.passed = true;
  return verdict;
}

}  // namespace ld::deploy
