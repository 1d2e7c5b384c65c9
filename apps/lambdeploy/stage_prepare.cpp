#include "stage_prepare.hpp"

#include <cstdio>

#include "core/error.hpp"

namespace ld::cli {

std::optional<int> canary_percent_for(Context& ctx, const std::string& stage,
                                      std::optional<int> requested, bool no_canary) {
  if (no_canary) return std::nullopt;
  if (requested) return requested;
  const auto& canary = ctx.stage(stage).canary;
  if (canary) return canary->percent;
  return std::nullopt;
}

std::string region_of(Context& ctx, const std::string& stage) {
  return ctx.session(stage).region();
}

deploy::Names names_for(Context& ctx, const std::string& stage) {
  const auto& clients = ctx.clients(stage);
  const nlohmann::json caller = clients.sts.get_caller_identity();
  return deploy::names_of(ctx.config(), ctx.stage(stage), caller.value("Account", ""),
                          region_of(ctx, stage));
}

deploy::Desired values_for(Context& ctx, const std::string& stage) {
  const auto& clients = ctx.clients(stage);
  const nlohmann::json caller = clients.sts.get_caller_identity();
  return deploy::resolve_stage_values(ctx.config(), ctx.stage(stage), clients,
                                      region_of(ctx, stage), caller);
}

std::string live_url(Context& ctx, const std::string& stage, const deploy::Names& names) {
  auto url = ctx.clients(stage).lambda.find_function_url_config(names.function, deploy::kLiveAlias);
  if (!url)
    throw Error("stage " + stage + " has no Function URL on " + std::string(deploy::kLiveAlias) +
                " (" + names.function + "): `lambdeploy deploy --stage " + stage + "` makes it");
  return url->value("FunctionUrl", "");
}

deploy::Prepared prepare_for(Context& ctx, const std::string& command, const std::string& stage,
                             const std::optional<std::string>& package_zip,
                             std::optional<int> canary_percent) {
  const deploy::Config& config = ctx.config();
  const deploy::StageSpec& spec = ctx.stage(stage);
  Output& out = ctx.out();
  deploy::PrepareOptions options;
  if (package_zip) options.package.package_zip = *package_zip;
  options.package.note = [&out](const std::string& text) { out.detail(text); };
  options.generate_missing_secrets = ctx.local();
  options.canary_percent = canary_percent;
  const deploy::Clients& clients = ctx.clients(stage);
  const std::string region = region_of(ctx, stage);
  deploy::Prepared prepared = deploy::prepare_stage(config, spec, clients, region, options);

  const auto& d = prepared.desired;
  auto& doc = out.doc();
  doc["command"] = command;
  doc["stage"] = stage;
  doc["function"] = d.names.function;
  doc["account"] = d.names.account;
  doc["region"] = region;
  doc["endpoint"] = ctx.endpoint_text();
  doc["caller"] = prepared.caller.value("Arn", "");
  doc["package"] = {{"path", d.code.path.string()},
                    {"size", d.code.size},
                    {"sha256", d.code.sha256_hex},
                    {"version", d.version},
                    {"commit", d.commit}};
  nlohmann::json dependencies = nlohmann::json::array();
  for (const auto& dependency : d.dependencies)
    dependencies.push_back({{"name", dependency.name},
                            {"path", dependency.zip.path.string()},
                            {"size", dependency.zip.size},
                            {"sha256", dependency.zip.sha256_hex}});
  doc["package"]["dependencies"] = dependencies;

  out.line("lambdeploy " + command + ": stage " + stage + " → " + d.names.function + " (account " +
           d.names.account + ", " + region + ", " + ctx.endpoint_text() + ")");
  char size[32];
  std::snprintf(size, sizeof size, "%.2f MB", static_cast<double>(d.code.size) / 1e6);
  out.line("  package " + d.code.path.string() + "  " + size + "  sha256 " +
           d.code.sha256_hex.substr(0, 12) + "  " + d.version +
           (d.commit.empty() ? "" : " (" + d.commit + ")"));
  for (const auto& dependency : d.dependencies)
    out.line("  dependency " + dependency.name + "  " + dependency.zip.path.string());
  for (const auto& skipped : prepared.package.skipped)
    out.line("  dependency " + out.dim(skipped + ": no layer"));
  for (const auto& [name, value] : d.env) {
    out.detail("  env " + name + " = " + (value.secret ? "(secret)" : value.value) + "  [" +
               value.source + "]");
  }
  return prepared;
}

}  // namespace ld::cli
