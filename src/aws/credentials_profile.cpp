// ProfileProvider: a shared-files profile's keys, assumed roles, web identity or process.
#include "aws/credentials_chain.hpp"

#include <algorithm>
#include <charconv>

#include "aws/credentials_detail.hpp"
#include "core/strings.hpp"

namespace ld::aws {

using namespace detail;

namespace {

// ---- static keys in a profile ----

std::optional<Credentials> static_keys(const ConfigSection* section, const std::string& profile,
                                       const std::string& file) {
  if (!section) return std::nullopt;
  auto id = section->get("aws_access_key_id");
  auto secret = section->get("aws_secret_access_key");
  if (!id && !secret) return std::nullopt;
  if (!id)
    throw CredentialsError("profile '" + profile + "' has aws_secret_access_key (" +
                           section->where("aws_secret_access_key") +
                           ") but no aws_access_key_id; set both");
  if (!secret)
    throw CredentialsError("profile '" + profile + "' has aws_access_key_id (" +
                           section->where("aws_access_key_id") +
                           ") but no aws_secret_access_key; set both");
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token =
      section->get("aws_session_token").value_or(section->get("aws_security_token").value_or(""));
  c.source = "profile '" + profile + "' (" + file + ")";
  return c;
}

bool has_static_keys(const SharedConfig& config, const std::string& profile) {
  for (const ConfigSection* s :
       {config.credentials_profile(profile), config.config_profile(profile)})
    if (s && (s->get("aws_access_key_id") || s->get("aws_secret_access_key"))) return true;
  return false;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// One walk through a profile and the profiles it names as sources.
class ProfileWalk {
 public:
  explicit ProfileWalk(const ProviderContext& context)
      : context_(context), config_(*context.config) {}

  Credentials top(const std::string& name, const ConfigSection& profile) {
    visited_ = {name};
    if (profile.get("role_arn") && !profile.get("web_identity_token_file"))
      return assume_role(name, profile);
    if (auto c = without_role(name, profile)) return *c;
    if (profile.get("sso_session") || profile.get("sso_start_url"))
      throw CredentialsError(
          "profile '" + name +
          "' uses IAM Identity Center (sso_*), whose token cache lambdeploy does not read; run "
          "`aws sso login --profile " +
          name +
          "` and add to the profile: credential_process = aws configure export-credentials "
          "--profile " +
          name + " --format process");
    throw CredentialsNotFound(
        "the profile has none of aws_access_key_id, role_arn, web_identity_token_file or "
        "credential_process");
  }

 private:
  // Web identity, static keys (credentials file, then config file) or credential_process:
  // what a profile yields without assuming a role with another profile's credentials.
  std::optional<Credentials> without_role(const std::string& name, const ConfigSection& profile) {
    std::string origin = "profile '" + name + "'";
    if (auto token_file = profile.get("web_identity_token_file")) {
      auto role = profile.get("role_arn");
      if (!role)
        throw CredentialsError(origin + " has web_identity_token_file (" +
                               profile.where("web_identity_token_file") + ") but no role_arn");
      WebIdentitySettings settings{*token_file, *role,
                                   profile.get("role_session_name").value_or(""), origin};
      return WebIdentityProvider(context_, settings).credentials();
    }
    if (auto c = static_keys(config_.credentials_profile(name), name, config_.credentials_file()))
      return c;
    if (auto command = profile.get("credential_process"))
      return ProcessProvider(*command, origin).credentials();
    if (auto c = static_keys(config_.config_profile(name), name, config_.config_file())) return c;
    return std::nullopt;
  }

  Credentials assume_role(const std::string& name, const ConfigSection& profile) {
    std::string origin = "profile '" + name + "'";
    std::string role = *profile.get("role_arn");
    auto source_profile = profile.get("source_profile");
    auto credential_source = profile.get("credential_source");
    if (source_profile && credential_source)
      throw CredentialsError(origin + " sets both source_profile (" +
                             profile.where("source_profile") + ") and credential_source (" +
                             profile.where("credential_source") + "); keep one");
    if (!source_profile && !credential_source)
      throw CredentialsError(origin + " has role_arn (" + profile.where("role_arn") +
                             ") but no source_profile or credential_source to assume it with");
    if (profile.get("mfa_serial"))
      throw CredentialsError(
          origin + " needs an MFA code (mfa_serial, " + profile.where("mfa_serial") +
          ") and lambdeploy cannot prompt for one; use credentials from `aws sts "
          "get-session-token` or a credential_process");
    QueryParams params{
        {"RoleArn", role},
        {"RoleSessionName", profile.get("role_session_name").value_or(session_name(context_.now))}};
    if (auto external_id = profile.get("external_id"))
      params.emplace_back("ExternalId", *external_id);
    if (auto duration = profile.get("duration_seconds")) {
      int seconds = 0;
      std::string_view d = trim(*duration);
      auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
      if (ec != std::errc() || ptr != d.data() + d.size() || seconds < 900 || seconds > 43200)
        throw CredentialsError(origin + " has duration_seconds " + in_quotes(*duration) + " (" +
                               profile.where("duration_seconds") +
                               "); expected a number of seconds from 900 to 43200");
      params.emplace_back("DurationSeconds", std::to_string(seconds));
    }
    Credentials source = source_profile ? from_source_profile(name, *source_profile)
                                        : from_credential_source(name, *credential_source);
    Credentials c = call_sts(context_, "AssumeRole", params, &source,
                             "assuming role " + role + " for " + origin);
    c.source = origin + " (role " + role + ", from " + source.source + ")";
    return c;
  }

  Credentials from_source_profile(const std::string& parent, const std::string& name) {
    std::optional<ConfigSection> profile = config_.profile(name);
    if (std::find(visited_.begin(), visited_.end(), name) != visited_.end()) {
      // A profile may name itself when it holds the keys to assume its own role with.
      bool self_with_keys = name == parent && has_static_keys(config_, name);
      if (!self_with_keys) {
        std::vector<std::string> path = visited_;
        path.push_back(name);
        throw CredentialsError(
            "profiles name each other as source_profile in a loop: " + join(path, " -> ") +
            "; the chain must end at a profile with credentials");
      }
    }
    if (!profile)
      throw CredentialsError("profile '" + parent + "' names source_profile '" + name + "' (" +
                             config_.profile(parent)->where("source_profile") +
                             "), which is in neither " + config_.config_file() + " nor " +
                             config_.credentials_file());
    visited_.push_back(name);
    if (has_static_keys(config_, name) || !profile->get("role_arn")) {
      if (auto c = without_role(name, *profile)) return *c;
      throw CredentialsError("source profile '" + name + "' (of profile '" + parent +
                             "') has no credentials: none of aws_access_key_id, "
                             "web_identity_token_file, credential_process or role_arn");
    }
    return assume_role(name, *profile);
  }

  Credentials from_credential_source(const std::string& parent, const std::string& source) {
    std::shared_ptr<CredentialsProvider> provider;
    if (source == "Environment")
      provider = std::make_shared<EnvironmentProvider>(context_.env);
    else if (source == "Ec2InstanceMetadata")
      provider = std::make_shared<InstanceMetadataProvider>(context_);
    else if (source == "EcsContainer")
      provider = std::make_shared<ContainerProvider>(context_);
    else
      throw CredentialsError("profile '" + parent + "' has credential_source " + in_quotes(source) +
                             " (" + config_.profile(parent)->where("credential_source") +
                             "); expected Environment, Ec2InstanceMetadata or EcsContainer");
    try {
      return provider->credentials();
    } catch (const CredentialsNotFound& e) {
      throw CredentialsError("profile '" + parent + "' takes its source credentials from " +
                             source + ", which has none: " + e.what());
    }
  }

  const ProviderContext& context_;
  const SharedConfig& config_;
  std::vector<std::string> visited_;
};

}  // namespace

// ---- ProfileProvider ----

ProfileProvider::ProfileProvider(ProviderContext context, std::string profile, bool named)
    : context_(std::move(context)), profile_(std::move(profile)), named_(named) {}

Credentials ProfileProvider::credentials() {
  const SharedConfig& config = *context_.config;
  std::optional<ConfigSection> profile = config.profile(profile_);
  if (!profile) {
    std::string files;
    for (auto [file, found] :
         {std::pair{config.config_file(), config.config_file_found()},
          std::pair{config.credentials_file(), config.credentials_file_found()}}) {
      if (!files.empty()) files += ", ";
      files += file.empty() ? "(no HOME to find it)" : file + (found ? "" : " (no such file)");
    }
    if (named_) {
      auto names = config.profile_names();
      throw CredentialsError("profile '" + profile_ + "' is not in " + files +
                             (names.empty() ? "; there are no profiles"
                                            : "; the profiles there are: " + join(names, ", ")));
    }
    throw CredentialsNotFound("no such profile in " + files);
  }
  return ProfileWalk(context_).top(profile_, *profile);
}

}  // namespace ld::aws
