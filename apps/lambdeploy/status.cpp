// `lambdeploy status --stage S`: what the stage serves: LIVE's version and weights, the last
// deploy (from LIVE's description), the Function URL, the function's state and its alarms.
#include "commands.hpp"
#include "deploy/traffic.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

int status(Context& ctx, const std::string& stage) {
  const deploy::Names names = names_for(ctx, stage);
  const auto& clients = ctx.clients(stage);
  Output& out = ctx.out();
  auto& doc = out.doc();
  doc["command"] = "status";
  doc["stage"] = stage;
  doc["function"] = names.function;
  out.line("stage " + stage + ": " + names.function + " (account " + names.account + ", " +
           names.region + ")");
  auto function = clients.lambda.find_function(names.function);
  if (!function) {
    doc["deployed"] = false;
    out.result("not deployed: `lambdeploy deploy --stage " + stage + "` creates it");
    return kExitOk;
  }
  doc["deployed"] = true;
  const auto configuration = function->value("Configuration", nlohmann::json::object());
  doc["state"] = configuration.value("State", "");
  doc["last_update_status"] = configuration.value("LastUpdateStatus", "");
  const deploy::LiveAlias live = deploy::read_live(clients.lambda, names.function);
  if (live.exists) {
    const deploy::LiveRecord& last = live.record;
    nlohmann::json weights = nlohmann::json::object();
    for (const auto& [version, weight] : live.weights) weights[version] = weight;
    doc["live"] = {{"version", live.version},
                   {"weights", weights},
                   {"last_deploy",
                    {{"previous", last.previous},
                     {"canary", last.canary},
                     {"release", last.release},
                     {"commit", last.commit},
                     {"at", last.at},
                     {"by", last.by}}}};
    out.line("  " + deploy::describe(live));
    if (!last.release.empty())
      out.line("  last change: " + last.release +
               (last.commit.empty() ? "" : " commit " + last.commit) + " at " + last.at + " by " +
               last.by + " (previous version " +
               (last.previous.empty() ? std::string("none") : last.previous) + ")");
  } else {
    doc["live"] = nullptr;
    out.line("  LIVE: none (the last deploy did not finish)");
  }
  if (live.exists) {
    if (auto provisioned = clients.lambda.find_provisioned_concurrency_config(names.function,
                                                                              deploy::kLiveAlias)) {
      doc["provisioned_concurrency"] = {
          {"requested", provisioned->value("RequestedProvisionedConcurrentExecutions", 0)},
          {"available", provisioned->value("AvailableProvisionedConcurrentExecutions", 0)},
          {"status", provisioned->value("Status", "")}};
      out.line("  provisioned concurrency: " +
               std::to_string(provisioned->value("AvailableProvisionedConcurrentExecutions", 0)) +
               " of " +
               std::to_string(provisioned->value("RequestedProvisionedConcurrentExecutions", 0)) +
               " instances, " + provisioned->value("Status", "?"));
    }
  }
  out.line("  function: State " + configuration.value("State", "?") + ", LastUpdateStatus " +
           configuration.value("LastUpdateStatus", "?") + ", " +
           std::to_string(configuration.value("MemorySize", 0)) + " MB, " +
           std::to_string(configuration.value("Timeout", 0)) + " s");
  if (live.exists) {
    if (auto url = clients.lambda.find_function_url_config(names.function, deploy::kLiveAlias)) {
      doc["url"] = url->value("FunctionUrl", "");
      out.result(url->value("FunctionUrl", ""));
    }
  }
  const auto alarms =
      clients.cloudwatch.describe_all_alarms({{"AlarmNamePrefix", names.function + "-"}});
  nlohmann::json alarm_states = nlohmann::json::object();
  for (const auto& alarm : alarms.value("MetricAlarms", nlohmann::json::array())) {
    alarm_states[alarm.value("AlarmName", "")] = alarm.value("StateValue", "");
    out.line("  alarm " + alarm.value("AlarmName", "") + ": " + alarm.value("StateValue", ""));
  }
  doc["alarms"] = alarm_states;
  return kExitOk;
}

}  // namespace

void add_status_command(CLI::App& app, Context& ctx) {
  auto stage = std::make_shared<std::string>();
  auto* command = app.add_subcommand("status", "what the stage serves, its URL and alarms");
  command->add_option("--stage,-s", *stage, "the stage")->required();
  command->callback([&ctx, stage] { run_command(ctx, [&] { return status(ctx, *stage); }); });
}

}  // namespace ld::cli
