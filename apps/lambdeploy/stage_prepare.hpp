#pragma once
// What `plan` and `deploy` do first: package, resolve, observe and plan one stage, and say so.
#include <optional>
#include <string>

#include "context.hpp"
#include "deploy/prepare.hpp"

namespace ld::cli {

// Prepares `stage` (building the package unless `package_zip` is given) and prints the header:
// stage, function, account, region, endpoint, package.
deploy::Prepared prepare_for(Context& ctx, const std::string& command, const std::string& stage,
                             const std::optional<std::string>& package_zip,
                             std::optional<int> canary_percent = std::nullopt);

// The canary's share: `requested` (--canary), else the stage's `canary`, none with --no-canary.
std::optional<int> canary_percent_for(Context& ctx, const std::string& stage,
                                      std::optional<int> requested, bool no_canary);

// The region the stage's session resolved.
std::string region_of(Context& ctx, const std::string& stage);

// The stage's names for the caller's account (one STS call), for commands on a deployed stage.
deploy::Names names_for(Context& ctx, const std::string& stage);

// The stage's values (names, environment, API key) without a package: `url` and `smoke`.
deploy::Desired values_for(Context& ctx, const std::string& stage);

// The Function URL on LIVE; throws ld::Error saying to deploy first when there is none.
std::string live_url(Context& ctx, const std::string& stage, const deploy::Names& names);

}  // namespace ld::cli
