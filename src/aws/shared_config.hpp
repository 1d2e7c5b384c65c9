#pragma once
// The AWS shared files, ~/.aws/config and ~/.aws/credentials, as the SDKs and the AWS CLI read
// them; and the environment lookup every part of the configuration goes through.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace ld::aws {

// Reads one environment variable; tests pass a map instead of the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup process_environment();
// A fixed environment, for tests and for callers that build one.
EnvLookup environment_from(std::map<std::string, std::string> variables);
// The variable's value, treating an empty value as unset (as the SDKs do).
std::optional<std::string> env_value(const EnvLookup& env, const std::string& name);
// Whether the variable is set to "true" (any case).
bool env_true(const EnvLookup& env, const std::string& name);

// A shared file could not be read or parsed; what() names the file and the line.
class SharedConfigError : public Error {
 public:
  using Error::Error;
};

// One `key = value` of a section. A key whose value is left empty and followed by indented
// `sub_key = value` lines (as in `s3 =\n  addressing_style = path`) holds sub-properties.
struct ConfigValue {
  std::string value;
  std::map<std::string, std::string> sub;  // lower-case sub-keys
  std::string where;                       // "/home/u/.aws/config line 4", for messages
};

// The properties of one section, keys lower-cased as the SDKs compare them.
struct ConfigSection {
  std::map<std::string, ConfigValue> properties;

  const ConfigValue* find(std::string_view key) const;
  // A plain property's value (nullopt when absent or empty).
  std::optional<std::string> get(std::string_view key) const;
  // A sub-property's value (nullopt when absent or empty).
  std::optional<std::string> get(std::string_view key, std::string_view sub_key) const;
  // Where the key was written ("file line N"), or "" when absent.
  std::string where(std::string_view key) const;
};

// Parses one file in the shared INI dialect: `[section]` headers, `key = value` lines,
// indented continuation or sub-property lines, full-line comments starting with # or ;.
// Returns the sections by their header text (trimmed). Throws SharedConfigError naming
// `file_name` and the line.
std::map<std::string, ConfigSection> parse_ini(std::string_view text, const std::string& file_name);

// Both shared files, parsed. In the config file profiles are `[default]` and
// `[profile NAME]`, service endpoint blocks `[services NAME]`; in the credentials file a
// profile is `[NAME]`.
class SharedConfig {
 public:
  SharedConfig() = default;

  // Reads the files the environment names: AWS_CONFIG_FILE (default ~/.aws/config) and
  // AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials), ~ being HOME. A missing file
  // reads as empty; an unreadable or malformed one throws SharedConfigError.
  static SharedConfig load(const EnvLookup& env);
  // From text, for tests; the names are used in messages.
  static SharedConfig parse(std::string_view config_text, const std::string& config_name,
                            std::string_view credentials_text, const std::string& credentials_name);

  // The profile as the SDKs see it: the config file's section overlaid by the credentials
  // file's section of the same name. nullopt when neither file has it.
  std::optional<ConfigSection> profile(std::string_view name) const;
  // The profile's section in one file only (null when absent).
  const ConfigSection* config_profile(std::string_view name) const;
  const ConfigSection* credentials_profile(std::string_view name) const;
  // A `[services NAME]` section of the config file (null when absent).
  const ConfigSection* services(std::string_view name) const;

  // Profile names found in either file, sorted.
  std::vector<std::string> profile_names() const;

  // The files as named (paths, or the names given to parse()), and whether they existed.
  const std::string& config_file() const { return config_file_; }
  const std::string& credentials_file() const { return credentials_file_; }
  bool config_file_found() const { return config_found_; }
  bool credentials_file_found() const { return credentials_found_; }

 private:
  void add_config_sections(std::map<std::string, ConfigSection> sections);

  std::map<std::string, ConfigSection, std::less<>> config_profiles_;
  std::map<std::string, ConfigSection, std::less<>> credentials_profiles_;
  std::map<std::string, ConfigSection, std::less<>> services_;
  std::string config_file_, credentials_file_;
  bool config_found_ = false, credentials_found_ = false;
};

// The files' locations per the environment, ~ expanded with HOME; nullopt when the path
// needs HOME and it is not set.
std::optional<std::filesystem::path> config_file_path(const EnvLookup& env);
std::optional<std::filesystem::path> credentials_file_path(const EnvLookup& env);

// The active profile's name: `explicit_profile` when given, else AWS_PROFILE, else
// AWS_DEFAULT_PROFILE, else "default".
std::string profile_name(std::string_view explicit_profile, const EnvLookup& env);

}  // namespace ld::aws
