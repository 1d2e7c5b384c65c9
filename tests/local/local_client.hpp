#pragma once
// How the local tests reach an endpoint with the project's own AWS clients: the default key and a
// client configuration pointed at the endpoint's URL.
#include <memory>
#include <optional>
#include <string>

#include "aws/client.hpp"
#include "aws/credentials.hpp"

namespace ld::test {

// The default key (test / test, account 000000000000).
class TestCredentials : public aws::CredentialsProvider {
 public:
  aws::Credentials credentials() override { return {"test", "test", "", std::nullopt, "test"}; }
};

// Clients for the endpoint at `url`: path-style S3, one attempt (a failure shows at once).
inline aws::ClientConfig client_config(const std::string& url,
                                       const std::string& region = "us-east-1") {
  aws::ClientConfig config;
  config.region = region;
  config.signing_region = region;
  config.endpoint = aws::Endpoint::parse(url);
  config.custom_endpoint = true;
  config.s3_force_path_style = true;
  config.credentials = std::make_shared<TestCredentials>();
  config.retry.max_attempts = 1;
  return config;
}

}  // namespace ld::test
