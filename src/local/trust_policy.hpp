#pragma once
// A role's trust policy (its AssumeRolePolicyDocument) asked whether it lets a web identity
// assume the role, as STS asks it for AssumeRoleWithWebIdentity.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ld::local {

// Who asks: the OIDC provider's ARN (the Federated principal) and the condition keys the token
// gives ("token.actions.githubusercontent.com:sub" → its values).
struct FederatedCaller {
  std::string provider_arn;
  std::map<std::string, std::vector<std::string>> keys;
};

// True when a statement allows sts:AssumeRoleWithWebIdentity to `caller` (Principal Federated,
// Action and every Condition met) and none denies it. Conditions use the String* operators
// (with IfExists and ForAnyValue: / ForAllValues:); a statement with an operator or element this
// does not know never allows (and a Deny with one always denies): unsure means no.
bool trust_allows_web_identity(const std::string& policy_document, const FederatedCaller& caller);

// `text` against an IAM pattern where '*' is any run of characters and '?' any one.
bool iam_like(std::string_view pattern, std::string_view text);

}  // namespace ld::local
