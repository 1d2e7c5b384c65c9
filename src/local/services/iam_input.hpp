#pragma once
// What the local IAM's operations share (iam.cpp: roles, inline policies, OpenID Connect
// providers; iam_managed_policies.cpp: managed policies): the record kinds and keys, input
// members checked and refused in IAM's words, and finding a role.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "local/api_call.hpp"
#include "local/records.hpp"
#include "local/state.hpp"

namespace ld::local::iam {

inline constexpr std::string_view kRoleKind = "iam.role";
inline constexpr std::string_view kAttachedKind = "iam.role-attached-policy";
inline constexpr std::string_view kManagedKind = "iam.managed-policy";

// A string member, or "" when absent or not a string.
std::string text_member(const nlohmann::json& input, const char* name);

// IAM's ValidationError (400).
ApiError validation(const std::string& message);
// IAM's InvalidInput (400).
ApiError invalid_input(const std::string& message);

// A name member (RoleName, PolicyName): present, at most `longest` long, of IAM's name
// characters; `wire_name` is how IAM's messages call it.
std::string required_name(const nlohmann::json& input, const char* member, const char* wire_name,
                          std::size_t longest);

// A policy document member: present and JSON (IAM answers MalformedPolicyDocument otherwise).
std::string policy_document(const nlohmann::json& input, const char* member, const char* wire_name);

// The Path member ("/" when absent), checked as IAM checks it; `pattern` is how IAM's message
// for this operation spells the pattern a path must match.
std::string path_member(const nlohmann::json& input, const std::string& pattern);

// Tags as a list of {Key, Value}, checked as IAM checks them.
nlohmann::json tag_list(const nlohmann::json& input);

// `prefix` (AROA for roles, ANPA for policies) + 17 random characters from IAM's unique-id
// alphabet.
std::string new_unique_id(const std::string& prefix);

// Role names are unique case-insensitively within an account.
std::string role_key(const ApiCall& call, const std::string& role_name);

// NoSuchEntity for a role nothing names.
ApiError no_such_role(const std::string& name);

// The caller's account's role `name`, or NoSuchEntity.
Record find_role(State& state, const ApiCall& call, const std::string& name);

}  // namespace ld::local::iam
