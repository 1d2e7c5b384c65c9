#pragma once
// Where credentials come from, in the AWS SDKs' order: explicit keys, the environment, web
// identity, the shared files' profile (static keys, assumed roles, credential_process), the
// container endpoint (ECS/EKS), and the EC2 instance metadata service.
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/shared_config.hpp"
#include "aws/transport.hpp"
#include "core/time.hpp"

namespace ld::aws {

// A provider's source is simply absent (no variable, no file, no key in the profile): a chain
// notes why and asks the next provider. Any other CredentialsError stops the chain.
class CredentialsNotFound : public CredentialsError {
 public:
  using CredentialsError::CredentialsError;
};

// What the providers that read settings or call out (STS, container, IMDS) share.
struct ProviderContext {
  EnvLookup env = process_environment();
  std::shared_ptr<const SharedConfig> config = std::make_shared<SharedConfig>();
  std::string profile = "default";       // the active profile: its settings pick the STS endpoint
  std::string region;                    // STS region; empty: STS's global endpoint
  std::shared_ptr<Transport> transport;  // STS
  std::shared_ptr<Transport> metadata_transport;  // container and IMDS (short time-outs)
  NowFn now = system_now;
};

// Keys given directly (options, command line).
class StaticProvider : public CredentialsProvider {
 public:
  explicit StaticProvider(Credentials credentials);
  Credentials credentials() override;

 private:
  Credentials credentials_;
};

// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
class EnvironmentProvider : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(EnvLookup env);
  Credentials credentials() override;

 private:
  EnvLookup env_;
};

// Where a web identity token is and which role it is exchanged for.
struct WebIdentitySettings {
  std::string token_file;
  std::string role_arn;
  std::string session_name;  // empty: one is made up
  std::string origin;        // for messages: "environment", "profile 'ci'"
};

// Exchanges an OIDC token file for role credentials with STS AssumeRoleWithWebIdentity
// (an unsigned request), as EKS (IRSA) and CI systems set it up.
class WebIdentityProvider : public CredentialsProvider {
 public:
  // From AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME.
  explicit WebIdentityProvider(ProviderContext context);
  WebIdentityProvider(ProviderContext context, WebIdentitySettings settings);
  Credentials credentials() override;

 private:
  ProviderContext context_;
  std::optional<WebIdentitySettings> settings_;
};

// Runs a profile's credential_process command (through /bin/sh) and reads the JSON it prints:
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}.
class ProcessProvider : public CredentialsProvider {
 public:
  ProcessProvider(std::string command, std::string origin);
  Credentials credentials() override;

 private:
  std::string command_, origin_;
};

// A profile of the shared files: static keys (the credentials file first), a role assumed with
// role_arn + source_profile / credential_source (chains followed, loops refused), web identity
// keys, or credential_process.
class ProfileProvider : public CredentialsProvider {
 public:
  // `named`: the profile was asked for by name (--profile, AWS_PROFILE), so its absence is an
  // error rather than a reason to look elsewhere.
  ProfileProvider(ProviderContext context, std::string profile, bool named);
  Credentials credentials() override;

 private:
  ProviderContext context_;
  std::string profile_;
  bool named_;
};

// The ECS / EKS Pod Identity credentials endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
// (on http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI, with the token from
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or AWS_CONTAINER_AUTHORIZATION_TOKEN.
class ContainerProvider : public CredentialsProvider {
 public:
  explicit ContainerProvider(ProviderContext context);
  Credentials credentials() override;

 private:
  ProviderContext context_;
};

// The EC2 instance metadata service, IMDSv2 (token first, v1 when the token call is refused):
// AWS_EC2_METADATA_SERVICE_ENDPOINT or http://169.254.169.254; off with
// AWS_EC2_METADATA_DISABLED=true. One attempt, so a machine that is not on EC2 is not slowed.
class InstanceMetadataProvider : public CredentialsProvider {
 public:
  explicit InstanceMetadataProvider(ProviderContext context);
  Credentials credentials() override;

 private:
  ProviderContext context_;
};

// Keeps the inner provider's credentials and asks again only when they expire within
// `refresh_before` (5 minutes); keeps using the old ones if a refresh fails while they are
// still valid. Thread-safe.
class CachingProvider : public CredentialsProvider {
 public:
  CachingProvider(std::shared_ptr<CredentialsProvider> inner, NowFn now = system_now,
                  std::chrono::milliseconds refresh_before = std::chrono::minutes(5));
  Credentials credentials() override;

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  NowFn now_;
  std::chrono::milliseconds refresh_before_;
  std::mutex mu_;
  std::optional<Credentials> cached_;
};

// Asks each provider in turn; the first that has credentials is kept for later calls. When
// none has any, the error lists every place looked at, in order, and why each gave nothing.
// Thread-safe.
class ChainProvider : public CredentialsProvider {
 public:
  struct Link {
    std::string name;  // "environment variables", "profile 'dev'", ...
    std::shared_ptr<CredentialsProvider> provider;
  };
  explicit ChainProvider(std::vector<Link> links);
  Credentials credentials() override;

 private:
  std::vector<Link> links_;
  std::mutex mu_;
  std::shared_ptr<CredentialsProvider> chosen_;
};

// What the default chain is built from.
struct ChainOptions {
  std::string profile;  // --profile; empty: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"
  std::optional<Credentials> explicit_credentials;
  EnvLookup env = process_environment();
  std::shared_ptr<const SharedConfig> config;  // null: SharedConfig::load(env)
  std::string region;  // for STS; empty: found as the SDKs do, else STS's global endpoint
  std::shared_ptr<Transport> transport;           // for STS; null: a curl transport
  std::shared_ptr<Transport> metadata_transport;  // null: a curl transport, 1 s time-outs
  NowFn now = system_now;
};

// The SDKs' default chain. A profile given by name (--profile) takes the environment's keys
// out of it, as the AWS CLI does; AWS_PROFILE does not.
std::shared_ptr<CredentialsProvider> make_credentials_chain(ChainOptions options);

}  // namespace ld::aws
