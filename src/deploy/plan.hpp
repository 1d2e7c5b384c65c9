#pragma once
// The plan: a pure function of what a stage should be and what it is, returning the ordered
// actions that make it so (DESIGN.md section 2), each with a readable diff. No I/O here.
#include <string>
#include <vector>

#include "deploy/desired.hpp"
#include "deploy/observed.hpp"

namespace ld::deploy {

// What one action does (the order here is the order they run in).
enum class ActionKind {
  CreateParameter,      // SSM SecureString for a generated secret (local endpoint only)
  CreateBucket,         // the code and dependencies bucket
  UploadDependency,     // PutObject lambda-dependencies/{stage}/{name}.zip
  PublishLayer,         // PublishLayerVersion {function}--{name}
  CreateRole,           // {function}-role with the trust policy for Lambda
  PutRolePolicy,        // its inline policy, scoped to the stage
  CreateLogGroup,       // /aws/lambda/{function}
  PutRetention,         // its retention
  UploadCode,           // PutObject lambda-code/{function}/{sha256}.zip
  CreateFunction,       // CreateFunction (code from S3, configuration)
  UpdateCode,           // UpdateFunctionCode
  UpdateConfiguration,  // UpdateFunctionConfiguration
  PublishVersion,       // PublishVersion
  CheckVersion,         // Invoke the new version directly: the code loaded and ran
  CreateAlias,          // LIVE → version
  UpdateAlias,          // LIVE → version
  CreateUrl,            // Function URL on LIVE
  UpdateUrl,
  AddPermission,      // one of the URL's two resource-policy statements
  PutAlarm,           // PutMetricAlarm
  PutProvisioned,     // PutProvisionedConcurrencyConfig on LIVE
  DeleteProvisioned,  // DeleteProvisionedConcurrencyConfig on LIVE
};

// "create-bucket", "update-code", ... (for --json and logs).
const char* action_name(ActionKind kind);

// One step of the plan.
struct Action {
  ActionKind kind;
  std::string subject = {};            // what it acts on: "bucket 0000--lambdeploy--us-east-1"
  std::string summary = {};            // one line for people: "create function X (128 MB, 3 s)"
  std::vector<std::string> diff = {};  // "MemorySize: 128 → 512"; secrets shown as (secret)
  std::string key = {};                // dependency, parameter, statement or alarm name
  std::string version = {};            // CheckVersion / aliases: the version ("" = just published)
  bool mutating = true;                // CheckVersion is not
  double weight = 0;                   // UpdateAlias of a canary: the new version's share (0..1)
};

// The ordered actions, and what LIVE serves before and after them.
struct Plan {
  std::vector<Action> actions;
  std::string live_before;  // the version LIVE points at now ("" when there is no LIVE)
  std::string live_after;   // after the plan ("new" when PublishVersion makes it)
  bool canary = false;      // LIVE's primary stays; the new version gets a share
  bool empty() const { return actions.empty(); }
  std::size_t mutating_count() const;
};

// The two statements a public Function URL needs (AWS's rule since October 2025).
inline constexpr const char* kUrlInvokeStatement = "FunctionURLAllowPublicAccess";
inline constexpr const char* kUrlFunctionStatement = "FunctionURLAllowInvokeAction";

// Desired × Observed → Plan. Pure.
Plan make_plan(const Desired& desired, const Observed& observed);

// The layer ARNs the function should have: those observed for the desired bytes, or the marker
// "(new {layer} version)" for a layer still to publish.
std::vector<std::string> planned_layers(const Desired& desired, const Observed& observed);

// Lines describing how `after` differs from `before` (objects compared member by member, dotted
// paths); values under `secret_paths` never shown.
std::vector<std::string> json_diff(const json& before, const json& after,
                                   const std::vector<std::string>& secret_paths = {});

// The AddPermission input for one of the URL statements.
json url_permission_input(const Desired& desired, const std::string& statement);
// True when `policy` (a resource-policy document) holds an Allow statement `statement` grants.
bool policy_grants(const json& policy, const std::string& statement);

}  // namespace ld::deploy
