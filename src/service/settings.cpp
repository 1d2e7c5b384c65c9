#include "service/settings.hpp"

#include <cstdlib>
#include <fstream>
#include <system_error>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::service {
namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_version(std::string_view text) {
  if (text.size() < 6 || text.front() != 'v') return false;
  const auto parts = ld::split(text.substr(1), '.');
  return parts.size() == 3 && digits(parts[0]) && digits(parts[1]) && digits(parts[2]);
}

std::string read_version(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ld::Error("cannot read the version file " + file.string());
  std::string line;
  std::getline(in, line);
  const std::string version(ld::trim(line));
  if (!is_version(version)) {
    throw ld::Error("the version file " + file.string() + " holds '" + version +
                    "', not a version like v1.2.3");
  }
  return version;
}

std::optional<std::filesystem::path> version_file() {
  std::error_code error;
  if (const char* root = std::getenv("LAMBDA_TASK_ROOT"); root != nullptr && *root != '\0') {
    const auto path = std::filesystem::path(root) / "version";
    if (std::filesystem::exists(path, error)) return path;
  }
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto path = exe.parent_path() / "version";
    if (std::filesystem::exists(path, error)) return path;
  }
  return std::nullopt;
}

Settings Settings::from_env(const std::string& fallback_version) {
  Settings settings;
  settings.api_key_name = env_or("FAST_API__AUTH__API_KEY__NAME", "");
  settings.api_key_value = env_or("FAST_API__AUTH__API_KEY__VALUE", "");
  settings.github_api_url = env_or("GITHUB_API_URL", settings.github_api_url);
  settings.github_token = env_or("GITHUB_TOKEN", "");
  settings.ip_data_api_url = env_or("IP_DATA_API_URL", settings.ip_data_api_url);
  settings.ip_data_api_key = env_or("IP_DATA__API_KEY", "");
  settings.checkip_url = env_or("CHECKIP_URL", settings.checkip_url);
  const auto file = version_file();
  settings.version = file ? read_version(*file) : fallback_version;
  return settings;
}

}  // namespace ld::service
