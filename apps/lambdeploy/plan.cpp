// `lambdeploy plan --stage S`: what deploy would do, changing nothing. Exit 0 when the stage is
// up to date, 2 when there are changes.
#include "commands.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct PlanOptions {
  std::string stage;
  std::string package;
  std::optional<int> canary;
  bool no_canary = false;
};

int plan(Context& ctx, const PlanOptions& options) {
  const deploy::Prepared prepared =
      prepare_for(ctx, "plan", options.stage,
                  options.package.empty() ? std::nullopt : std::optional(options.package),
                  canary_percent_for(ctx, options.stage, options.canary, options.no_canary));
  Output& out = ctx.out();
  out.plan(prepared.plan);
  out.doc()["up_to_date"] = prepared.plan.empty();
  if (prepared.plan.empty()) {
    out.result("stage " + options.stage + " is up to date: " + std::string(deploy::kLiveAlias) +
               " serves version " + prepared.plan.live_before);
    return kExitOk;
  }
  out.result(std::to_string(prepared.plan.mutating_count()) +
             " change(s) to apply: `lambdeploy deploy --stage " + options.stage + "` applies them");
  return kExitChanges;
}

}  // namespace

void add_plan_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<PlanOptions>();
  auto* command = app.add_subcommand("plan", "show what deploy would change (exit 2 if anything)");
  command->add_option("--stage,-s", options->stage, "the stage (dev, qa, prod, ...)")->required();
  command->add_option("--package", options->package, "plan these bytes instead of building");
  command->add_option("--canary", options->canary, "plan a canary of PERCENT")
      ->check(CLI::Range(1, 99));
  command->add_flag("--no-canary", options->no_canary, "ignore the stage's canary setting");
  command->callback([&ctx, options] { run_command(ctx, [&] { return plan(ctx, *options); }); });
}

}  // namespace ld::cli
