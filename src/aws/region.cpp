#include "aws/region.hpp"

#include "core/strings.hpp"

namespace ld::aws {

bool valid_region_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name)
    if (!alnum(c) && c != '-') return false;
  return true;
}

namespace {

RegionSetting checked(const std::string& value, std::string source) {
  std::string region(trim(value));
  if (!valid_region_name(region))
    throw Error("region '" + value + "' (from " + source +
                ") is not a valid region name; expected something like us-east-1");
  return RegionSetting{std::move(region), std::move(source)};
}

}  // namespace

std::optional<RegionSetting> find_region(std::string_view explicit_region, const EnvLookup& env,
                                         const SharedConfig& config, std::string_view profile) {
  if (!explicit_region.empty()) return checked(std::string(explicit_region), "--region");
  if (auto v = env_value(env, "AWS_REGION")) return checked(*v, "AWS_REGION");
  if (auto v = env_value(env, "AWS_DEFAULT_REGION")) return checked(*v, "AWS_DEFAULT_REGION");
  if (auto section = config.profile(profile))
    if (auto v = section->get("region"))
      return checked(*v,
                     "profile '" + std::string(profile) + "' (" + section->where("region") + ")");
  return std::nullopt;
}

RegionSetting resolve_region(std::string_view explicit_region, const EnvLookup& env,
                             const SharedConfig& config, std::string_view profile) {
  if (auto found = find_region(explicit_region, env, config, profile)) return *found;
  std::string file = config.config_file().empty() ? "~/.aws/config" : config.config_file();
  std::string section =
      profile == "default" ? "[default]" : "[profile " + std::string(profile) + "]";
  throw Error(
      "no AWS region is set. Set one with --region REGION, the AWS_REGION or AWS_DEFAULT_REGION "
      "environment variable, or 'region = REGION' under " +
      section + " in " + file + " (for example: aws configure set region eu-west-1" +
      (profile == "default" ? std::string() : " --profile " + std::string(profile)) + ")");
}

}  // namespace ld::aws
