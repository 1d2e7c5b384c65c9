// Credentials given directly (StaticProvider) or by AWS_* variables (EnvironmentProvider).
#include "aws/credentials_chain.hpp"
#include "aws/credentials_detail.hpp"

namespace ld::aws {

using namespace detail;

// ---- StaticProvider ----

StaticProvider::StaticProvider(Credentials credentials) : credentials_(std::move(credentials)) {
  if (credentials_.source.empty()) credentials_.source = "explicit keys";
}

Credentials StaticProvider::credentials() {
  if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty())
    throw CredentialsError(
        std::string("explicit credentials need both an access key id and a "
                    "secret access key; ") +
        (credentials_.access_key_id.empty() ? "the access key id" : "the secret access key") +
        " is missing");
  return credentials_;
}

// ---- EnvironmentProvider ----

EnvironmentProvider::EnvironmentProvider(EnvLookup env) : env_(std::move(env)) {}

Credentials EnvironmentProvider::credentials() {
  auto id = env_value(env_, "AWS_ACCESS_KEY_ID");
  auto secret = env_value(env_, "AWS_SECRET_ACCESS_KEY");
  if (!id && !secret)
    throw CredentialsNotFound("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  if (!id)
    throw CredentialsError(
        "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or neither");
  if (!secret)
    throw CredentialsError(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither");
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token = env_value(env_, "AWS_SESSION_TOKEN")
                        .value_or(env_value(env_, "AWS_SECURITY_TOKEN").value_or(""));
  if (auto expiration = env_value(env_, "AWS_CREDENTIAL_EXPIRATION"))
    c.expiration = parse_expiration(*expiration, "AWS_CREDENTIAL_EXPIRATION");
  c.source = "environment";
  return c;
}

}  // namespace ld::aws
