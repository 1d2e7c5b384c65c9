#pragma once
// Managed policies on the local IAM: the AWS managed policies the Lambda tutorials attach (made
// up on the fly), customer managed policies (CreatePolicy, GetPolicy, DeletePolicy,
// GetPolicyVersion) and attaching either to a role.
#include <nlohmann/json.hpp>

#include "local/api_call.hpp"
#include "local/state.hpp"

namespace ld::local::iam {

// Each takes the caller's call and answers the operation's output (or throws its ApiError).
nlohmann::json attach_role_policy(State& state, const ApiCall& call);
nlohmann::json detach_role_policy(State& state, const ApiCall& call);
nlohmann::json list_attached_role_policies(State& state, const ApiCall& call);
nlohmann::json create_policy(State& state, const ApiCall& call);
nlohmann::json get_policy(State& state, const ApiCall& call);
nlohmann::json delete_policy(State& state, const ApiCall& call);
nlohmann::json get_policy_version(State& state, const ApiCall& call);

}  // namespace ld::local::iam
