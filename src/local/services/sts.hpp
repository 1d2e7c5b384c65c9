#pragma once
// STS on the local endpoint: GetCallerIdentity, AssumeRole and AssumeRoleWithWebIdentity, whose
// temporary credentials the key ring then accepts until they expire.
#include <memory>

#include "local/key_ring.hpp"
#include "local/service.hpp"

namespace ld::local {

// STS (query protocol, 2011-06-15).
class StsService : public Service {
 public:
  explicit StsService(std::shared_ptr<KeyRing> keys) : keys_(std::move(keys)) {}
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  std::shared_ptr<KeyRing> keys_;
};

}  // namespace ld::local
