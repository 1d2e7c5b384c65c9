#pragma once
// What one stage should be, resolved from the config and the environment: names, the code and
// dependency zips, the function's configuration with its values (secrets marked), the role, the
// Function URL, the log group and the alarms. The plan compares this with what AWS shows.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "deploy/config.hpp"
#include "deploy/naming.hpp"
#include "deploy/package/zip_writer.hpp"

namespace ld::deploy {

using nlohmann::json;

// One environment variable's value and where it came from ("literal", "$NAME", "ssm:/path",
// "default", "generated"). A secret's value is never printed.
struct EnvValue {
  std::string value;
  bool secret = false;
  std::string source;
};

// One dependency zip, its S3 key and the layer it is published as.
struct DesiredDependency {
  std::string name;
  ZipFacts zip;
  std::string key;    // lambda-dependencies/{stage}/{name}.zip
  std::string layer;  // {function}--{name}
  // The description a layer version of these bytes carries ("lambdeploy sha256:<hex>").
  std::string layer_description() const;
};

// An SSM SecureString the deploy creates: only on the local endpoint, for a secret that neither
// the environment nor SSM gives (a generated API key).
struct DesiredParameter {
  std::string name;
  std::string env;  // the variable it feeds
};

// The API key the smoke checks and `lambdeploy url` send.
struct ApiKey {
  std::string header;
  std::string value;
};

// The Function URL on alias LIVE.
struct DesiredUrl {
  std::string auth = "NONE";
  std::string invoke_mode = "BUFFERED";
  json cors;  // AWS's Cors shape; null when none
};

struct Desired {
  Names names;
  std::string service;
  std::string version;  // the version file's vX.Y.Z
  std::string commit;   // git commit of the deployed source, "" when unknown
  std::string bucket;
  bool bucket_is_default = true;

  ZipFacts code;
  std::string code_key;
  std::vector<DesiredDependency> dependencies;
  std::vector<DesiredParameter> parameters;
  std::vector<std::string> parameters_read;  // SSM names the values come from (role policy)

  // The function (UpdateFunctionConfiguration's shape, without Layers and FunctionName).
  std::string runtime;
  std::string architecture;
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_storage_mb = 512;
  std::map<std::string, EnvValue> env;
  std::string role_arn;
  bool role_is_ours = true;  // {function}-role, created and kept by the deploy

  // A canary: LIVE keeps the version it serves as primary and routes this share (1..99 %) to
  // the new one. None on a first deploy (there is nothing to keep) or without one.
  std::optional<int> canary_percent;
  // Instances kept initialised for LIVE (PutProvisionedConcurrencyConfig); none when unset.
  std::optional<int> provisioned_concurrency;

  std::optional<DesiredUrl> url;
  int log_retention_days = 14;
  std::vector<json> alarms;  // PutMetricAlarm inputs
  int keep_versions = 10;

  std::optional<ApiKey> api_key;
  std::vector<SmokeSpec> smoke;
  InvokeCheckSpec invoke_check;

  // The role's trust policy (lambda.amazonaws.com) and its inline policy, scoped to this stage:
  // its log group, its S3 prefixes, its SSM parameters.
  json trust_policy() const;
  json role_policy() const;
  // Environment.Variables as AWS shows them.
  json environment() const;
  // The settings a published version is compared on (code, configuration, layers), with
  // `layers` the ARNs the function should have. Two versions that compare equal serve the same.
  json fingerprint(const std::vector<std::string>& layers) const;
  // CreateFunction's input (code from S3) and UpdateFunctionConfiguration's input.
  json create_function_input(const std::vector<std::string>& layers) const;
  json configuration_input(const std::vector<std::string>& layers) const;
  // The paths of secret variables in the plan's configuration view ("Environment.X"), for
  // masking diffs.
  std::vector<std::string> secret_paths() const;
  // PublishVersion's description: "{service} {version} ({commit})".
  std::string version_description() const;
};

// The fingerprint of a FunctionConfiguration as AWS returns it (GetFunctionConfiguration, or an
// entry of ListVersionsByFunction), for comparing with Desired::fingerprint.
json fingerprint_of(const json& configuration);

}  // namespace ld::deploy
