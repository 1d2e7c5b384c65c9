#pragma once
// AWS IAM (query, 2010-05-08, one global endpoint): the execution role and its inline policy.
#include <optional>
#include <string_view>
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kIam;

namespace iam {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace iam

// IAM's role operations as calls taking and returning JSON shaped as the API. Policy documents
// may be given as JSON objects (sent as their text) and come back decoded and parsed (IAM returns
// them URL-encoded); a role's Tags is always a list and MaxSessionDuration a number.
class IamClient {
 public:
  explicit IamClient(ClientConfig config);

  json get_role(const json& input) const;
  json create_role(const json& input) const;
  void delete_role(const json& input) const;
  void put_role_policy(const json& input) const;
  json get_role_policy(const json& input) const;
  void delete_role_policy(const json& input) const;

  // Conveniences: the Role, or the inline policy's document; nullopt on NoSuchEntity.
  std::optional<json> find_role(std::string_view role_name) const;
  std::optional<json> find_role_policy(std::string_view role_name,
                                       std::string_view policy_name) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
