#pragma once
// What alias LIVE's description remembers of the last deploy, promote or rollback: the version
// LIVE served before, the canary version while one runs, the release, commit, time and caller.
// It lives in AWS, so any machine with credentials (a fresh CI runner) sees the same history.
#include <string>

namespace ld::deploy {

// The record, as "lambdeploy previous=3 canary=4 release=v1.2.3 commit=abc at=... by=..."
// (at most 256 characters, Lambda's limit for an alias description).
struct LiveRecord {
  std::string previous;  // the version LIVE served before ("" = none)
  std::string canary;    // the version getting a share of the traffic ("" = no canary)
  std::string release;   // the service's version (vX.Y.Z)
  std::string commit;
  std::string at;  // ISO 8601
  std::string by;  // the caller's ARN

  // The description text; the caller's ARN is cut first when it does not fit.
  std::string format() const;
  // Parses a description; fields it does not hold stay empty (an alias made by hand gives an
  // empty record).
  static LiveRecord parse(const std::string& description);
};

}  // namespace ld::deploy
