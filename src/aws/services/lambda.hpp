#pragma once
// AWS Lambda (rest-json, 2015-03-31): the control-plane and invoke operations the deployer uses.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kLambda;

namespace lambda {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace lambda

// InvokeWithResponseStream's answer, read whole: the payload chunks in the order they came and the
// closing InvokeComplete event.
struct ResponseStream {
  int status = 0;                // 200, or 204 for DryRun
  std::string executed_version;  // X-Amz-Executed-Version
  std::string content_type;      // the answer's Content-Type (application/vnd.amazon.eventstream)
  std::vector<std::string> chunks;  // each PayloadChunk's bytes
  // InvokeComplete's members (ErrorCode, ErrorDetails, LogResult); nullopt when the stream ended
  // without one (the connection was cut).
  std::optional<json> complete;
  // The chunks joined: the function's whole response.
  std::string payload() const;
  // InvokeComplete's ErrorCode, "" when none (the function answered).
  std::string error_code() const;
};

// Decodes InvokeWithResponseStream's event stream from a Result (body and headers). Throws
// AwsError for an exception or error message in the stream, ld::Error for a malformed one.
ResponseStream read_response_stream(const Result& result);

// Lambda's operations as calls taking and returning JSON shaped as the API (the model's member
// names). Blobs inside documents (Code.ZipFile, Content.ZipFile) are base64 text the caller
// makes. Throws what Client::call throws.
class LambdaClient {
 public:
  explicit LambdaClient(ClientConfig config);

  json create_function(const json& input) const;
  json get_function(const json& input) const;
  void delete_function(const json& input) const;
  json get_function_configuration(const json& input) const;
  json update_function_code(const json& input) const;
  json update_function_configuration(const json& input) const;
  // The raw event goes as the body; the answer's Payload is Result::body, and StatusCode,
  // FunctionError, LogResult and ExecutedVersion are in Result::output.
  Result invoke(const json& input, std::string payload) const;
  // The same input as invoke (InvocationType RequestResponse or DryRun), answered as an event
  // stream: a function that streams its response gives its chunks as it wrote them.
  ResponseStream invoke_with_response_stream(const json& input, std::string payload) const;
  json publish_version(const json& input) const;
  json list_versions_by_function(const json& input) const;
  json create_alias(const json& input) const;
  json get_alias(const json& input) const;
  json update_alias(const json& input) const;
  void delete_alias(const json& input) const;
  json list_aliases(const json& input) const;
  // 202: the config as stored, Status IN_PROGRESS until the instances are ready.
  json put_provisioned_concurrency_config(const json& input) const;
  json get_provisioned_concurrency_config(const json& input) const;
  void delete_provisioned_concurrency_config(const json& input) const;
  json create_function_url_config(const json& input) const;
  json get_function_url_config(const json& input) const;
  json update_function_url_config(const json& input) const;
  void delete_function_url_config(const json& input) const;
  json add_permission(const json& input) const;
  void remove_permission(const json& input) const;
  json get_policy(const json& input) const;
  json publish_layer_version(const json& input) const;
  json get_layer_version(const json& input) const;
  json list_layer_versions(const json& input) const;
  void delete_layer_version(const json& input) const;
  // One page of functions (FunctionVersion ALL: every published version too).
  json list_functions(const json& input) const;
  // Tags of a function ARN (Resource), set and removed (TagKeys) in place.
  json list_tags(const json& input) const;
  void tag_resource(const json& input) const;
  void untag_resource(const json& input) const;
  // {"FunctionName", "CodeSigningConfigArn"}: "" when none is attached.
  json get_function_code_signing_config(const json& input) const;
  // A function's reserved concurrency (ReservedConcurrentExecutions).
  json put_function_concurrency(const json& input) const;
  json get_function_concurrency(const json& input) const;
  void delete_function_concurrency(const json& input) const;
  json list_provisioned_concurrency_configs(const json& input) const;
  // AccountLimit and AccountUsage.
  json get_account_settings() const;
  json list_function_url_configs(const json& input) const;

  // Conveniences. An empty qualifier means none ($LATEST / the unqualified function).
  json get_function_configuration(std::string_view function_name, std::string_view qualifier) const;
  // nullopt when Lambda answers ResourceNotFoundException.
  std::optional<json> find_function(std::string_view function_name) const;
  std::optional<json> find_alias(std::string_view function_name, std::string_view alias) const;
  std::optional<json> find_function_url_config(std::string_view function_name,
                                               std::string_view qualifier = {}) const;
  // The provisioned concurrency config of a version or alias; nullopt when Lambda answers
  // ProvisionedConcurrencyConfigNotFoundException (a missing function or alias still throws
  // ResourceNotFoundException).
  std::optional<json> find_provisioned_concurrency_config(std::string_view function_name,
                                                          std::string_view qualifier) const;
  // The resource policy as a JSON document (GetPolicy's Policy string parsed); nullopt when the
  // function (or qualifier) has none.
  std::optional<json> find_policy(std::string_view function_name,
                                  std::string_view qualifier = {}) const;
  // Every page of ListVersionsByFunction (Marker → NextMarker): all Versions, $LATEST included.
  json list_all_versions(std::string_view function_name) const;
  // Every page of ListAliases (Marker → NextMarker): all Aliases.
  json list_all_aliases(std::string_view function_name) const;
  // Every page of ListFunctions (Marker → NextMarker); FunctionVersion "ALL" lists versions too.
  json list_all_functions(std::string_view function_version = {}) const;
  // Every page of ListLayerVersions (Marker → NextMarker): all LayerVersions.
  json list_all_layer_versions(std::string_view layer_name) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
