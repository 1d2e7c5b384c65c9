#pragma once
// IAM on the local endpoint: roles and their inline policies (what the deployer's execution role
// needs) and OpenID Connect providers (whose tokens STS exchanges for a role's credentials), kept
// in the endpoint's records.
#include <optional>
#include <string>
#include <vector>

#include "local/service.hpp"
#include "local/state.hpp"

namespace ld::local {

// An OpenID Connect identity provider as CreateOpenIDConnectProvider registered it.
struct OidcProvider {
  std::string arn;                      // arn:aws:iam::{account}:oidc-provider/{host}{/path}
  std::string url;                      // https://{host}{/path} (or http://127.0.0.1:{port}…)
  std::vector<std::string> client_ids;  // the audiences its tokens may be for
};

// `account`'s provider for tokens whose `iss` is `issuer`, if one is registered.
std::optional<OidcProvider> find_oidc_provider(const State& state, const std::string& account,
                                               const std::string& issuer);

// `account`'s role `role_name` as stored (RoleName, Arn, AssumeRolePolicyDocument,
// MaxSessionDuration, …), if it exists.
std::optional<nlohmann::json> find_role_document(const State& state, const std::string& account,
                                                 const std::string& role_name);

// IAM (query, 2010-05-08): CreateRole, GetRole, DeleteRole, ListRoles, PutRolePolicy,
// GetRolePolicy, DeleteRolePolicy, ListRolePolicies, CreateOpenIDConnectProvider,
// GetOpenIDConnectProvider, ListOpenIDConnectProviders, DeleteOpenIDConnectProvider.
class IamService : public Service {
 public:
  explicit IamService(State state) : state_(std::move(state)) {}
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  State state_;
};

}  // namespace ld::local
