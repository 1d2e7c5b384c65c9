// `lambdeploy iam-policy --stage S [--github-repo OWNER/NAME]`: the least-privilege policy a CI
// role needs to deploy the stage, and the trust policy for GitHub Actions' OIDC provider, so no
// one writes them by hand.
#include "commands.hpp"
#include "deploy/deployer_policy.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct IamPolicyOptions {
  std::string stage;
  std::string repository = "OWNER/REPOSITORY";
};

int iam_policy(Context& ctx, const IamPolicyOptions& options) {
  const deploy::Names names = names_for(ctx, options.stage);
  const auto policy = deploy::deployer_policy(ctx.config(), ctx.stage(options.stage), names);
  const auto trust = deploy::github_trust_policy(names, options.repository);
  Output& out = ctx.out();
  out.doc()["command"] = "iam-policy";
  out.doc()["stage"] = options.stage;
  out.doc()["policy"] = policy;
  out.doc()["trust_policy"] = trust;
  out.line("# The deployer policy for stage " + options.stage + " (attach it to the CI role):");
  out.result(policy.dump(2));
  out.line("# The role's trust policy for GitHub Actions (OIDC), repository " + options.repository +
           ":");
  out.result(trust.dump(2));
  return kExitOk;
}

}  // namespace

void add_iam_policy_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<IamPolicyOptions>();
  auto* command =
      app.add_subcommand("iam-policy", "the CI role's least-privilege policy for a stage");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("--github-repo", options->repository,
                      "OWNER/NAME whose workflows may assume the role");
  command->callback(
      [&ctx, options] { run_command(ctx, [&] { return iam_policy(ctx, *options); }); });
}

}  // namespace ld::cli
