#pragma once
// The service's settings, read once at start from the environment and the `version` file.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "service/zipball.hpp"

namespace ld::service {

// Everything the routes need to know about their environment.
struct Settings {
  std::string api_key_name;   // FAST_API__AUTH__API_KEY__NAME
  std::string api_key_value;  // FAST_API__AUTH__API_KEY__VALUE
  bool api_key_enabled = true;
  std::string github_api_url = "https://api.github.com";      // GITHUB_API_URL
  std::string github_token;                                   // GITHUB_TOKEN
  std::string ip_data_api_url = "https://api.ipdata.co";      // IP_DATA_API_URL
  std::string ip_data_api_key;                                // IP_DATA__API_KEY
  std::string checkip_url = "https://checkip.amazonaws.com";  // CHECKIP_URL
  std::string version = "v0.0.0";
  std::chrono::milliseconds upstream_timeout{30000};
  ZipLimits zip_limits;

  // From the environment; the version from `version_file()` (or `fallback_version` when there
  // is none). Throws ld::Error when the version file does not hold vX.Y.Z.
  static Settings from_env(const std::string& fallback_version = "v0.0.0");
};

// The `version` file: in LAMBDA_TASK_ROOT when set, else next to the running binary.
std::optional<std::filesystem::path> version_file();

// Reads vX.Y.Z from a version file (first line, trimmed). Throws ld::Error naming the file.
std::string read_version(const std::filesystem::path& file);

// Whether text is vX.Y.Z (digits only, no leading zeros required).
bool is_version(std::string_view text);

}  // namespace ld::service
