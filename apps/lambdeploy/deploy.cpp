// `lambdeploy deploy --stage S`: plan, then apply, then the smoke checks; a stage that is up to
// date gets no mutating call. --dry-run stops after the plan; --package deploys given bytes.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "aws/transport.hpp"
#include "commands.hpp"
#include "confirm.hpp"
#include "core/time.hpp"
#include "deploy/apply.hpp"
#include "deploy/smoke.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct DeployOptions {
  std::string stage;
  std::string package;
  bool dry_run = false;
  bool yes = false;
};

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
  const deploy::Prepared prepared =
      prepare_for(ctx, "deploy", options.stage,
                  options.package.empty() ? std::nullopt : std::optional(options.package));
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
  if (!result.function_url.empty()) {
    auto transport = make_curl_transport();
    auto smoke = deploy::run_smoke(*transport, result.function_url, prepared.desired);
    checks.insert(checks.end(), smoke.begin(), smoke.end());
  }
  out.line("Checks");
  out.checks(checks);
  const bool passed =
      std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed; });
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  out.doc()["live_version"] = result.live_version;
  out.doc()["published_version"] = result.published_version;
  out.doc()["url"] = result.function_url;
  out.doc()["duration_ms"] = took.count();
  out.doc()["ok"] = passed;
  const std::string was = plan.live_before.empty() ? "" : " (was " + plan.live_before + ")";
  out.line(std::string(passed ? "Deployed" : "Deployed, but checks failed:") + " stage " +
           options.stage + ", " + std::string(deploy::kLiveAlias) + " → version " +
           result.live_version + was + " in " + duration_text(took));
  if (!result.function_url.empty()) out.result(result.function_url);
  if (!passed) {
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
  command->callback(
      [&ctx, options] { run_command(ctx, [&] { return deploy_stage(ctx, *options); }); });
}

}  // namespace ld::cli
