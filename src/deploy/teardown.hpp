#pragma once
// Removing a stage (`lambdeploy delete`): its alarms, the function with its versions, aliases,
// URL and permissions, its log group, the role the deploy made, the layer versions it published,
// and with `purge` its S3 objects and the SSM parameters its values come from. Each step is
// skipped when already done, so a delete that stopped part-way finishes when run again.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "deploy/clients.hpp"
#include "deploy/config.hpp"
#include "deploy/naming.hpp"

namespace ld::deploy {

// One thing removed (or found already gone).
struct Removal {
  std::string what;      // "function mgraph_..._dev (3 versions, alias LIVE, its URL)"
  bool removed = false;  // false: it was not there
  std::chrono::milliseconds took{0};
};

// Removes `stage`, named by `names` (its values need not resolve: a stage whose secret is gone
// can still be deleted). `on_removal` hears of each step as it ends.
std::vector<Removal> tear_down(const Clients& clients, const Config& config, const StageSpec& stage,
                               const Names& names, bool purge,
                               const std::function<void(const Removal&)>& on_removal);

}  // namespace ld::deploy
