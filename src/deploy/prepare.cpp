#include "deploy/prepare.hpp"

#include <cstdlib>

#include "deploy/limits.hpp"

namespace ld::deploy {

namespace {

Lookup ssm_lookup(const Clients& clients) {
  return
      [&clients](const std::string& name) { return clients.ssm.get_parameter_value(name, true); };
}

}  // namespace

Lookup process_env_lookup() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Prepared prepare_stage(const Config& config, const StageSpec& stage, const Clients& clients,
                       const std::string& region, const PrepareOptions& options) {
  Prepared prepared;
  prepared.package = prepare_package(config, options.package);
  prepared.caller = clients.sts.get_caller_identity();
  StageInputs inputs;
  inputs.account = prepared.caller.value("Account", "");
  inputs.region = region;
  inputs.version = prepared.package.version;
  inputs.commit = prepared.package.commit;
  inputs.code = prepared.package.code;
  inputs.dependencies = prepared.package.dependencies;
  inputs.env = options.env ? options.env : process_env_lookup();
  inputs.ssm = ssm_lookup(clients);
  inputs.generate_missing_secrets = options.generate_missing_secrets;
  inputs.random_secret = random_hex_secret;
  prepared.desired = resolve_stage(config, stage, inputs);
  prepared.desired.canary_percent = options.canary_percent;
  check_limits(prepared.desired);
  prepared.observed = observe(clients, prepared.desired);
  prepared.plan = make_plan(prepared.desired, prepared.observed);
  return prepared;
}

Desired resolve_stage_values(const Config& config, const StageSpec& stage, const Clients& clients,
                             const std::string& region, const nlohmann::json& caller,
                             const Lookup& env) {
  StageInputs inputs;
  inputs.account = caller.value("Account", "");
  inputs.region = region;
  inputs.env = env ? env : process_env_lookup();
  inputs.ssm = ssm_lookup(clients);
  return resolve_stage(config, stage, inputs);
}

}  // namespace ld::deploy
