#pragma once
// What a stage is in AWS now, read with read-only calls only: the bucket and objects, layer
// versions, the role, the function with its published versions, alias LIVE, the Function URL
// and its permissions, the log group and the alarms.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "deploy/clients.hpp"
#include "deploy/desired.hpp"

namespace ld::deploy {

using nlohmann::json;

// A layer version already published with the desired bytes.
struct ObservedLayer {
  std::string arn;  // LayerVersionArn
  long long version = 0;
};

struct Observed {
  bool bucket_exists = false;
  bool code_object_current = false;                        // its x-amz-meta-sha256 matches
  std::map<std::string, bool> dependency_objects_current;  // by dependency name
  std::map<std::string, ObservedLayer> layers;   // by dependency name: a version with its bytes
  std::map<std::string, bool> parameters_exist;  // DesiredParameter names

  std::optional<json> role;         // GetRole's Role
  std::optional<json> role_policy;  // the inline policy's document

  std::optional<json> function;     // $LATEST's FunctionConfiguration
  std::vector<json> versions;       // published versions' configurations, oldest first
  std::optional<json> alias;        // alias LIVE
  std::optional<json> url;          // the Function URL on LIVE
  std::optional<json> policy;       // LIVE's resource policy document
  std::optional<json> provisioned;  // LIVE's provisioned concurrency config

  std::optional<json> log_group;
  std::map<std::string, json> alarms;  // by AlarmName

  // The published version whose fingerprint equals `fingerprint` (the newest such), or "".
  std::string version_matching(const json& fingerprint) const;
};

// Reads the stage with read-only calls. Things that do not exist are left empty; any other
// error (access denied, throttling after retries) throws.
Observed observe(const Clients& clients, const Desired& desired);

}  // namespace ld::deploy
