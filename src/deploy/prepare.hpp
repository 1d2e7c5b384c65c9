#pragma once
// The read-only half of a deploy, shared by `plan` and `deploy`: the package, who the caller is,
// the stage resolved with that caller's account, Lambda's limits checked, the stage observed and
// the plan made. Nothing here changes anything in AWS.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "deploy/clients.hpp"
#include "deploy/config.hpp"
#include "deploy/desired.hpp"
#include "deploy/observed.hpp"
#include "deploy/package_source.hpp"
#include "deploy/plan.hpp"
#include "deploy/stage.hpp"

namespace ld::deploy {

struct PrepareOptions {
  PackageRequest package;
  bool generate_missing_secrets = false;  // the local endpoint only
  std::optional<int> canary_percent;      // route this share of LIVE to the new version
  Lookup env;                             // the deployer's environment (empty: the process's)
};

// Everything `plan` shows and `deploy` applies.
struct Prepared {
  Package package;
  nlohmann::json caller;  // STS GetCallerIdentity: UserId, Account, Arn
  Desired desired;
  Observed observed;
  Plan plan;
};

// Packages, resolves, checks limits, observes and plans `stage`. Throws ConfigError, ld::Error
// (a build, an account that is not the stage's, a limit) or AwsError.
Prepared prepare_stage(const Config& config, const StageSpec& stage, const Clients& clients,
                       const std::string& region, const PrepareOptions& options);

// The stage's values without a package (for `url`, `smoke`, `status`): env, API key, names.
Desired resolve_stage_values(const Config& config, const StageSpec& stage, const Clients& clients,
                             const std::string& region, const nlohmann::json& caller,
                             const Lookup& env = {});

// The process's environment as a Lookup.
Lookup process_env_lookup();

}  // namespace ld::deploy
