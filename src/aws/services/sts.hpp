#pragma once
// AWS STS (query, 2011-06-15): who the credentials are, and temporary credentials for a role.
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kSts;

namespace sts {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace sts

// STS's operations as calls taking and returning JSON shaped as the API (PackedPolicySize a
// number).
class StsClient {
 public:
  explicit StsClient(ClientConfig config);

  // {"UserId", "Account", "Arn"}.
  json get_caller_identity(const json& input = json::object()) const;
  json assume_role(const json& input) const;
  json assume_role_with_web_identity(const json& input) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
