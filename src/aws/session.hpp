#pragma once
// The one object the CLI and the deployer build from their options: the region, one credentials
// chain and one transport shared by every client, the retry policy, and a ClientConfig for any
// service with its endpoint resolved.
#include <memory>
#include <optional>
#include <string>

#include "aws/client.hpp"
#include "aws/credentials.hpp"
#include "aws/endpoints.hpp"
#include "aws/region.hpp"
#include "aws/retry.hpp"
#include "aws/service.hpp"
#include "aws/shared_config.hpp"
#include "aws/transport.hpp"
#include "core/time.hpp"

namespace ld::aws {

// What a Session is built from: the global command-line options and the environment.
struct SessionOptions {
  std::string region;        // --region
  std::string profile;       // --profile
  std::string endpoint_url;  // --endpoint-url (for every client of this session)
  std::optional<Credentials> explicit_credentials;
  std::optional<int> max_attempts;  // beats AWS_MAX_ATTEMPTS and the profile's max_attempts
  EnvLookup env = process_environment();
  TransportOptions transport;                     // ca_file defaults to AWS_CA_BUNDLE / ca_bundle
  std::shared_ptr<Transport> use_transport;       // instead of a curl transport (tests)
  std::shared_ptr<Transport> metadata_transport;  // for container / IMDS credentials (tests)
  NowFn now = system_now;
};

// Resolved settings and the shared credentials and transport. Thread-safe once built.
class Session {
 public:
  // Reads the shared files and resolves the region (no default: throws ld::Error saying how to
  // set one), the retry policy and the CA bundle. Credentials are looked for on first use.
  // Throws ld::Error (SharedConfigError for a malformed file) when a setting is wrong, and when
  // a profile asked for by name is in neither file.
  explicit Session(SessionOptions options);

  const std::string& region() const { return region_.region; }
  // Where the region came from ("--region", "AWS_REGION", ...).
  const std::string& region_source() const { return region_.source; }
  const std::string& profile() const { return profile_; }
  const SharedConfig& shared_config() const { return *config_; }
  const RetryPolicy& retry_policy() const { return retry_; }
  const TransportOptions& transport_options() const { return transport_options_; }
  std::shared_ptr<CredentialsProvider> credentials() const { return credentials_; }
  std::shared_ptr<Transport> transport() const { return transport_; }

  // Where `service`'s requests go, custom or standard.
  ResolvedEndpoint endpoint(const ServiceInfo& service) const;
  // Everything a Client of `service` needs.
  ClientConfig client_config(const ServiceInfo& service) const;

 private:
  SessionOptions options_;
  std::shared_ptr<const SharedConfig> config_;
  std::string profile_;
  RegionSetting region_;
  RetryPolicy retry_;
  TransportOptions transport_options_;
  bool s3_path_style_ = false;
  std::shared_ptr<Transport> transport_;
  std::shared_ptr<CredentialsProvider> credentials_;
};

// The retry policy from `explicit_max_attempts`, AWS_MAX_ATTEMPTS, the profile's max_attempts,
// and AWS_RETRY_MODE / retry_mode (standard; legacy's default of 5 attempts; adaptive is
// treated as standard). Throws ld::Error naming the setting when a value is not valid.
RetryPolicy retry_policy_from(std::optional<int> explicit_max_attempts, const EnvLookup& env,
                              const std::optional<ConfigSection>& profile);

}  // namespace ld::aws
