#include "aws/session.hpp"

#include <charconv>

#include "aws/credentials_chain.hpp"
#include "aws/region.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

int parse_attempts(std::string_view text, const std::string& source) {
  std::string_view t = trim(text);
  int n = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || ptr != t.data() + t.size() || n < 1)
    throw Error(source + " is '" + std::string(text) +
                "'; max attempts must be a whole number of at least 1");
  return n;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

}  // namespace

RetryPolicy retry_policy_from(std::optional<int> explicit_max_attempts, const EnvLookup& env,
                              const std::optional<ConfigSection>& profile) {
  RetryPolicy policy;
  std::string mode = "standard";
  std::string mode_source;
  if (auto v = env_value(env, "AWS_RETRY_MODE")) {
    mode = std::string(trim(*v));
    mode_source = "AWS_RETRY_MODE";
  } else if (profile && profile->get("retry_mode")) {
    mode = std::string(trim(*profile->get("retry_mode")));
    mode_source = "retry_mode (" + profile->where("retry_mode") + ")";
  }
  if (mode != "standard" && mode != "legacy" && mode != "adaptive")
    throw Error(mode_source + " is '" + mode + "'; expected standard, legacy or adaptive");
  if (mode == "legacy") policy.max_attempts = 5;  // legacy mode's default: 4 retries

  if (explicit_max_attempts) {
    if (*explicit_max_attempts < 1)
      throw Error("max attempts is " + std::to_string(*explicit_max_attempts) +
                  "; it must be at least 1");
    policy.max_attempts = *explicit_max_attempts;
  } else if (auto v = env_value(env, "AWS_MAX_ATTEMPTS")) {
    policy.max_attempts = parse_attempts(*v, "AWS_MAX_ATTEMPTS");
  } else if (profile && profile->get("max_attempts")) {
    policy.max_attempts = parse_attempts(*profile->get("max_attempts"),
                                         "max_attempts (" + profile->where("max_attempts") + ")");
  }
  return policy;
}

Session::Session(SessionOptions options) : options_(std::move(options)) {
  if (!options_.env) options_.env = process_environment();
  if (!options_.now) options_.now = system_now;
  const EnvLookup& env = options_.env;
  config_ = std::make_shared<const SharedConfig>(SharedConfig::load(env));
  profile_ = profile_name(options_.profile, env);
  std::optional<ConfigSection> profile = config_->profile(profile_);
  bool named = !options_.profile.empty() || env_value(env, "AWS_PROFILE") ||
               env_value(env, "AWS_DEFAULT_PROFILE");
  if (named && !profile) {
    auto names = config_->profile_names();
    throw Error(
        "profile '" + profile_ + "' is in neither " +
        (config_->config_file().empty() ? "~/.aws/config" : config_->config_file()) + " nor " +
        (config_->credentials_file().empty() ? "~/.aws/credentials" : config_->credentials_file()) +
        (names.empty() ? "" : "; the profiles there are: " + join(names)));
  }
  if (!options_.endpoint_url.empty()) Endpoint::parse(options_.endpoint_url);  // fail early

  region_ = resolve_region(options_.region, env, *config_, profile_);
  retry_ = retry_policy_from(options_.max_attempts, env, profile);

  transport_options_ = options_.transport;
  if (transport_options_.ca_file.empty()) {
    std::string source;
    if (auto v = env_value(env, "AWS_CA_BUNDLE")) {
      transport_options_.ca_file = *v;
      source = "AWS_CA_BUNDLE";
    } else if (profile && profile->get("ca_bundle")) {
      transport_options_.ca_file = *profile->get("ca_bundle");
      source = "ca_bundle (" + profile->where("ca_bundle") + ")";
    }
    if (!transport_options_.ca_file.empty()) {
      std::string& file = transport_options_.ca_file;
      if (file.rfind("~/", 0) == 0)
        if (auto home = env_value(env, "HOME")) file = *home + file.substr(1);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(file, ec))
        throw Error(source + " names the CA bundle " + file + ", which is not a readable file");
    }
  }

  if (profile) {
    if (auto style = profile->get("s3", "addressing_style")) {
      if (*style == "path")
        s3_path_style_ = true;
      else if (*style != "virtual" && *style != "auto")
        throw Error("s3.addressing_style (" + profile->where("s3") + ") is '" + *style +
                    "'; expected path, virtual or auto");
    }
  }

  transport_ =
      options_.use_transport ? options_.use_transport : make_curl_transport(transport_options_);

  ChainOptions chain;
  chain.profile = options_.profile;
  chain.explicit_credentials = options_.explicit_credentials;
  chain.env = env;
  chain.config = config_;
  chain.region = region_.region;
  chain.transport = transport_;
  chain.metadata_transport = options_.metadata_transport;
  chain.now = options_.now;
  credentials_ = make_credentials_chain(std::move(chain));
}

ResolvedEndpoint Session::endpoint(const ServiceInfo& service) const {
  EndpointSettings settings{options_.endpoint_url, options_.env, config_.get(), profile_};
  return resolve_endpoint(service, region_.region, settings);
}

ClientConfig Session::client_config(const ServiceInfo& service) const {
  ResolvedEndpoint resolved = endpoint(service);
  ClientConfig c;
  c.region = region_.region;
  c.endpoint = resolved.endpoint;
  c.custom_endpoint = resolved.custom;
  c.signing_region = resolved.signing_region;
  c.credentials = credentials_;
  c.transport = transport_;
  c.retry = retry_;
  c.now = options_.now;
  c.s3_force_path_style = s3_path_style_;
  return c;
}

}  // namespace ld::aws
