// `lambdeploy delete --stage S [--purge] [--yes]`: removes everything the stage's deploys made;
// S3 objects and SSM parameters only with --purge. Run again, it finishes what it began.
#include "commands.hpp"
#include "confirm.hpp"
#include "deploy/teardown.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct DeleteOptions {
  std::string stage;
  bool purge = false;
  bool yes = false;
};

int delete_stage(Context& ctx, const DeleteOptions& options) {
  const deploy::Names names = names_for(ctx, options.stage);
  confirm_change(ctx, options.stage, options.yes, "delete it");
  Output& out = ctx.out();
  out.doc()["command"] = "delete";
  out.doc()["stage"] = options.stage;
  out.doc()["function"] = names.function;
  out.doc()["removed"] = nlohmann::json::array();
  out.line("lambdeploy delete: stage " + options.stage + " (" + names.function + ", account " +
           names.account + ", " + names.region + ")" +
           (options.purge ? ", with its objects and parameters" : ""));
  deploy::tear_down(
      ctx.clients(options.stage), ctx.config(), ctx.stage(options.stage), names, options.purge,
      [&](const deploy::Removal& removal) {
        out.doc()["removed"].push_back({{"what", removal.what},
                                        {"removed", removal.removed},
                                        {"duration_ms", removal.took.count()}});
        out.line("  " + (removal.removed ? out.ok_mark() + " removed " : out.dim("- none: ")) +
                 removal.what + "  " + out.dim(duration_text(removal.took)));
      });
  out.result(
      "stage " + options.stage + " is deleted" +
      (options.purge ? "" : " (its S3 objects and SSM parameters stay: --purge removes them)"));
  return kExitOk;
}

}  // namespace

void add_delete_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<DeleteOptions>();
  auto* command = app.add_subcommand("delete", "remove everything the stage's deploys made");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_flag("--purge", options->purge, "also its S3 objects and SSM parameters");
  command->add_flag("--yes,-y", options->yes, "no question on a protected stage");
  command->callback(
      [&ctx, options] { run_command(ctx, [&] { return delete_stage(ctx, *options); }); });
}

}  // namespace ld::cli
