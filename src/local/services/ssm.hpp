#pragma once
// SSM Parameter Store on the local endpoint: String, StringList and SecureString parameters with
// versions, read one at a time, by list or by path, kept in the endpoint's records.
#include <memory>

#include "local/service.hpp"
#include "local/state.hpp"

namespace ld::local {

// SSM (json 1.1, 2014-11-06): PutParameter, GetParameter(s), GetParametersByPath,
// DeleteParameter(s).
class SsmService : public Service {
 public:
  explicit SsmService(State state) : state_(std::move(state)) {}
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  State state_;
};

}  // namespace ld::local
