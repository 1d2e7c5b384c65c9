#pragma once
// Traffic on alias LIVE: what it serves, a canary's share for a new version, promote (the new
// version primary, no weights) and rollback (back to the version LIVE served before, or any
// published version). Every change records the history in LIVE's description (LiveRecord).
#include <map>
#include <optional>
#include <string>

#include "aws/services/lambda.hpp"
#include "deploy/live_record.hpp"

namespace ld::deploy {

// Alias LIVE as it is now.
struct LiveAlias {
  bool exists = false;
  std::string version;                    // the primary version
  std::map<std::string, double> weights;  // AdditionalVersionWeights: version → share (0..1)
  LiveRecord record;
  std::string revision_id;
};

// Who changes LIVE and when, for the record.
struct TrafficCaller {
  std::string arn;
  std::string now_iso8601;
};

// What a traffic change did.
struct TrafficChange {
  LiveAlias before;
  LiveAlias after;
  std::string summary;  // "LIVE → version 4 (was 3)"
};

// Reads alias LIVE of `function` (exists = false when there is none).
LiveAlias read_live(const aws::LambdaClient& lambda, const std::string& function);

// The release a published version carries in its description ("svc v1.2.3 (commit)" → v1.2.3).
std::string release_of_version(const aws::LambdaClient& lambda, const std::string& function,
                               const std::string& version);

// Makes `version` primary with no weights (the canary's version when `version` is empty).
// Throws ld::Error when there is no canary to promote and no version is named.
TrafficChange promote(const aws::LambdaClient& lambda, const std::string& function,
                      const TrafficCaller& caller);

// Points LIVE at `to`, or, without `to`: during a canary drops the weights (the primary keeps
// serving), otherwise goes back to the version LIVE served before the last deploy or promote.
// Throws ld::Error naming what to do when there is nothing to roll back to or `to` is not a
// published version.
TrafficChange rollback(const aws::LambdaClient& lambda, const std::string& function,
                       const std::optional<std::string>& to, const TrafficCaller& caller);

// "LIVE → version 3, 10% → version 4" ("LIVE does not exist").
std::string describe(const LiveAlias& alias);
// "version 3, 10% → version 4" ("nothing").
std::string describe_targets(const LiveAlias& alias);

}  // namespace ld::deploy
