// `lambdeploy promote --stage S`: the canary's version becomes LIVE's only version.
#include "commands.hpp"
#include "confirm.hpp"
#include "deploy/traffic.hpp"
#include "stage_prepare.hpp"
#include "traffic_report.hpp"

namespace ld::cli {

namespace {

struct PromoteOptions {
  std::string stage;
  bool yes = false;
};

int promote(Context& ctx, const PromoteOptions& options) {
  confirm_change(ctx, options.stage, options.yes, "promote on it");
  const deploy::Names names = names_for(ctx, options.stage);
  const auto change = deploy::promote(ctx.clients(options.stage).lambda, names.function,
                                      caller_of(ctx, options.stage));
  report(ctx, "promote", options.stage, change);
  return kExitOk;
}

}  // namespace

void add_promote_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<PromoteOptions>();
  auto* command = app.add_subcommand("promote", "make the canary's version LIVE's only version");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_flag("--yes,-y", options->yes, "no question on a protected stage");
  command->callback([&ctx, options] { run_command(ctx, [&] { return promote(ctx, *options); }); });
}

}  // namespace ld::cli
