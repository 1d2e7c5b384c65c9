#pragma once
// Which AWS region requests go to, found where the SDKs look for it.
#include <optional>
#include <string>
#include <string_view>

#include "aws/shared_config.hpp"

namespace ld::aws {

// A region and where it was set ("--region", "AWS_REGION", ...), for messages.
struct RegionSetting {
  std::string region;
  std::string source;
};

// The region from, in order: `explicit_region` (--region), AWS_REGION, AWS_DEFAULT_REGION,
// the profile's `region` in the config file. nullopt when none is set. Throws ld::Error when
// the value found is not a region name, naming where it came from.
std::optional<RegionSetting> find_region(std::string_view explicit_region, const EnvLookup& env,
                                         const SharedConfig& config, std::string_view profile);

// As find_region, but there is no default: when none is set, throws ld::Error saying the four
// ways to set one.
RegionSetting resolve_region(std::string_view explicit_region, const EnvLookup& env,
                             const SharedConfig& config, std::string_view profile);

// Whether `name` has the shape of a region name (letters, digits and inner '-', at most 63).
bool valid_region_name(std::string_view name);

}  // namespace ld::aws
