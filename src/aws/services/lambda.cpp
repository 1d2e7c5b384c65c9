#include "aws/services/lambda.hpp"

#include <utility>

#include "aws/error.hpp"
#include "aws/services/pages.hpp"

namespace ld::aws {

const ServiceInfo kLambda{
    .id = "Lambda",
    .endpoint_prefix = "lambda",
    .signing_name = "lambda",
    .api_version = "2015-03-31",
    .protocol = Protocol::RestJson,
    .env_name = "LAMBDA",
    .config_key = "lambda",
};

namespace lambda {
namespace {

const Operation kCreateFunction{
    .name = "CreateFunction",
    .uri = "/2015-03-31/functions",
    .success_status = 201,
    .body_members = true,
};
const Operation kGetFunction{
    .name = "GetFunction",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
};
const Operation kDeleteFunction{
    .name = "DeleteFunction",
    .method = "DELETE",
    .uri = "/2015-03-31/functions/{FunctionName}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 204,
};
const Operation kGetFunctionConfiguration{
    .name = "GetFunctionConfiguration",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}/configuration",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
};
const Operation kUpdateFunctionCode{
    .name = "UpdateFunctionCode",
    .method = "PUT",
    .uri = "/2015-03-31/functions/{FunctionName}/code",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .body_members = true,
};
const Operation kUpdateFunctionConfiguration{
    .name = "UpdateFunctionConfiguration",
    .method = "PUT",
    .uri = "/2015-03-31/functions/{FunctionName}/configuration",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .body_members = true,
};
const Operation kInvoke{
    .name = "Invoke",
    .uri = "/2015-03-31/functions/{FunctionName}/invocations",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"InvocationType", Location::Header, "X-Amz-Invocation-Type"},
              {"LogType", Location::Header, "X-Amz-Log-Type"},
              {"ClientContext", Location::Header, "X-Amz-Client-Context"},
              {"Payload", Location::Payload, ""},
              {"Qualifier", Location::Query, "Qualifier"}},
    .output = {{"StatusCode", Location::StatusCode, ""},
               {"FunctionError", Location::Header, "X-Amz-Function-Error"},
               {"LogResult", Location::Header, "X-Amz-Log-Result"},
               {"Payload", Location::Payload, ""},
               {"ExecutedVersion", Location::Header, "X-Amz-Executed-Version"}},
};
const Operation kInvokeWithResponseStream{
    .name = "InvokeWithResponseStream",
    .uri = "/2021-11-15/functions/{FunctionName}/response-streaming-invocations",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"InvocationType", Location::Header, "X-Amz-Invocation-Type"},
              {"LogType", Location::Header, "X-Amz-Log-Type"},
              {"ClientContext", Location::Header, "X-Amz-Client-Context"},
              {"TenantId", Location::Header, "X-Amz-Tenant-Id"},
              {"Payload", Location::Payload, ""},
              {"Qualifier", Location::Query, "Qualifier"}},
    .output = {{"StatusCode", Location::StatusCode, ""},
               {"ExecutedVersion", Location::Header, "X-Amz-Executed-Version"},
               {"EventStream", Location::Payload, ""},
               {"ResponseStreamContentType", Location::Header, "Content-Type"}},
};
const Operation kPublishVersion{
    .name = "PublishVersion",
    .uri = "/2015-03-31/functions/{FunctionName}/versions",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .success_status = 201,
    .body_members = true,
};
const Operation kListVersionsByFunction{
    .name = "ListVersionsByFunction",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}/versions",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"}},
};
const Operation kCreateAlias{
    .name = "CreateAlias",
    .uri = "/2015-03-31/functions/{FunctionName}/aliases",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .success_status = 201,
    .body_members = true,
};
const Operation kGetAlias{
    .name = "GetAlias",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}, {"Name", Location::Uri, "Name"}},
};
const Operation kUpdateAlias{
    .name = "UpdateAlias",
    .method = "PUT",
    .uri = "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}, {"Name", Location::Uri, "Name"}},
    .body_members = true,
};
const Operation kDeleteAlias{
    .name = "DeleteAlias",
    .method = "DELETE",
    .uri = "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}, {"Name", Location::Uri, "Name"}},
    .success_status = 204,
};
const Operation kListAliases{
    .name = "ListAliases",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}/aliases",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"FunctionVersion", Location::Query, "FunctionVersion"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"}},
};
const Operation kPutProvisionedConcurrencyConfig{
    .name = "PutProvisionedConcurrencyConfig",
    .method = "PUT",
    .uri = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 202,
    .body_members = true,
};
const Operation kGetProvisionedConcurrencyConfig{
    .name = "GetProvisionedConcurrencyConfig",
    .method = "GET",
    .uri = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
};
const Operation kDeleteProvisionedConcurrencyConfig{
    .name = "DeleteProvisionedConcurrencyConfig",
    .method = "DELETE",
    .uri = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 204,
};
const Operation kCreateFunctionUrlConfig{
    .name = "CreateFunctionUrlConfig",
    .uri = "/2021-10-31/functions/{FunctionName}/url",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 201,
    .body_members = true,
};
const Operation kGetFunctionUrlConfig{
    .name = "GetFunctionUrlConfig",
    .method = "GET",
    .uri = "/2021-10-31/functions/{FunctionName}/url",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
};
const Operation kUpdateFunctionUrlConfig{
    .name = "UpdateFunctionUrlConfig",
    .method = "PUT",
    .uri = "/2021-10-31/functions/{FunctionName}/url",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .body_members = true,
};
const Operation kDeleteFunctionUrlConfig{
    .name = "DeleteFunctionUrlConfig",
    .method = "DELETE",
    .uri = "/2021-10-31/functions/{FunctionName}/url",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 204,
};
const Operation kAddPermission{
    .name = "AddPermission",
    .uri = "/2015-03-31/functions/{FunctionName}/policy",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
    .success_status = 201,
    .body_members = true,
};
const Operation kRemovePermission{
    .name = "RemovePermission",
    .method = "DELETE",
    .uri = "/2015-03-31/functions/{FunctionName}/policy/{StatementId}",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"StatementId", Location::Uri, "StatementId"},
              {"Qualifier", Location::Query, "Qualifier"},
              {"RevisionId", Location::Query, "RevisionId"}},
    .success_status = 204,
};
const Operation kGetPolicy{
    .name = "GetPolicy",
    .method = "GET",
    .uri = "/2015-03-31/functions/{FunctionName}/policy",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Qualifier", Location::Query, "Qualifier"}},
};
const Operation kPublishLayerVersion{
    .name = "PublishLayerVersion",
    .uri = "/2018-10-31/layers/{LayerName}/versions",
    .input = {{"LayerName", Location::Uri, "LayerName"}},
    .success_status = 201,
    .body_members = true,
};
const Operation kGetLayerVersion{
    .name = "GetLayerVersion",
    .method = "GET",
    .uri = "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
    .input = {{"LayerName", Location::Uri, "LayerName"},
              {"VersionNumber", Location::Uri, "VersionNumber"}},
};
const Operation kListLayerVersions{
    .name = "ListLayerVersions",
    .method = "GET",
    .uri = "/2018-10-31/layers/{LayerName}/versions",
    .input = {{"CompatibleRuntime", Location::Query, "CompatibleRuntime"},
              {"LayerName", Location::Uri, "LayerName"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"},
              {"CompatibleArchitecture", Location::Query, "CompatibleArchitecture"}},
};
const Operation kDeleteLayerVersion{
    .name = "DeleteLayerVersion",
    .method = "DELETE",
    .uri = "/2018-10-31/layers/{LayerName}/versions/{VersionNumber}",
    .input = {{"LayerName", Location::Uri, "LayerName"},
              {"VersionNumber", Location::Uri, "VersionNumber"}},
    .success_status = 204,
};

const Operation kListFunctions{
    .name = "ListFunctions",
    .method = "GET",
    .uri = "/2015-03-31/functions/",
    .input = {{"MasterRegion", Location::Query, "MasterRegion"},
              {"FunctionVersion", Location::Query, "FunctionVersion"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"}},
};
const Operation kListTags{
    .name = "ListTags",
    .method = "GET",
    .uri = "/2017-03-31/tags/{ARN}",
    .input = {{"Resource", Location::Uri, "ARN"}},
};
const Operation kTagResource{
    .name = "TagResource",
    .uri = "/2017-03-31/tags/{ARN}",
    .input = {{"Resource", Location::Uri, "ARN"}},
    .success_status = 204,
    .body_members = true,
};
const Operation kUntagResource{
    .name = "UntagResource",
    .method = "DELETE",
    .uri = "/2017-03-31/tags/{ARN}",
    .input = {{"Resource", Location::Uri, "ARN"}, {"TagKeys", Location::Query, "tagKeys"}},
    .success_status = 204,
};
const Operation kGetFunctionCodeSigningConfig{
    .name = "GetFunctionCodeSigningConfig",
    .method = "GET",
    .uri = "/2020-06-30/functions/{FunctionName}/code-signing-config",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
};
const Operation kPutFunctionConcurrency{
    .name = "PutFunctionConcurrency",
    .method = "PUT",
    .uri = "/2017-10-31/functions/{FunctionName}/concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .body_members = true,
};
const Operation kGetFunctionConcurrency{
    .name = "GetFunctionConcurrency",
    .method = "GET",
    .uri = "/2019-09-30/functions/{FunctionName}/concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
};
const Operation kDeleteFunctionConcurrency{
    .name = "DeleteFunctionConcurrency",
    .method = "DELETE",
    .uri = "/2017-10-31/functions/{FunctionName}/concurrency",
    .input = {{"FunctionName", Location::Uri, "FunctionName"}},
    .success_status = 204,
};
const Operation kListProvisionedConcurrencyConfigs{
    .name = "ListProvisionedConcurrencyConfigs",
    .method = "GET",
    .uri = "/2019-09-30/functions/{FunctionName}/provisioned-concurrency?List=ALL",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"}},
};
const Operation kGetAccountSettings{
    .name = "GetAccountSettings",
    .method = "GET",
    .uri = "/2016-08-19/account-settings/",
};
const Operation kListFunctionUrlConfigs{
    .name = "ListFunctionUrlConfigs",
    .method = "GET",
    .uri = "/2021-10-31/functions/{FunctionName}/urls",
    .input = {{"FunctionName", Location::Uri, "FunctionName"},
              {"Marker", Location::Query, "Marker"},
              {"MaxItems", Location::Query, "MaxItems"}},
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kCreateFunction,
      &kListFunctions,
      &kGetFunction,
      &kDeleteFunction,
      &kGetFunctionConfiguration,
      &kUpdateFunctionCode,
      &kUpdateFunctionConfiguration,
      &kInvoke,
      &kInvokeWithResponseStream,
      &kPublishVersion,
      &kListVersionsByFunction,
      &kCreateAlias,
      &kGetAlias,
      &kUpdateAlias,
      &kDeleteAlias,
      &kListAliases,
      &kPutProvisionedConcurrencyConfig,
      // Before Get: the same method and path, told apart by the fixed query List=ALL.
      &kListProvisionedConcurrencyConfigs,
      &kGetProvisionedConcurrencyConfig,
      &kDeleteProvisionedConcurrencyConfig,
      &kCreateFunctionUrlConfig,
      &kGetFunctionUrlConfig,
      &kUpdateFunctionUrlConfig,
      &kDeleteFunctionUrlConfig,
      &kAddPermission,
      &kRemovePermission,
      &kGetPolicy,
      &kPublishLayerVersion,
      &kGetLayerVersion,
      &kListLayerVersions,
      &kDeleteLayerVersion,
      &kListTags,
      &kTagResource,
      &kUntagResource,
      &kGetFunctionCodeSigningConfig,
      &kPutFunctionConcurrency,
      &kGetFunctionConcurrency,
      &kDeleteFunctionConcurrency,
      &kGetAccountSettings,
      &kListFunctionUrlConfigs,
  };
  return all;
}

}  // namespace lambda

using namespace lambda;

namespace {

bool is_not_found(const AwsError& error) {
  return error.code() == "ResourceNotFoundException";
}

json named(std::string_view function_name, std::string_view qualifier) {
  json input = {{"FunctionName", function_name}};
  if (!qualifier.empty()) input["Qualifier"] = qualifier;
  return input;
}

}  // namespace

LambdaClient::LambdaClient(ClientConfig config) : client_(kLambda, std::move(config)) {}

json LambdaClient::create_function(const json& input) const {
  return client_.call(kCreateFunction, Call{.input = input}).output;
}
json LambdaClient::get_function(const json& input) const {
  return client_.call(kGetFunction, Call{.input = input}).output;
}
void LambdaClient::delete_function(const json& input) const {
  client_.call(kDeleteFunction, Call{.input = input});
}
json LambdaClient::get_function_configuration(const json& input) const {
  return client_.call(kGetFunctionConfiguration, Call{.input = input}).output;
}
json LambdaClient::update_function_code(const json& input) const {
  return client_.call(kUpdateFunctionCode, Call{.input = input}).output;
}
json LambdaClient::update_function_configuration(const json& input) const {
  return client_.call(kUpdateFunctionConfiguration, Call{.input = input}).output;
}
Result LambdaClient::invoke(const json& input, std::string payload) const {
  return client_.call(kInvoke, Call{.input = input, .body = std::move(payload)});
}
ResponseStream LambdaClient::invoke_with_response_stream(const json& input,
                                                         std::string payload) const {
  Result result =
      client_.call(kInvokeWithResponseStream, Call{.input = input, .body = std::move(payload)});
  return read_response_stream(result);
}
json LambdaClient::publish_version(const json& input) const {
  return client_.call(kPublishVersion, Call{.input = input}).output;
}
json LambdaClient::list_versions_by_function(const json& input) const {
  return client_.call(kListVersionsByFunction, Call{.input = input}).output;
}
json LambdaClient::create_alias(const json& input) const {
  return client_.call(kCreateAlias, Call{.input = input}).output;
}
json LambdaClient::get_alias(const json& input) const {
  return client_.call(kGetAlias, Call{.input = input}).output;
}
json LambdaClient::update_alias(const json& input) const {
  return client_.call(kUpdateAlias, Call{.input = input}).output;
}
void LambdaClient::delete_alias(const json& input) const {
  client_.call(kDeleteAlias, Call{.input = input});
}
json LambdaClient::list_aliases(const json& input) const {
  return client_.call(kListAliases, Call{.input = input}).output;
}
json LambdaClient::put_provisioned_concurrency_config(const json& input) const {
  return client_.call(kPutProvisionedConcurrencyConfig, Call{.input = input}).output;
}
json LambdaClient::get_provisioned_concurrency_config(const json& input) const {
  return client_.call(kGetProvisionedConcurrencyConfig, Call{.input = input}).output;
}
void LambdaClient::delete_provisioned_concurrency_config(const json& input) const {
  client_.call(kDeleteProvisionedConcurrencyConfig, Call{.input = input});
}
json LambdaClient::create_function_url_config(const json& input) const {
  return client_.call(kCreateFunctionUrlConfig, Call{.input = input}).output;
}
json LambdaClient::get_function_url_config(const json& input) const {
  return client_.call(kGetFunctionUrlConfig, Call{.input = input}).output;
}
json LambdaClient::update_function_url_config(const json& input) const {
  return client_.call(kUpdateFunctionUrlConfig, Call{.input = input}).output;
}
void LambdaClient::delete_function_url_config(const json& input) const {
  client_.call(kDeleteFunctionUrlConfig, Call{.input = input});
}
json LambdaClient::add_permission(const json& input) const {
  return client_.call(kAddPermission, Call{.input = input}).output;
}
void LambdaClient::remove_permission(const json& input) const {
  client_.call(kRemovePermission, Call{.input = input});
}
json LambdaClient::get_policy(const json& input) const {
  return client_.call(kGetPolicy, Call{.input = input}).output;
}
json LambdaClient::publish_layer_version(const json& input) const {
  return client_.call(kPublishLayerVersion, Call{.input = input}).output;
}
json LambdaClient::get_layer_version(const json& input) const {
  return client_.call(kGetLayerVersion, Call{.input = input}).output;
}
json LambdaClient::list_layer_versions(const json& input) const {
  return client_.call(kListLayerVersions, Call{.input = input}).output;
}
void LambdaClient::delete_layer_version(const json& input) const {
  client_.call(kDeleteLayerVersion, Call{.input = input});
}
json LambdaClient::list_functions(const json& input) const {
  return client_.call(kListFunctions, Call{.input = input}).output;
}
json LambdaClient::list_tags(const json& input) const {
  return client_.call(kListTags, Call{.input = input}).output;
}
void LambdaClient::tag_resource(const json& input) const {
  client_.call(kTagResource, Call{.input = input});
}
void LambdaClient::untag_resource(const json& input) const {
  client_.call(kUntagResource, Call{.input = input});
}
json LambdaClient::get_function_code_signing_config(const json& input) const {
  return client_.call(kGetFunctionCodeSigningConfig, Call{.input = input}).output;
}
json LambdaClient::put_function_concurrency(const json& input) const {
  return client_.call(kPutFunctionConcurrency, Call{.input = input}).output;
}
json LambdaClient::get_function_concurrency(const json& input) const {
  return client_.call(kGetFunctionConcurrency, Call{.input = input}).output;
}
void LambdaClient::delete_function_concurrency(const json& input) const {
  client_.call(kDeleteFunctionConcurrency, Call{.input = input});
}
json LambdaClient::list_provisioned_concurrency_configs(const json& input) const {
  return client_.call(kListProvisionedConcurrencyConfigs, Call{.input = input}).output;
}
json LambdaClient::get_account_settings() const {
  return client_.call(kGetAccountSettings, Call{.input = json::object()}).output;
}
json LambdaClient::list_function_url_configs(const json& input) const {
  return client_.call(kListFunctionUrlConfigs, Call{.input = input}).output;
}

json LambdaClient::get_function_configuration(std::string_view function_name,
                                              std::string_view qualifier) const {
  return get_function_configuration(named(function_name, qualifier));
}

std::optional<json> LambdaClient::find_function(std::string_view function_name) const {
  try {
    return get_function(named(function_name, {}));
  } catch (const AwsError& error) {
    if (is_not_found(error)) return std::nullopt;
    throw;
  }
}

std::optional<json> LambdaClient::find_alias(std::string_view function_name,
                                             std::string_view alias) const {
  try {
    return get_alias({{"FunctionName", function_name}, {"Name", alias}});
  } catch (const AwsError& error) {
    if (is_not_found(error)) return std::nullopt;
    throw;
  }
}

std::optional<json> LambdaClient::find_function_url_config(std::string_view function_name,
                                                           std::string_view qualifier) const {
  try {
    return get_function_url_config(named(function_name, qualifier));
  } catch (const AwsError& error) {
    if (is_not_found(error)) return std::nullopt;
    throw;
  }
}

std::optional<json> LambdaClient::find_policy(std::string_view function_name,
                                              std::string_view qualifier) const {
  json output;
  try {
    output = get_policy(named(function_name, qualifier));
  } catch (const AwsError& error) {
    if (is_not_found(error)) return std::nullopt;
    throw;
  }
  const auto policy = output.find("Policy");
  if (policy == output.end() || !policy->is_string()) return std::nullopt;
  json document = json::parse(policy->get<std::string>(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded())
    throw Error("Lambda GetPolicy for " + std::string(function_name) +
                " returned a Policy that is not JSON");
  return document;
}

std::optional<json> LambdaClient::find_provisioned_concurrency_config(
    std::string_view function_name, std::string_view qualifier) const {
  try {
    return get_provisioned_concurrency_config(
        {{"FunctionName", function_name}, {"Qualifier", qualifier}});
  } catch (const AwsError& error) {
    if (error.code() == "ProvisionedConcurrencyConfigNotFoundException") return std::nullopt;
    throw;
  }
}

json LambdaClient::list_all_versions(std::string_view function_name) const {
  const json pages =
      collect_pages({{"FunctionName", function_name}}, {"Marker", "NextMarker", {"Versions"}},
                    [this](const json& input) { return list_versions_by_function(input); });
  return pages["Versions"];
}

json LambdaClient::list_all_aliases(std::string_view function_name) const {
  const json pages =
      collect_pages({{"FunctionName", function_name}}, {"Marker", "NextMarker", {"Aliases"}},
                    [this](const json& input) { return list_aliases(input); });
  return pages["Aliases"];
}

json LambdaClient::list_all_functions(std::string_view function_version) const {
  json input = json::object();
  if (!function_version.empty()) input["FunctionVersion"] = function_version;
  const json pages = collect_pages(input, {"Marker", "NextMarker", {"Functions"}},
                                   [this](const json& page) { return list_functions(page); });
  return pages["Functions"];
}

json LambdaClient::list_all_layer_versions(std::string_view layer_name) const {
  const json pages =
      collect_pages({{"LayerName", layer_name}}, {"Marker", "NextMarker", {"LayerVersions"}},
                    [this](const json& input) { return list_layer_versions(input); });
  return pages["LayerVersions"];
}

}  // namespace ld::aws
