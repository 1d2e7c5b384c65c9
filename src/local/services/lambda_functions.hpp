#pragma once
// Lambda's control-plane state on the local endpoint: functions, published versions, aliases,
// Function URL configs, resource policies, layers and provisioned concurrency configs, kept as
// records ("lambda.function", "lambda.version", "lambda.alias", "lambda.url", "lambda.policy",
// "lambda.layer", "lambda.provisioned", "lambda.tags", "lambda.concurrency") with the zips in the
// blob store. Also what the Function URL gateway asks: which function a URL id names, the image
// to run and whether the URL's policy lets anyone in; and what provisioned concurrency keeps warm.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/api_call.hpp"
#include "local/executor.hpp"
#include "local/state.hpp"

namespace ld::local {

// How the Lambda service behaves locally.
struct LambdaOptions {
  // How long a created function stays Pending and an update InProgress (AWS: a few seconds).
  std::chrono::milliseconds settle_delay{300};
  // The endpoint's port, for FunctionUrl and Code.Location (0 until the server is bound).
  int endpoint_port = 4566;
  // The executor's instances per function: a function's provisioned concurrency, all configs
  // together, may not ask for more.
  int concurrency_limit = 100;
};

// What a Function URL id stands for.
struct UrlTarget {
  std::string function_name;
  std::string qualifier;    // "" (the unqualified function) or an alias name
  std::string auth_type;    // NONE or AWS_IAM
  nlohmann::json cors;      // the Cors member as configured (null when none)
  std::string invoke_mode;  // BUFFERED or RESPONSE_STREAM
  std::string account;
  std::string region;
  std::string url_id;
};

// Lambda's state and every control-plane operation over it. Thread-safe.
class LambdaFunctions {
 public:
  LambdaFunctions(State state, LambdaOptions options);

  // Runs one control-plane operation (not Invoke) and answers its output members; throws
  // ApiError as AWS would. Unknown operations throw UnknownOperationException.
  nlohmann::json run(const ApiCall& call);

  // Resolves FunctionName + Qualifier as Invoke does (none/$LATEST, a version, an alias with its
  // routing weights drawn at random) to what the executor runs. `alias_out` receives the alias
  // name when one was used. Throws ApiError (ResourceNotFoundException, or
  // ResourceConflictException while the function is still Pending).
  FunctionImage image_for(const std::string& function_name, const std::string& qualifier,
                          std::string* alias_out = nullptr);
  // Same, with the caller's account and region for error messages and the time to judge state by.
  FunctionImage image_for(const std::string& function_name, const std::string& qualifier,
                          std::string* alias_out, const Caller& caller, Timestamp now);

  // What $LATEST of a function runs, whatever its state (for the executor to prepare its files
  // while the function is still Pending). Throws ResourceNotFoundException.
  FunctionImage latest_image(const std::string& function_name);

  // What provisioned concurrency keeps warm for a function: the version each config's qualifier
  // runs (an alias's routing weights share its count out between its two versions), with the
  // counts summed per version. Empty when the function has no config (or does not exist).
  std::vector<ProvisionedImage> provisioned_images(const std::string& function_name);
  // The functions that have provisioned concurrency configs (to warm after a restart).
  std::vector<std::string> provisioned_functions();

  // The Function URL whose id (the host's first label) is `url_id`.
  std::optional<UrlTarget> url_target(std::string_view url_id);
  // True only when the policy of the qualifier the URL is on allows anyone to invoke through the
  // URL (lambda:InvokeFunctionUrl for "*" with lambda:FunctionUrlAuthType NONE) AND to invoke
  // the function (lambda:InvokeFunction for "*").
  bool url_invocation_allowed(const std::string& function_name, const std::string& qualifier);

  // The 32-character id of a Function URL, derived from where it is so it never changes.
  static std::string url_id(std::string_view account, std::string_view region,
                            std::string_view function_name, std::string_view qualifier);

  void set_endpoint_port(int port);
  const State& state() const { return state_; }

  // Where a qualifier sends an invocation: an alias's version and its weighted others.
  struct Route {
    std::string alias;  // "" unless the qualifier is an alias
    std::string version;
    std::vector<std::pair<std::string, double>> weights;
  };

 private:
  nlohmann::json dispatch(const ApiCall& call);
  std::optional<UrlTarget> load_url_target(std::string_view url_id);

  // What the Function URL gateway asks on every request, kept until the next change (any
  // operation that is not a Get or List), so a warm request reads no SQLite. Routes of
  // functions still settling are not kept: their state changes with the clock alone.
  struct GatewayCache {
    std::map<std::string, Route> routes;                   // "function\nqualifier"
    std::map<std::string, FunctionImage> images;           // "function\nversion"
    std::map<std::string, std::optional<UrlTarget>> urls;  // url id
    std::map<std::string, bool> url_allowed;               // "function/qualifier"
  };

  State state_;
  LambdaOptions options_;
  std::mutex mutex_;  // one control-plane change at a time
  GatewayCache cache_;
};

}  // namespace ld::local
