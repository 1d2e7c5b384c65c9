#pragma once
// Private to the Lambda service: its control-plane operations, for LambdaFunctions::dispatch.
#include <nlohmann/json.hpp>

#include "local/services/lambda_records.hpp"

namespace ld::local::lambda {

// Functions and versions (lambda_function_ops.cpp).
nlohmann::json create_function(const Context& ctx);
nlohmann::json get_function(const Context& ctx);
nlohmann::json get_configuration(const Context& ctx);
nlohmann::json update_code(const Context& ctx);
nlohmann::json update_configuration(const Context& ctx);
void delete_function(const Context& ctx);
nlohmann::json publish_version(const Context& ctx);
nlohmann::json list_versions(const Context& ctx);
nlohmann::json list_functions(const Context& ctx);

// Aliases (lambda_alias_ops.cpp).
nlohmann::json create_alias(const Context& ctx);
nlohmann::json get_alias(const Context& ctx);
nlohmann::json update_alias(const Context& ctx);
void delete_alias(const Context& ctx);
nlohmann::json list_aliases(const Context& ctx);

// Provisioned concurrency configs (lambda_provisioned_ops.cpp).
nlohmann::json put_provisioned(const Context& ctx);
nlohmann::json get_provisioned(const Context& ctx);
void delete_provisioned(const Context& ctx);
nlohmann::json list_provisioned(const Context& ctx);
// Marks an alias's config IN_PROGRESS again after the alias moved (its instances move too).
void reprovision_alias(const Context& ctx, const std::string& function_name,
                       const std::string& alias);

// Function URL configs (lambda_url_ops.cpp).
nlohmann::json create_url(const Context& ctx);
nlohmann::json get_url(const Context& ctx);
nlohmann::json update_url(const Context& ctx);
void delete_url(const Context& ctx);
nlohmann::json list_urls(const Context& ctx);

// Tags, code signing, reserved concurrency and account settings (lambda_settings_ops.cpp).
// Tags as TagResource and CreateFunction take them (InvalidParameterValueException otherwise).
void check_tags(const nlohmann::json& tags);
nlohmann::json list_tags(const Context& ctx);
void tag_resource(const Context& ctx);
void untag_resource(const Context& ctx);
nlohmann::json get_code_signing(const Context& ctx);
nlohmann::json put_concurrency(const Context& ctx);
nlohmann::json get_concurrency(const Context& ctx);
void delete_concurrency(const Context& ctx);
nlohmann::json account_settings(const Context& ctx);

// Resource policies (lambda_permission_ops.cpp).
nlohmann::json add_permission(const Context& ctx);
void remove_permission(const Context& ctx);
nlohmann::json get_policy(const Context& ctx);

// Layer versions (lambda_layer_ops.cpp).
nlohmann::json publish_layer(const Context& ctx);
nlohmann::json get_layer(const Context& ctx);
nlohmann::json list_layers(const Context& ctx);
void delete_layer(const Context& ctx);

}  // namespace ld::local::lambda
