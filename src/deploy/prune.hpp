#pragma once
// Old versions pruned after a successful deploy: the newest `keep` published versions stay, and
// so does every version an alias points at or routes a share to, whatever its age.
#include <map>
#include <string>
#include <vector>

#include "aws/services/lambda.hpp"

namespace ld::deploy {

// What a prune did.
struct PruneResult {
  std::vector<std::string> deleted;   // versions deleted, oldest first
  std::vector<std::string> kept_for;  // old versions kept because an alias uses them ("3 (LIVE)")
};

// A published version's number (-1 for $LATEST or anything that is not a number).
long long version_number(const std::string& version);

// version → what uses it: each alias pointing at it ("LIVE") or routing a share to it
// ("LIVE (10%)").
std::map<std::string, std::vector<std::string>> aliases_by_version(const aws::LambdaClient& lambda,
                                                                   const std::string& function);

// Deletes the published versions of `function` older than the newest `keep`, except those any
// alias uses. `keep` below 1 counts as 1.
PruneResult prune_versions(const aws::LambdaClient& lambda, const std::string& function, int keep);

}  // namespace ld::deploy
