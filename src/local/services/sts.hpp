#pragma once
// STS on the local endpoint: GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity, whose
// temporary credentials the key ring then accepts until they expire.
#include <memory>

#include "core/transport.hpp"
#include "local/key_ring.hpp"
#include "local/service.hpp"
#include "local/state.hpp"

namespace ld::local {

// STS (query protocol, 2011-06-15). AssumeRoleWithWebIdentity verifies the token as STS does:
// the OIDC provider registered in IAM for its issuer, the issuer's published keys (fetched with
// `transport`) for its RS*/ES* signature, its audience among the provider's client ids, its
// validity times, and the role's trust policy; anything less gets no credentials.
class StsService : public Service {
 public:
  StsService(std::shared_ptr<KeyRing> keys, State state,
             std::shared_ptr<Transport> transport = nullptr);
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  nlohmann::json assume_role_with_web_identity(const ApiCall& call);

  std::shared_ptr<KeyRing> keys_;
  State state_;
  std::shared_ptr<Transport> transport_;
};

}  // namespace ld::local
