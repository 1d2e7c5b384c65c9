// `lambdeploy status --stage S`: what the stage serves: LIVE's version and weights, the last
// deploy (from LIVE's description), the Function URL, the function's state and its alarms.
#include "commands.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

// "lambdeploy previous=3 release=v0.1.0 commit=abc at=... by=..." → {"previous": "3", ...}.
nlohmann::json last_deploy(const std::string& description) {
  nlohmann::json out = nlohmann::json::object();
  if (!description.starts_with("lambdeploy ")) return out;
  std::size_t at = std::string("lambdeploy ").size();
  while (at < description.size()) {
    std::size_t end = description.find(' ', at);
    if (end == std::string::npos) end = description.size();
    const std::string field = description.substr(at, end - at);
    if (auto eq = field.find('='); eq != std::string::npos)
      out[field.substr(0, eq)] = field.substr(eq + 1);
    at = end + 1;
  }
  return out;
}

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
  auto alias = clients.lambda.find_alias(names.function, deploy::kLiveAlias);
  if (alias) {
    const std::string version = alias->value("FunctionVersion", "");
    nlohmann::json weights = nlohmann::json::object();
    if (alias->contains("RoutingConfig") && (*alias)["RoutingConfig"].is_object())
      weights =
          (*alias)["RoutingConfig"].value("AdditionalVersionWeights", nlohmann::json::object());
    doc["live"] = {{"version", version},
                   {"weights", weights},
                   {"last_deploy", last_deploy(alias->value("Description", ""))}};
    std::string line = "  LIVE → version " + version;
    for (const auto& [v, weight] : weights.items())
      line += ", " + std::to_string(static_cast<int>(weight.get<double>() * 100 + 0.5)) +
              "% → version " + v;
    out.line(line);
    const auto last = doc["live"]["last_deploy"];
    if (!last.empty())
      out.line("  last deploy: " + last.value("release", "?") + " commit " +
               last.value("commit", "?") + " at " + last.value("at", "?") + " by " +
               last.value("by", "?") + " (previous version " + last.value("previous", "none") +
               ")");
  } else {
    doc["live"] = nullptr;
    out.line("  LIVE: none (the last deploy did not finish)");
  }
  out.line("  function: State " + configuration.value("State", "?") + ", LastUpdateStatus " +
           configuration.value("LastUpdateStatus", "?") + ", " +
           std::to_string(configuration.value("MemorySize", 0)) + " MB, " +
           std::to_string(configuration.value("Timeout", 0)) + " s");
  if (alias) {
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
