#pragma once
// Private to the Lambda service: record kinds, the operations' Context and their shared helpers.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/api_call.hpp"
#include "local/blob_store.hpp"
#include "local/records.hpp"
#include "local/services/lambda_functions.hpp"
#include "local/services/lambda_validation.hpp"
#include "local/state.hpp"

namespace ld::local::lambda {

constexpr std::string_view kFunction = "lambda.function";
constexpr std::string_view kVersion = "lambda.version";
constexpr std::string_view kAlias = "lambda.alias";
constexpr std::string_view kUrl = "lambda.url";
constexpr std::string_view kUrlId = "lambda.url-id";
constexpr std::string_view kPolicy = "lambda.policy";
constexpr std::string_view kLayer = "lambda.layer";
constexpr std::string_view kLayerHead = "lambda.layer-head";
// Provisioned concurrency configs, keyed "function/qualifier" (a version number or an alias).
constexpr std::string_view kProvisioned = "lambda.provisioned";

// A function's tags ({"Key": "Value"}) and its reserved concurrency, keyed by function name.
constexpr std::string_view kTags = "lambda.tags";
constexpr std::string_view kConcurrency = "lambda.concurrency";

inline const std::string kNoSuchResource = "The resource you requested does not exist.";

// Lists every record whose key starts with `prefix`, in one page.
ListOptions all_with_prefix(std::string prefix);

// A string member of `input` ("" when missing or not a string).
std::string text(const nlohmann::json& input, const char* name);
// True when `input` has member `name` and it is not null.
bool has(const nlohmann::json& input, const char* name);

long long millis(Timestamp t);
// Lambda's LastModified / CreatedDate: 2024-01-01T00:00:00.000+0000.
std::string lambda_time(Timestamp t);
// Function URL times: 2024-01-01T00:00:00.000000Z.
std::string url_time(Timestamp t);
// A UUID-shaped id that is a function of `seed` (RevisionIds follow the records' revisions).
std::string uuid_of(const std::string& seed);

std::string function_arn(const std::string& account, const std::string& region,
                         const std::string& name);
std::string qualified(const std::string& arn, const std::string& qualifier);

[[noreturn]] void not_found(const std::string& message);
[[noreturn]] void conflict(const std::string& message);
[[noreturn]] void precondition_failed();

// The zip a Code or Content member carries: ZipFile (base64), or S3Bucket + S3Key.
std::string zip_from(const State& state, const nlohmann::json& code);
// Stores `zip` in the blob store and answers the "code" member of a record naming it.
nlohmann::json code_of(BlobStore& blobs, const std::string& zip);

// Everything one operation needs.
struct Context {
  State& state;
  const LambdaOptions& options;
  const ApiCall& call;
  const nlohmann::json& in;
  Timestamp now;

  Records& records() const { return *state.records; }
  std::string account() const {
    return call.caller.account.empty() ? "000000000000" : call.caller.account;
  }
  std::string region() const {
    return call.caller.region.empty() ? state.region : call.caller.region;
  }
  std::string arn_of(const std::string& name) const {
    return function_arn(account(), region(), name);
  }
  std::string host_suffix() const { return "localhost:" + std::to_string(options.endpoint_port); }
};

// The unqualified ARN of a function or version record's document.
std::string doc_arn(const nlohmann::json& doc);
// True while a created or updated function is still Pending / InProgress.
bool settling(const Context& ctx, const nlohmann::json& doc);
std::string latest_revision_id(const Context& ctx, const Record& record);
std::string version_revision_id(const Record& version);
// ResourceNotFoundException when there is no such function.
Record load_function(const Context& ctx, const std::string& name);

std::string version_key(const std::string& name, const std::string& number);
std::optional<Record> find_version(const Context& ctx, const std::string& name,
                                   const std::string& number);
std::optional<Record> find_alias(const Context& ctx, const std::string& name,
                                 const std::string& alias);
// ResourceNotFoundException when there is no such alias.
Record load_alias(const Context& ctx, const std::string& name, const std::string& alias);

// The MaxItems member of a List operation: 50 when missing, ValidationException outside
// 1..`most`.
long long checked_max_items(const nlohmann::json& input, long long most);

// One page of `items` (each a marker and what the list holds), in order: the items after the one
// whose marker is Marker (InvalidParameterValueException when none is), at most MaxItems
// (1..`most`, 50 when missing), under `member`, with NextMarker when more follow.
nlohmann::json page_of(const std::vector<std::pair<std::string, nlohmann::json>>& items,
                       const nlohmann::json& in, long long most, const char* member);

// FunctionName and Qualifier (from the member or the ARN).
FunctionRef function_ref(const nlohmann::json& in);

}  // namespace ld::local::lambda
