#pragma once
// Where a service's requests go: the standard AWS endpoint for a region, or an endpoint the
// user configured (--endpoint-url, AWS_ENDPOINT_URL[_<SERVICE>], the config file), following
// the SDKs' "service-specific endpoints" rules.
#include <optional>
#include <string>
#include <string_view>

#include "aws/http.hpp"
#include "aws/service.hpp"
#include "aws/shared_config.hpp"

namespace ld::aws {

// A group of regions sharing a DNS suffix and the home of its global services.
struct Partition {
  std::string_view id;             // "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b"
  std::string_view dns_suffix;     // "amazonaws.com"
  std::string_view global_region;  // where global services are signed for: "us-east-1"
  std::string_view iam_host;       // the partition's one IAM endpoint
};

// The partition a region belongs to, by its prefix (cn-, us-gov-, us-iso-, us-isob-); "aws" for
// any other name. Pseudo-regions such as "aws-global" belong to their partition.
const Partition& partition_of(std::string_view region);

// Where requests for one service go, and the region they are signed for.
struct ResolvedEndpoint {
  Endpoint endpoint;
  std::string signing_region;
  bool custom = false;  // set by the user rather than the standard AWS endpoint
  std::string source;   // "standard", "--endpoint-url", "AWS_ENDPOINT_URL_LAMBDA", ...
};

// The AWS endpoint of `service` in `region`: https://{endpoint_prefix}.{region}.{dnsSuffix},
// one endpoint per partition for global services (IAM), "aws-global" and "s3-external-1" as
// the SDKs name them. Throws ld::Error when the region is empty.
ResolvedEndpoint standard_endpoint(const ServiceInfo& service, std::string_view region);

// What the user configured that bears on endpoints.
struct EndpointSettings {
  std::string explicit_url;  // --endpoint-url: beats everything
  EnvLookup env;             // AWS_ENDPOINT_URL*, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS
  const SharedConfig* config = nullptr;
  std::string profile = "default";
};

// A custom endpoint URL and where it was set.
struct ConfiguredUrl {
  std::string url;
  std::string source;
};

// The custom endpoint URL for `service`, in the SDKs' order: --endpoint-url; then, unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's ignore_configured_endpoint_urls):
// AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the `endpoint_url` of the service's block in
// the `[services NAME]` section the profile names with `services = NAME`, and the profile's
// own `endpoint_url`. nullopt when none. Throws ld::Error when the profile names a services
// section that does not exist.
std::optional<ConfiguredUrl> configured_endpoint_url(const ServiceInfo& service,
                                                     const EndpointSettings& settings);

// The endpoint requests for `service` go to: the configured one (custom; signed for `region`,
// or for the partition's home region when `region` is empty or a pseudo-region such as
// "aws-global") or the standard one. Throws ld::Error naming the setting when a configured URL
// is not valid.
ResolvedEndpoint resolve_endpoint(const ServiceInfo& service, std::string_view region,
                                  const EndpointSettings& settings);

// The suffix of AWS_ENDPOINT_URL_<SERVICE> and the key in a [services] section for `service`
// (ServiceInfo's env_name / config_key, or derived from its id when those are empty).
std::string endpoint_env_name(const ServiceInfo& service);
std::string endpoint_config_key(const ServiceInfo& service);

}  // namespace ld::aws
