// `lambdeploy smoke --stage S`: the stage's checks against what LIVE serves now: the direct
// invoke and every [[smoke]] request through the Function URL.
#include <algorithm>

#include "aws/transport.hpp"
#include "commands.hpp"
#include "deploy/smoke.hpp"
#include "deploy/traffic.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

int smoke(Context& ctx, const std::string& stage) {
  deploy::Desired values = values_for(ctx, stage);
  const auto& lambda = ctx.clients(stage).lambda;
  const nlohmann::json live =
      lambda.get_function_configuration(values.names.function, deploy::kLiveAlias);
  values.version =
      deploy::release_of_version(lambda, values.names.function, live.value("Version", ""));
  Output& out = ctx.out();
  out.doc()["command"] = "smoke";
  out.doc()["stage"] = stage;
  out.doc()["live_version"] = live.value("Version", "");
  out.line("lambdeploy smoke: stage " + stage + ", " + std::string(deploy::kLiveAlias) +
           " serves version " + live.value("Version", "") + " (" + values.version + ")");
  std::vector<deploy::CheckResult> checks = {
      deploy::check_invoke(lambda, values, std::string(deploy::kLiveAlias))};
  if (auto url = lambda.find_function_url_config(values.names.function, deploy::kLiveAlias)) {
    auto transport = make_curl_transport();
    auto more = deploy::run_smoke(*transport, url->value("FunctionUrl", ""), values);
    checks.insert(checks.end(), more.begin(), more.end());
    out.doc()["url"] = url->value("FunctionUrl", "");
  }
  out.checks(checks);
  const bool passed =
      std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed; });
  out.doc()["ok"] = passed;
  if (!passed) {
    out.problem("lambdeploy: smoke checks failed on stage " + stage);
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_smoke_command(CLI::App& app, Context& ctx) {
  auto stage = std::make_shared<std::string>();
  auto* command = app.add_subcommand("smoke", "run the stage's checks against LIVE");
  command->add_option("--stage,-s", *stage, "the stage")->required();
  command->callback([&ctx, stage] { run_command(ctx, [&] { return smoke(ctx, *stage); }); });
}

}  // namespace ld::cli
