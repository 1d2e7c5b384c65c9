// `lambdeploy deploy --stage S`: plan, then apply, then the smoke checks; a stage that is up to
// date gets no mutating call. --dry-run stops after the plan; --package deploys given bytes.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "aws/transport.hpp"
#include "commands.hpp"
#include "confirm.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "deploy/apply.hpp"
#include "deploy/bake.hpp"
#include "deploy/duration.hpp"
#include "deploy/prune.hpp"
#include "deploy/smoke.hpp"
#include "deploy/traffic.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct DeployOptions {
  std::string stage;
  std::string package;
  bool dry_run = false;
  bool yes = false;
  std::optional<int> canary;  // --canary P
  std::string bake;           // --bake D
  bool no_canary = false;     // --no-canary: a stage's canary setting is not used
};

// The canary's share and bake: --canary/--bake, else the stage's `canary`, unless --no-canary.
struct Canary {
  std::optional<int> percent;
  std::chrono::milliseconds bake{0};
};

Canary canary_of(Context& ctx, const DeployOptions& options) {
  Canary canary;
  canary.percent = canary_percent_for(ctx, options.stage, options.canary, options.no_canary);
  if (!canary.percent) return canary;
  const auto& stage_canary = ctx.stage(options.stage).canary;
  std::string bake = options.bake;
  if (!options.canary && stage_canary && bake.empty()) bake = stage_canary->bake;
  if (!bake.empty()) {
    const auto duration = deploy::parse_duration(bake);
    if (!duration) throw Error("--bake must be a duration like 90s, 5m or 1h, got " + bake);
    canary.bake = *duration;
  }
  return canary;
}

// LAMBDEPLOY_TEST_STOP_AFTER_STEP=N: the process kills itself (SIGKILL, as `kill -9` would)
// right after step N, so tests prove that an interrupted deploy leaves LIVE where it was.
std::function<void(std::size_t)> test_stop_hook() {
  const char* value = std::getenv("LAMBDEPLOY_TEST_STOP_AFTER_STEP");
  if (value == nullptr || *value == '\0') return {};
  const std::size_t stop = std::strtoul(value, nullptr, 10);
  return [stop](std::size_t done) {
    if (done == stop) ::kill(::getpid(), SIGKILL);
  };
}

std::string where_live_is(const deploy::Plan& plan) {
  return plan.live_before.empty()
             ? std::string(deploy::kLiveAlias) + " does not exist yet"
             : std::string(deploy::kLiveAlias) + " still serves version " + plan.live_before;
}

int deploy_stage(Context& ctx, const DeployOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (!options.bake.empty() && !options.canary && !ctx.stage(options.stage).canary)
    throw Error("--bake goes with a canary: add --canary PERCENT");
  const Canary canary = canary_of(ctx, options);
  const deploy::Prepared prepared = prepare_for(
      ctx, "deploy", options.stage,
      options.package.empty() ? std::nullopt : std::optional(options.package), canary.percent);
  Output& out = ctx.out();
  const deploy::Plan& plan = prepared.plan;
  out.plan(plan);
  out.doc()["up_to_date"] = plan.empty();
  if (plan.empty()) {
    const std::string url =
        prepared.observed.url ? prepared.observed.url->value("FunctionUrl", "") : "";
    out.doc()["live_version"] = plan.live_before;
    out.doc()["url"] = url;
    out.result("stage " + options.stage + " is up to date: " + std::string(deploy::kLiveAlias) +
               " serves version " + plan.live_before + (url.empty() ? "" : "  " + url));
    return kExitOk;
  }
  if (options.dry_run) {
    out.doc()["dry_run"] = true;
    out.result("dry run: nothing was changed");
    return kExitOk;
  }
  confirm_change(ctx, options.stage, options.yes, "deploy to it");

  deploy::ApplyOptions apply_options;
  apply_options.wait.cancelled = &ctx.cancelled;
  apply_options.caller = prepared.caller.value("Arn", "");
  apply_options.now_iso8601 = format_iso8601(system_now());
  apply_options.after_action = test_stop_hook();
  out.line("Applying");
  deploy::ApplyResult result;
  try {
    result = deploy::apply(plan, prepared.desired, prepared.observed, ctx.clients(options.stage),
                           apply_options, out);
  } catch (const deploy::Cancelled& e) {
    throw deploy::Cancelled(std::string(e.what()) + "; " + where_live_is(plan) +
                            "; `lambdeploy deploy --stage " + options.stage +
                            "` again finishes the job");
  } catch (const deploy::ApplyError& e) {
    out.problem("  " + out.fail_mark() + " " + std::to_string(e.index() + 1) + ". " +
                plan.actions[e.index()].summary);
    throw deploy::ApplyError(e.index(), plan.actions[e.index()],
                             e.cause() + "\n  " + where_live_is(plan) +
                                 " unless the step above moved it; fix the cause and run deploy "
                                 "again: done steps are skipped",
                             e.aws_code());
  }

  std::vector<deploy::CheckResult> checks = result.checks;
  auto transport = make_curl_transport();
  // During a canary the URL answers from either version: the canary's own version is checked
  // directly, and the URL accepts either release.
  std::vector<std::string> releases;
  if (!result.canary_version.empty()) {
    const auto& lambda = ctx.clients(options.stage).lambda;
    auto on_version = deploy::run_smoke_on_version(lambda, prepared.desired, result.canary_version);
    checks.insert(checks.end(), on_version.begin(), on_version.end());
    releases = {
        prepared.desired.version,
        deploy::release_of_version(lambda, prepared.desired.names.function, result.live_version)};
  }
  if (!result.function_url.empty()) {
    auto smoke = deploy::run_smoke(*transport, result.function_url, prepared.desired, releases);
    checks.insert(checks.end(), smoke.begin(), smoke.end());
  }
  out.line("Checks");
  out.checks(checks);
  bool passed = std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed; });
  out.doc()["live_version"] = result.live_version;
  out.doc()["published_version"] = result.published_version;
  out.doc()["url"] = result.function_url;
  const std::string was = plan.live_before.empty() ? "" : " (was " + plan.live_before + ")";
  std::string outcome;
  if (!result.canary_version.empty()) {
    const std::string share = std::to_string(*canary.percent) + "% of " +
                              std::string(deploy::kLiveAlias) + " → version " +
                              result.canary_version;
    out.doc()["canary"] = {{"version", result.canary_version}, {"percent", *canary.percent}};
    const deploy::TrafficCaller caller{apply_options.caller, format_iso8601(system_now())};
    const auto& clients = ctx.clients(options.stage);
    std::string verdict;
    if (!passed) {
      const auto failed =
          std::find_if(checks.begin(), checks.end(), [](const auto& c) { return !c.passed; });
      verdict = "the canary failed its checks (" + failed->name + ": " + failed->detail + ")";
    } else if (canary.bake.count() > 0) {
      out.line("Baking " + share + " for " + duration_text(canary.bake));
      deploy::BakeOptions bake_options;
      bake_options.duration = canary.bake;
      bake_options.interval = std::clamp(canary.bake / 10, std::chrono::milliseconds(1000),
                                         std::chrono::milliseconds(30000));
      bake_options.cancelled = &ctx.cancelled;
      bake_options.releases = releases;
      deploy::BakeVerdict baked;
      try {
        baked = deploy::bake(clients, *transport, prepared.desired, result.function_url,
                             result.canary_version, bake_options,
                             [&out](const std::string& line) { out.line("  " + line); });
      } catch (const deploy::Cancelled&) {
        throw deploy::Cancelled("the bake was interrupted; the canary stays as it is (" + share +
                                "): `lambdeploy promote --stage " + options.stage +
                                "` makes it LIVE, `lambdeploy rollback --stage " + options.stage +
                                "` drops it");
      }
      out.doc()["bake"] = {
          {"passed", baked.passed}, {"reason", baked.reason}, {"rounds", baked.rounds}};
      if (!baked.passed) verdict = baked.reason;
    }
    if (!verdict.empty()) {
      const auto change =
          deploy::rollback(clients.lambda, prepared.desired.names.function, std::nullopt, caller);
      out.doc()["rolled_back"] = true;
      out.doc()["live_version"] = change.after.version;
      out.problem("lambdeploy: error: " + verdict +
                  "; rolled back: " + deploy::describe(change.after));
      passed = false;
      outcome = "Rolled back the canary of stage " + options.stage;
    } else if (canary.bake.count() > 0) {
      const auto change = deploy::promote(clients.lambda, prepared.desired.names.function, caller);
      out.doc()["promoted"] = true;
      out.doc()["live_version"] = change.after.version;
      outcome = "Baked and promoted: stage " + options.stage + ", " + change.summary;
    } else {
      outcome = "Canary on stage " + options.stage + ": " + share +
                "; `lambdeploy promote --stage " + options.stage +
                "` makes it LIVE, `lambdeploy rollback --stage " + options.stage + "` drops it";
    }
  } else {
    outcome = std::string(passed ? "Deployed" : "Deployed, but checks failed:") + " stage " +
              options.stage + ", " + std::string(deploy::kLiveAlias) + " → version " +
              result.live_version + was;
  }
  if (passed && (result.canary_version.empty() || out.doc().value("promoted", false))) {
    const auto pruned =
        deploy::prune_versions(ctx.clients(options.stage).lambda, prepared.desired.names.function,
                               prepared.desired.keep_versions);
    out.doc()["pruned"] = pruned.deleted;
    if (!pruned.deleted.empty())
      out.line("  pruned versions " + join(pruned.deleted, ", ") + " (keep_versions " +
               std::to_string(prepared.desired.keep_versions) + ")");
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out.doc()["duration_ms"] = took.count();
  out.doc()["ok"] = passed;
  out.line(outcome + " in " + duration_text(took));
  if (!result.function_url.empty()) out.result(result.function_url);
  if (!passed) {
    if (result.canary_version.empty())
      out.problem("lambdeploy: error: smoke checks failed on stage " + options.stage + " (" +
                  std::string(deploy::kLiveAlias) + " serves version " + result.live_version +
                  "); the failing checks are listed above");
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_deploy_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<DeployOptions>();
  auto* command =
      app.add_subcommand("deploy", "make the stage serve this package (plan, apply, check)");
  command->add_option("--stage,-s", options->stage, "the stage (dev, qa, prod, ...)")->required();
  command->add_option("--package", options->package,
                      "deploy this zip as it is (no build); its -deps.zip beside it");
  command->add_flag("--dry-run", options->dry_run, "show the plan and stop");
  command->add_flag("--yes,-y", options->yes, "no question on a protected stage");
  command
      ->add_option("--canary", options->canary,
                   "route PERCENT of LIVE to the new version; LIVE's version keeps the rest")
      ->check(CLI::Range(1, 99));
  command->add_option("--bake", options->bake,
                      "with --canary: watch alarms and checks this long (90s, 5m), then promote "
                      "or roll back");
  command->add_flag("--no-canary", options->no_canary, "ignore the stage's canary setting");
  command->callback(
      [&ctx, options] { run_command(ctx, [&] { return deploy_stage(ctx, *options); }); });
}

}  // namespace ld::cli
