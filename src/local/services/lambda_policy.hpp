#pragma once
// A Lambda function's resource-based policy: the statement AddPermission writes (as AWS shapes
// it) and the check the Function URL gateway needs for AuthType NONE.
#include <string>

#include <nlohmann/json.hpp>

namespace ld::local::lambda {

// The statement AWS builds from AddPermission's input for `resource` (the function ARN,
// qualified when the permission is on a qualifier). Keys in AWS's order.
nlohmann::ordered_json permission_statement(const nlohmann::json& input,
                                            const std::string& resource);

// The policy document GetPolicy answers as a string.
nlohmann::ordered_json policy_document(const nlohmann::ordered_json& statements);

// True when the statements allow anyone to call a Function URL with AuthType NONE: an Allow of
// lambda:InvokeFunctionUrl for "*" conditioned on lambda:FunctionUrlAuthType NONE and an Allow
// of lambda:InvokeFunction for "*" (AWS's rule since October 2025).
bool allows_public_url(const nlohmann::ordered_json& statements);

}  // namespace ld::local::lambda
