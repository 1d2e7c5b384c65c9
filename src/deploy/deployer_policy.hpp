#pragma once
// The IAM policy a CI role needs to deploy one stage, and no more: every action lambdeploy calls,
// each on that stage's own resources (its function, role, layers, log group, alarms, objects and
// parameters), plus the trust policy that lets GitHub Actions assume the role through OIDC.
#include <string>

#include <nlohmann/json.hpp>

#include "deploy/config.hpp"
#include "deploy/naming.hpp"

namespace ld::deploy {

// The deployer's permissions for `stage` (`lambdeploy iam-policy --stage S`).
nlohmann::json deployer_policy(const Config& config, const StageSpec& stage, const Names& names);

// The trust policy for GitHub's OIDC provider in `names.account`, for workflows of `repository`
// ("owner/name"; "*" allows any branch or environment of it).
nlohmann::json github_trust_policy(const Names& names, const std::string& repository);

}  // namespace ld::deploy
