#pragma once
// Runs Lambda functions for real: an instance is the function's `bootstrap` started with
// Lambda's environment and a Runtime API of its own; instances are reused while warm, created
// up to a per-function limit, killed on timeout, retired when the code or configuration changes.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/payload_stream.hpp"
#include "local/telemetry.hpp"

namespace ld::local {

// What an instance runs: one version of a function ($LATEST or a published number) as it is
// configured now. `code_sha256` + `config_revision` identify it: a change retires old instances.
struct FunctionImage {
  std::string function_name;
  std::string function_arn;  // unqualified
  std::string version = "$LATEST";
  std::string code_sha256;  // lower-case hex of the zip's SHA-256 (not Lambda's base64 CodeSha256)
  std::string config_revision;                    // the version's RevisionId
  std::filesystem::path code_zip;                 // the function's zip (a blob file)
  std::vector<std::filesystem::path> layer_zips;  // in order, extracted into /opt
  std::string runtime = "provided.al2023";
  std::string handler = "bootstrap";
  int memory_mb = 128;
  int timeout_s = 3;
  int ephemeral_storage_mb = 512;
  std::map<std::string, std::string> environment;
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string log_group;  // "/aws/lambda/{function_name}"
  // PutFunctionConcurrency's ReservedConcurrentExecutions: the most invocations of the function
  // (all its versions) that run at once, 0 throttling every one; -1 when none is reserved.
  int reserved_concurrency = -1;
};

// True when instances of `a` may run invocations of `b`: same version, code and configuration.
inline bool same_image(const FunctionImage& a, const FunctionImage& b) {
  return a.function_name == b.function_name && a.version == b.version &&
         a.code_sha256 == b.code_sha256 && a.config_revision == b.config_revision;
}

// How many instances of one version of a function provisioned concurrency keeps warm.
struct ProvisionedImage {
  FunctionImage image;
  int count = 0;
};

enum class InvocationType { RequestResponse, Event, DryRun };

// One invocation.
struct InvokeRequest {
  FunctionImage image;
  std::string payload;
  InvocationType type = InvocationType::RequestResponse;
  bool tail_log = false;       // LogType: Tail
  std::string client_context;  // X-Amz-Client-Context (base64), passed to the runtime
  std::string invoked_arn;     // the ARN as invoked (qualified with the alias, when one was used)
  std::string alias;           // the alias invoked through, for the Resource metric dimension
  std::string request_id;      // empty: a new UUID
  // InvokeWithResponseStream: a response the function streams goes here as it comes (and not in
  // InvokeResult::payload); a buffered response, or an error, still comes in the result.
  std::shared_ptr<PayloadStream> stream = {};
};

// What an invocation gave, as Invoke answers it.
struct InvokeResult {
  int status = 200;                           // 200, 202 (Event), 204 (DryRun)
  std::string payload;                        // the function's response, or its error document
  std::optional<std::string> function_error;  // "Unhandled" (AWS's X-Amz-Function-Error)
  std::string log_tail;                       // the last 4 KB of the log, when tail_log
  std::string executed_version;               // X-Amz-Executed-Version
  std::string request_id;
};

// Thrown for throttling (429 TooManyRequestsException) and other invoke failures that are not
// function errors; carries an ApiError-compatible code and status.
// (Use ld::local::ApiError from local/api_call.hpp.)

// Instance status for `lambdeploy local status` and the health route.
struct ExecutorStatus {
  // What instances get (Isolation::describe): "pid+mount namespaces, uid 993" (root),
  // "user+pid+mount namespaces, uid 993" (another user), ... or "paths" (none: real paths,
  // LAMBDA_TASK_ROOT + LD_LIBRARY_PATH, as the endpoint's user).
  std::string isolation;
  int instances = 0;  // all of them, provisioned ones included
  int busy = 0;
  int provisioned = 0;  // kept for provisioned concurrency
};

// Thread-safe.
class Executor {
 public:
  virtual ~Executor() = default;
  // Runs one invocation (Event: queued, answered 202 at once; DryRun: 204 without running).
  // Throws ApiError: TooManyRequestsException (429) when all instances are busy at the limit.
  virtual InvokeResult invoke(InvokeRequest request) = 0;
  // Stops every instance of a function (code or configuration changed, function deleted).
  virtual void retire(const std::string& function_name) = 0;
  // Gets the image's files ready in the background (the code unzipped, as AWS does while a new
  // function is Pending), so that its first invocation does not wait for them. Optional.
  virtual void prepare(const FunctionImage& /*image*/) {}
  // Provisioned concurrency: keeps `count` instances of each image of a function started,
  // initialised and waiting for invocations, started again when they die; images no longer
  // listed are released (an empty list releases all of the function's). Optional.
  virtual void provision(const std::string& /*function_name*/,
                         std::vector<ProvisionedImage> /*images*/) {}
  virtual ExecutorStatus status() const = 0;
};

}  // namespace ld::local
