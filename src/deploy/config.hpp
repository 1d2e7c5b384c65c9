#pragma once
// lambdeploy.toml as data: the service, its dependencies, environment, Function URL, alarms,
// smoke checks and stages, each value with the place in the file it came from (DESIGN.md
// section 3). Loading checks every key and type; nothing here talks to AWS.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace ld::deploy {

// Where a value stands in the config file (1-based; 0 when it came from a default).
struct Position {
  std::string file;
  int line = 0;
  int column = 0;
  // "lambdeploy.toml:12:5" (just the file when line is 0).
  std::string str() const;
};

// A config file that cannot be used: what is wrong and where.
class ConfigError : public Error {
 public:
  ConfigError(Position where, const std::string& what);
  const Position& where() const { return where_; }
  const std::string& reason() const { return reason_; }

 private:
  Position where_;
  std::string reason_;
};

// One environment variable of the function: a literal value, or where to find it. Resolution
// order: from_env (the deployer's environment), then ssm (decrypted), then default.
struct EnvSpec {
  std::string name;
  std::optional<std::string> value;          // KEY = "literal" or { value = "..." }
  std::optional<std::string> from_env;       // the deployer's environment variable
  std::optional<std::string> ssm;            // SSM parameter name; may hold {stage}, {service}
  std::optional<std::string> default_value;  // `default`
  bool secret = false;                       // never printed anywhere
  bool optional = false;                     // left out when nothing gives a value
  Position where;
};

// One dependency zip, published as a layer `{function}--{name}`.
struct DependencySpec {
  enum class Kind { ClosureOf, Path, Dir };
  std::string name;
  Kind kind = Kind::ClosureOf;
  std::string value;  // the CMake target, the zip's path, or the folder (relative to the file)
  Position where;
};

// The Function URL's CORS settings (AWS's Cors shape).
struct CorsSpec {
  std::vector<std::string> allow_origins;
  std::vector<std::string> allow_methods;
  std::vector<std::string> allow_headers;
  std::vector<std::string> expose_headers;
  bool allow_credentials = false;
  std::optional<int> max_age;
};

// [function_url]: created on alias LIVE unless `enabled = false`.
struct FunctionUrlSpec {
  bool enabled = true;
  std::string auth = "NONE";  // NONE | AWS_IAM
  std::string invoke_mode = "BUFFERED";
  std::optional<CorsSpec> cors;
  Position where;
};

// [api_key]: which [env] variables hold the API key's header name and value, so the smoke
// checks and `lambdeploy url` can send it.
struct ApiKeySpec {
  std::string header_from;  // env variable whose value is the header name
  std::string value_from;   // env variable whose value is the key
  Position where;
};

// One [[alarms]] entry; the alarm is named {function}-{name}.
struct AlarmSpec {
  std::string name;
  std::string metric;  // AWS/Lambda metric: Errors, Duration, Throttles, ...
  std::string statistic = "Sum";
  int period_s = 300;
  int evaluation_periods = 1;
  std::optional<int> datapoints_to_alarm;
  double threshold = 0;
  std::string comparison = "GreaterThanOrEqualToThreshold";
  std::string treat_missing_data = "notBreaching";
  Position where;
};

// One [[smoke]] check through the Function URL.
struct SmokeSpec {
  std::string path = "/";
  std::string method = "GET";
  int status = 200;
  std::optional<std::string> body;      // request body
  std::optional<std::string> contains;  // the response body must contain this ({version} allowed)
  bool with_key = true;                 // send the API key ([api_key])
  Position where;
};

// [invoke_check]: the direct invoke a new version must pass before LIVE moves to it.
struct InvokeCheckSpec {
  std::string payload = "{}";
  // The function error the payload must give ("" = it must succeed). Our runtime answers a
  // non-HTTP event with this type, so the check proves the code loaded and ran.
  std::string error_type = "Runtime.UnsupportedEvent";
};

// A stage's canary = { percent, bake }.
struct CanarySpec {
  int percent = 10;
  std::string bake;  // "5m", "90s", "" = no bake
};

// Settings a stage may override ([service] gives the defaults).
struct FunctionSettings {
  std::string runtime = "provided.al2023";
  std::string architecture = "x86_64";
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_storage_mb = 512;
  int keep_versions = 10;
  int log_retention_days = 14;
  std::optional<std::string> role_arn;     // an existing role instead of {function}-role
  std::optional<std::string> deps_bucket;  // instead of {account}--lambdeploy--{region}
};

// One [stages.NAME] table.
struct StageSpec {
  std::string name;
  bool is_protected = false;           // `protected = true`
  std::optional<std::string> account;  // refuse other accounts' credentials
  std::optional<std::string> region;   // the stage's region unless --region says otherwise
  FunctionSettings settings;           // [service] values with this stage's overrides applied
  std::map<std::string, EnvSpec> env;  // [env] with this stage's `env` table applied
  std::optional<CanarySpec> canary;
  std::optional<int> provisioned_concurrency;
  Position where;
};

// The whole file.
struct Config {
  std::filesystem::path path;  // the file read (absolute)
  std::filesystem::path dir;   // its folder: relative paths in the file start here
  std::string service;         // [service] name
  std::string target;          // [service] target: the CMake target packaged as the code
  std::string version_file = "version";
  std::filesystem::path project;  // [service] project: the CMake source folder (default: dir)
  std::vector<DependencySpec> dependencies;
  std::optional<ApiKeySpec> api_key;
  FunctionUrlSpec function_url;
  std::vector<AlarmSpec> alarms;
  std::vector<SmokeSpec> smoke;
  InvokeCheckSpec invoke_check;
  std::map<std::string, StageSpec> stages;  // by name
  Position service_where;

  // The stage named `name`; throws ConfigError listing the stages the file has.
  const StageSpec& stage(const std::string& name) const;
  // The function's name in `stage`: {service}__{stage}.
  std::string function_name(const std::string& stage) const;
};

// Reads and checks a config file. Throws ConfigError (file, line, column, what) for a syntax
// error, an unknown key, a wrong type or value, a missing required key, and a function name
// ({service}__{stage}) or role name ({function}-role) over 64 characters.
Config load_config(const std::filesystem::path& path);
// Parses `text` as if read from `path` (tests).
Config parse_config(const std::string& text, const std::filesystem::path& path);

// `explicit_path` when given (it must exist), else lambdeploy.toml in `start` or the nearest
// folder above it. Throws ld::Error naming where it looked.
std::filesystem::path find_config(const std::optional<std::filesystem::path>& explicit_path,
                                  const std::filesystem::path& start);

}  // namespace ld::deploy
