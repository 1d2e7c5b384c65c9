// WebIdentityProvider: an OIDC token file exchanged with STS AssumeRoleWithWebIdentity.
#include "aws/credentials_chain.hpp"
#include "aws/credentials_detail.hpp"

namespace ld::aws {

using namespace detail;

// ---- WebIdentityProvider ----

WebIdentityProvider::WebIdentityProvider(ProviderContext context) : context_(std::move(context)) {}

WebIdentityProvider::WebIdentityProvider(ProviderContext context, WebIdentitySettings settings)
    : context_(std::move(context)), settings_(std::move(settings)) {}

Credentials WebIdentityProvider::credentials() {
  WebIdentitySettings settings;
  if (settings_) {
    settings = *settings_;
  } else {
    auto token_file = env_value(context_.env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    auto role = env_value(context_.env, "AWS_ROLE_ARN");
    if (!token_file && !role)
      throw CredentialsNotFound("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set");
    if (!token_file)
      throw CredentialsNotFound("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    if (!role)
      throw CredentialsError(
          "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the ARN of the role "
          "to assume with the token");
    settings = {*token_file, *role, env_value(context_.env, "AWS_ROLE_SESSION_NAME").value_or(""),
                "environment"};
  }
  std::string what =
      "assuming role " + settings.role_arn + " with a web identity token (" + settings.origin + ")";
  std::string token = read_token_file(settings.token_file, "web identity token file");
  QueryParams params{{"RoleArn", settings.role_arn},
                     {"RoleSessionName", settings.session_name.empty() ? session_name(context_.now)
                                                                       : settings.session_name},
                     {"WebIdentityToken", token}};
  Credentials c = call_sts(context_, "AssumeRoleWithWebIdentity", params, nullptr, what);
  c.source = "web identity (" + settings.origin + ", role " + settings.role_arn + ")";
  return c;
}

}  // namespace ld::aws
