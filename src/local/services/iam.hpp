#pragma once
// IAM on the local endpoint: roles and their inline policies (what the deployer's execution role
// needs), kept in the endpoint's records.
#include "local/service.hpp"
#include "local/state.hpp"

namespace ld::local {

// IAM (query, 2010-05-08): CreateRole, GetRole, DeleteRole, ListRoles, PutRolePolicy,
// GetRolePolicy, DeleteRolePolicy, ListRolePolicies.
class IamService : public Service {
 public:
  explicit IamService(State state) : state_(std::move(state)) {}
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  State state_;
};

}  // namespace ld::local
