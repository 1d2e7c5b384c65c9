// `lambdeploy upload-deps --stage S [--package ZIP]`: the dependency step of a deploy alone (the
// original pipeline had it as its own step): the bucket, each dependency zip uploaded to
// lambda-dependencies/{stage}/{name}.zip unless its SHA-256 is already there, and its layer
// version published.
#include <algorithm>

#include "commands.hpp"
#include "confirm.hpp"
#include "core/time.hpp"
#include "deploy/apply.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct UploadDepsOptions {
  std::string stage;
  std::string package;
  bool yes = false;
};

bool is_dependency_step(const deploy::Action& action) {
  using deploy::ActionKind;
  return action.kind == ActionKind::CreateBucket || action.kind == ActionKind::UploadDependency ||
         action.kind == ActionKind::PublishLayer;
}

int upload_deps(Context& ctx, const UploadDepsOptions& options) {
  const deploy::Prepared prepared =
      prepare_for(ctx, "upload-deps", options.stage,
                  options.package.empty() ? std::nullopt : std::optional(options.package));
  deploy::Plan plan;
  std::copy_if(prepared.plan.actions.begin(), prepared.plan.actions.end(),
               std::back_inserter(plan.actions), is_dependency_step);
  Output& out = ctx.out();
  out.plan(plan);
  out.doc()["up_to_date"] = plan.empty();
  if (prepared.desired.dependencies.empty()) {
    out.result("stage " + options.stage + " has no dependency to ship");
    return kExitOk;
  }
  if (plan.empty()) {
    out.result("the dependencies of stage " + options.stage + " are up to date");
    return kExitOk;
  }
  confirm_change(ctx, options.stage, options.yes, "upload its dependencies");
  deploy::ApplyOptions apply_options;
  apply_options.wait.cancelled = &ctx.cancelled;
  apply_options.caller = prepared.caller.value("Arn", "");
  apply_options.now_iso8601 = format_iso8601(system_now());
  deploy::apply(plan, prepared.desired, prepared.observed, ctx.clients(options.stage),
                apply_options, out);
  out.result("uploaded the dependencies of stage " + options.stage);
  return kExitOk;
}

}  // namespace

void add_upload_deps_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<UploadDepsOptions>();
  auto* command =
      app.add_subcommand("upload-deps", "upload the dependency zips and publish their layers");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("--package", options->package, "the code zip whose -deps.zip to take");
  command->add_flag("--yes,-y", options->yes, "no question on a protected stage");
  command->callback(
      [&ctx, options] { run_command(ctx, [&] { return upload_deps(ctx, *options); }); });
}

}  // namespace ld::cli
