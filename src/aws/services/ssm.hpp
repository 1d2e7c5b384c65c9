#pragma once
// AWS Systems Manager Parameter Store (json 1.1, 2014-11-06): configuration values and secrets.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/client.hpp"

namespace ld::aws {

extern const ServiceInfo kSsm;

namespace ssm {
// Every operation this client sends, for tests that check them against the API model.
const std::vector<const Operation*>& operations();
}  // namespace ssm

// SSM's parameter operations as calls taking and returning JSON shaped as the API.
class SsmClient {
 public:
  explicit SsmClient(ClientConfig config);

  json get_parameter(const json& input) const;
  json get_parameters(const json& input) const;
  json get_parameters_by_path(const json& input) const;
  json put_parameter(const json& input) const;
  void delete_parameter(const json& input) const;

  // Conveniences.
  // The parameter's value (SecureString decrypted when asked); nullopt on ParameterNotFound.
  std::optional<std::string> get_parameter_value(std::string_view name,
                                                 bool with_decryption = true) const;
  // Every page of GetParametersByPath (NextToken → NextToken): all Parameters.
  json get_all_parameters_by_path(std::string_view path, bool recursive,
                                  bool with_decryption = true) const;

  const Client& client() const { return client_; }

 private:
  Client client_;
};

}  // namespace ld::aws
