#include "deploy/prune.hpp"

#include <algorithm>
#include <map>

namespace ld::deploy {

using nlohmann::json;

long long version_number(const std::string& version) {
  try {
    return std::stoll(version);
  } catch (const std::exception&) {
    return -1;
  }
}

std::map<std::string, std::vector<std::string>> aliases_by_version(const aws::LambdaClient& lambda,
                                                                   const std::string& function) {
  std::map<std::string, std::vector<std::string>> used;
  for (const auto& alias : lambda.list_all_aliases(function)) {
    const std::string name = alias.value("Name", "");
    used[alias.value("FunctionVersion", "")].push_back(name);
    const json routing = alias.value("RoutingConfig", json::object());
    if (!routing.is_object()) continue;
    for (const auto& [version, weight] :
         routing.value("AdditionalVersionWeights", json::object()).items()) {
      const int percent =
          weight.is_number() ? static_cast<int>(weight.get<double>() * 100 + 0.5) : 0;
      used[version].push_back(name + " (" + std::to_string(percent) + "%)");
    }
  }
  return used;
}

PruneResult prune_versions(const aws::LambdaClient& lambda, const std::string& function, int keep) {
  std::vector<std::string> versions;
  for (const auto& item : lambda.list_all_versions(function)) {
    const std::string version = item.value("Version", "");
    if (version_number(version) >= 0) versions.push_back(version);
  }
  std::sort(versions.begin(), versions.end(),
            [](const auto& a, const auto& b) { return version_number(a) < version_number(b); });
  PruneResult result;
  const std::size_t kept = static_cast<std::size_t>(std::max(keep, 1));
  if (versions.size() <= kept) return result;
  const auto used = aliases_by_version(lambda, function);
  for (std::size_t i = 0; i + kept < versions.size(); ++i) {
    const std::string& version = versions[i];
    if (auto found = used.find(version); found != used.end()) {
      std::string aliases;
      for (const auto& name : found->second) aliases += (aliases.empty() ? "" : ", ") + name;
      result.kept_for.push_back(version + " (" + aliases + ")");
      continue;
    }
    lambda.delete_function({{"FunctionName", function}, {"Qualifier", version}});
    result.deleted.push_back(version);
  }
  return result;
}

}  // namespace ld::deploy
