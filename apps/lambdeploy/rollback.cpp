// `lambdeploy rollback --stage S [--to VERSION]`: LIVE back to the version it served before.
#include "commands.hpp"
#include "confirm.hpp"
#include "deploy/traffic.hpp"
#include "stage_prepare.hpp"
#include "traffic_report.hpp"

namespace ld::cli {

namespace {

struct RollbackOptions {
  std::string stage;
  std::string to;
  bool yes = false;
};

int rollback(Context& ctx, const RollbackOptions& options) {
  confirm_change(ctx, options.stage, options.yes, "roll it back");
  const deploy::Names names = names_for(ctx, options.stage);
  std::optional<std::string> to;
  if (!options.to.empty()) to = options.to;
  const auto change = deploy::rollback(ctx.clients(options.stage).lambda, names.function, to,
                                       caller_of(ctx, options.stage));
  report(ctx, "rollback", options.stage, change);
  return kExitOk;
}

}  // namespace

void add_rollback_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<RollbackOptions>();
  auto* command = app.add_subcommand(
      "rollback", "point LIVE back at the version it served before (or --to VERSION)");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("--to", options->to, "a published version (`lambdeploy versions`)");
  command->add_flag("--yes,-y", options->yes, "no question on a protected stage");
  command->callback([&ctx, options] { run_command(ctx, [&] { return rollback(ctx, *options); }); });
}

}  // namespace ld::cli
