#include "aws/endpoints.hpp"

#include <array>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

constexpr std::array<Partition, 5> kPartitions{{
    {"aws", "amazonaws.com", "us-east-1", "iam.amazonaws.com"},
    {"aws-cn", "amazonaws.com.cn", "cn-north-1", "iam.cn-north-1.amazonaws.com.cn"},
    {"aws-us-gov", "amazonaws.com", "us-gov-west-1", "iam.us-gov.amazonaws.com"},
    {"aws-iso", "c2s.ic.gov", "us-iso-east-1", "iam.us-iso-east-1.c2s.ic.gov"},
    {"aws-iso-b", "sc2s.sgov.gov", "us-isob-east-1", "iam.us-isob-east-1.sc2s.sgov.gov"},
}};

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

const Partition& partition(std::string_view id) {
  for (const auto& p : kPartitions)
    if (p.id == id) return p;
  return kPartitions[0];
}

// The service's name in `id` with spaces as '_' ("CloudWatch Logs" → "CloudWatch_Logs").
std::string underscored(std::string_view id) {
  std::string out(id);
  for (char& c : out)
    if (c == ' ') c = '_';
  return out;
}

// Whether a setting reads as "true".
bool is_true(std::string_view value) {
  return iequals(trim(value), "true");
}

}  // namespace

const Partition& partition_of(std::string_view region) {
  for (const auto& p : kPartitions)
    if (region.size() == p.id.size() + 7 && starts_with(region, p.id) &&
        region.substr(p.id.size()) == "-global")
      return p;
  if (starts_with(region, "cn-")) return partition("aws-cn");
  if (starts_with(region, "us-gov-")) return partition("aws-us-gov");
  if (starts_with(region, "us-isob-")) return partition("aws-iso-b");
  if (starts_with(region, "us-iso-")) return partition("aws-iso");
  return kPartitions[0];
}

ResolvedEndpoint standard_endpoint(const ServiceInfo& service, std::string_view region) {
  if (region.empty())
    throw Error("no region to find the " + std::string(service.id) +
                " endpoint for; set a region (--region or AWS_REGION)");
  const Partition& p = partition_of(region);
  std::string prefix(service.endpoint_prefix);
  std::string dns(p.dns_suffix);
  ResolvedEndpoint out;
  out.endpoint.scheme = "https";
  out.source = "standard";
  bool pseudo_global = region == std::string(p.id) + "-global";
  if (service.global) {
    out.endpoint.host = prefix == "iam" ? std::string(p.iam_host)
                        : p.id == "aws" ? prefix + "." + dns
                                        : prefix + "." + std::string(p.global_region) + "." + dns;
    out.signing_region = p.global_region;
  } else if (pseudo_global || (region == "s3-external-1" && prefix == "s3")) {
    out.endpoint.host = (pseudo_global ? prefix : std::string(region)) + "." + dns;
    out.signing_region = p.global_region;
  } else {
    out.endpoint.host = prefix + "." + std::string(region) + "." + dns;
    out.signing_region = region;
  }
  return out;
}

std::string endpoint_env_name(const ServiceInfo& service) {
  if (!service.env_name.empty()) return std::string(service.env_name);
  return to_upper(underscored(service.id));
}

std::string endpoint_config_key(const ServiceInfo& service) {
  if (!service.config_key.empty()) return std::string(service.config_key);
  return to_lower(underscored(service.id));
}

std::optional<ConfiguredUrl> configured_endpoint_url(const ServiceInfo& service,
                                                     const EndpointSettings& settings) {
  if (!settings.explicit_url.empty()) return ConfiguredUrl{settings.explicit_url, "--endpoint-url"};

  std::optional<ConfigSection> profile;
  if (settings.config) profile = settings.config->profile(settings.profile);

  if (auto ignore = env_value(settings.env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    if (is_true(*ignore)) return std::nullopt;
  } else if (profile) {
    if (auto v = profile->get("ignore_configured_endpoint_urls"); v && is_true(*v))
      return std::nullopt;
  }

  std::string service_var = "AWS_ENDPOINT_URL_" + endpoint_env_name(service);
  if (auto v = env_value(settings.env, service_var)) return ConfiguredUrl{*v, service_var};
  if (auto v = env_value(settings.env, "AWS_ENDPOINT_URL"))
    return ConfiguredUrl{*v, "AWS_ENDPOINT_URL"};
  if (!profile) return std::nullopt;

  if (auto services_name = profile->get("services")) {
    const ConfigSection* services = settings.config->services(*services_name);
    if (!services)
      throw Error("profile '" + settings.profile + "' (" + profile->where("services") +
                  ") uses services section '" + *services_name + "', but " +
                  settings.config->config_file() + " has no [services " + *services_name +
                  "] section");
    std::string key = endpoint_config_key(service);
    if (auto v = services->get(key, "endpoint_url"))
      return ConfiguredUrl{*v, "[services " + *services_name + "] " + key + ".endpoint_url (" +
                                   services->where(key) + ")"};
  }
  if (auto v = profile->get("endpoint_url"))
    return ConfiguredUrl{*v, "profile '" + settings.profile + "' endpoint_url (" +
                                 profile->where("endpoint_url") + ")"};
  return std::nullopt;
}

ResolvedEndpoint resolve_endpoint(const ServiceInfo& service, std::string_view region,
                                  const EndpointSettings& settings) {
  auto configured = configured_endpoint_url(service, settings);
  if (!configured) return standard_endpoint(service, region);
  ResolvedEndpoint out;
  try {
    out.endpoint = Endpoint::parse(trim(configured->url));
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (set by " + configured->source + ")");
  }
  // Signed for the region as given; a pseudo-region ("aws-global") or none signs for the
  // partition's home region.
  if (region.empty())
    out.signing_region = "us-east-1";
  else if (region == std::string(partition_of(region).id) + "-global")
    out.signing_region = partition_of(region).global_region;
  else
    out.signing_region = region;
  out.custom = true;
  out.source = configured->source;
  return out;
}

}  // namespace ld::aws
