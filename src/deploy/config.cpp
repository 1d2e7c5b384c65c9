#include "deploy/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <regex>
#include <string_view>
#include <system_error>
#include <utility>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "deploy/duration.hpp"
#include "deploy/naming.hpp"

namespace ld::deploy {

std::string Position::str() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigError::ConfigError(Position where, const std::string& what)
    : Error(where.str() + ": " + what), where_(std::move(where)), reason_(what) {}

namespace {
namespace fs = std::filesystem;
using Keys = std::vector<std::string_view>;

constexpr std::string_view kConfigName = "lambdeploy.toml";
constexpr std::size_t kMaxNameLength = 64;  // Lambda function names and IAM role names

const Keys kTopKeys = {"service",      "dependencies", "env",   "api_key", "function_url",
                       "invoke_check", "alarms",       "smoke", "stages"};
const Keys kSettingKeys = {
    "runtime",       "architecture",       "memory_mb", "timeout_s",  "ephemeral_storage_mb",
    "keep_versions", "log_retention_days", "role_arn",  "deps_bucket"};
const Keys kServiceKeys = {"name", "target", "version_file", "project"};
const Keys kStageKeys = {"protected", "account", "region", "canary", "provisioned_concurrency",
                         "env"};
const Keys kEnvSpecKeys = {"value", "from_env", "ssm", "default", "secret", "optional"};
const Keys kDependencyKinds = {"closure_of", "path", "dir"};
const Keys kRetentionDays = {"1",    "3",    "5",    "7",    "14",   "30",  "60",  "90",
                             "120",  "150",  "180",  "365",  "400",  "545", "731", "1096",
                             "1827", "2192", "2557", "2922", "3288", "3653"};
const Keys kReservedEnv = {"AWS_REGION",
                           "AWS_DEFAULT_REGION",
                           "AWS_LAMBDA_FUNCTION_NAME",
                           "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                           "AWS_LAMBDA_FUNCTION_VERSION",
                           "AWS_LAMBDA_INITIALIZATION_TYPE",
                           "AWS_LAMBDA_LOG_GROUP_NAME",
                           "AWS_LAMBDA_LOG_STREAM_NAME",
                           "AWS_ACCESS_KEY",
                           "AWS_ACCESS_KEY_ID",
                           "AWS_SECRET_ACCESS_KEY",
                           "AWS_SESSION_TOKEN",
                           "AWS_LAMBDA_RUNTIME_API",
                           "LAMBDA_TASK_ROOT",
                           "LAMBDA_RUNTIME_DIR",
                           "_HANDLER",
                           "_X_AMZN_TRACE_ID",
                           "AWS_EXECUTION_ENV"};

Keys joined(Keys a, const Keys& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string listed(const Keys& keys) {
  std::string out;
  for (std::string_view key : keys) out += (out.empty() ? "" : ", ") + std::string(key);
  return out;
}

bool contains(const Keys& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

// "a" path without "." or ".." parts and without a trailing separator.
fs::path normalised(const fs::path& p) {
  fs::path n = p.lexically_normal();
  if (!n.has_filename() && n.has_relative_path()) n = n.parent_path();
  return n;
}

// The TOML type of `node` with its article, for "got a string".
std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Edits (insert, delete, replace, swap of neighbours) between two keys, ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
          lower(a[i - 2]) == lower(b[j - 1]))
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[n][m];
}

// The known key nearest to `key`, when it is at most two edits away.
std::optional<std::string_view> nearest(std::string_view key, const Keys& known) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) best = candidate, best_distance = distance;
  }
  return best;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// [A-Za-z0-9_-]+: service, dependency and alarm names.
bool is_plain_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return is_letter(c) || is_digit(c) || c == '_' || c == '-';
  });
}

// Lowercase letters, digits and hyphens, starting with a letter.
bool is_stage_name(std::string_view s) {
  return !s.empty() && s[0] >= 'a' && s[0] <= 'z' && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
  });
}

// [A-Za-z][A-Za-z0-9_]*
bool is_env_name(std::string_view s) {
  return !s.empty() && is_letter(s[0]) && std::all_of(s.begin(), s.end(), [](char c) {
    return is_letter(c) || is_digit(c) || c == '_';
  });
}

bool is_account(std::string_view s) {
  return s.size() == 12 && std::all_of(s.begin(), s.end(), is_digit);
}

bool matches(std::string_view s, const std::regex& pattern) {
  return std::regex_match(s.begin(), s.end(), pattern);
}

bool is_role_arn(std::string_view s) {
  static const std::regex pattern(R"(arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+)");
  return matches(s, pattern);
}

bool is_region(std::string_view s) {
  static const std::regex pattern(R"([a-z]{2}(-[a-z]+)+-[0-9]+)");
  return matches(s, pattern);
}

// 90s, 5m, 1h, 1h30m (deploy/duration.hpp's format).
bool is_duration(std::string_view s) {
  return parse_duration(s).has_value();
}

// S3's rules for a bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and
// ending with a letter or digit, no "..".
bool is_bucket_name(std::string_view s) {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || is_digit(c); };
  return s.size() >= 3 && s.size() <= 63 && alnum(s.front()) && alnum(s.back()) &&
         s.find("..") == std::string_view::npos &&
         std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

// An SSM parameter name's placeholders are {stage} and {service} only.
bool has_known_placeholders(std::string_view s) {
  for (std::size_t at = s.find('{'); at != std::string_view::npos; at = s.find('{', at + 1)) {
    const std::string_view rest = s.substr(at);
    if (!rest.starts_with("{stage}") && !rest.starts_with("{service}")) return false;
  }
  return true;
}

// One key of a table, with where the key stands.
struct Entry {
  std::string key;
  Position where;
  const toml::node* node;
};

// One table of the file (a [header] table or an inline one): its values by key, type-checked,
// each error placed at the key or value it is about.
class Section {
 public:
  Section(const toml::table& table, std::string label, const std::string& file)
      : table_(&table), label_(std::move(label)), file_(&file) {}

  const std::string& label() const { return label_; }
  const std::string& file() const { return *file_; }
  Position at(const toml::source_position& p) const {
    return Position{*file_, static_cast<int>(p.line), static_cast<int>(p.column)};
  }
  // The table itself: its [header] or its `{`.
  Position where() const { return at(table_->source().begin); }
  // The value of `key`, or the table when the key is absent.
  Position where(std::string_view key) const {
    const toml::node* node = find(key);
    return node ? at(node->source().begin) : where();
  }
  const toml::node* find(std::string_view key) const { return table_->get(key); }
  bool has(std::string_view key) const { return find(key) != nullptr; }

  [[noreturn]] void fail(std::string_view key, const std::string& reason) const {
    throw ConfigError(where(key), reason);
  }
  [[noreturn]] void wrong_type(const Position& where, std::string_view key,
                               std::string_view expected, const toml::node& found) const {
    throw ConfigError(where, std::string(key) + " must be " + std::string(expected) + ", got " +
                                 std::string(type_name(found)));
  }

  // The keys in the order the file has them.
  std::vector<Entry> entries() const {
    std::vector<Entry> out;
    for (auto&& [key, node] : *table_)
      out.push_back({std::string(key.str()), at(key.source().begin), &node});
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
      return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    return out;
  }

  // Throws for the first key not in `known`, suggesting the nearest known one.
  void allow(const Keys& known) const {
    for (const Entry& entry : entries()) {
      if (contains(known, entry.key)) continue;
      std::string reason = "unknown key " + in_quotes(entry.key) + " in " + label_;
      if (auto suggestion = nearest(entry.key, known))
        reason += "; did you mean " + in_quotes(*suggestion) + "?";
      else
        reason += " (known keys: " + listed(known) + ")";
      throw ConfigError(entry.where, reason);
    }
  }

  std::optional<std::string> text(std::string_view key) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (const auto* s = node->as_string()) return s->get();
    wrong_type(where(key), key, "a string", *node);
  }
  // A string that must be present and not empty.
  std::string required_text(std::string_view key) const {
    std::optional<std::string> value = text(key);
    if (!value) fail(key, "missing required key " + in_quotes(key) + " in " + label_);
    if (value->empty()) fail(key, std::string(key) + " must not be empty");
    return *value;
  }
  std::optional<std::int64_t> integer(std::string_view key) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (const auto* i = node->as_integer()) return i->get();
    wrong_type(where(key), key, "an integer", *node);
  }
  std::optional<double> number(std::string_view key) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
    if (const auto* f = node->as_floating_point()) {
      if (!std::isfinite(f->get())) fail(key, std::string(key) + " must be a finite number");
      return f->get();
    }
    wrong_type(where(key), key, "a number", *node);
  }
  std::optional<bool> flag(std::string_view key) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    if (const auto* b = node->as_boolean()) return b->get();
    wrong_type(where(key), key, "a boolean (true or false)", *node);
  }
  std::optional<std::vector<std::string>> texts(std::string_view key) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    const toml::array* array = node->as_array();
    if (!array) wrong_type(where(key), key, "an array of strings", *node);
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      const auto* s = item.as_string();
      if (!s)
        throw ConfigError(
            at(item.source().begin),
            std::string(key) + " must hold only strings, got " + std::string(type_name(item)));
      out.push_back(s->get());
    }
    return out;
  }
  // The table under `key`, read as `label`.
  std::optional<Section> section(std::string_view key, std::string label) const {
    const toml::node* node = find(key);
    if (!node) return std::nullopt;
    const toml::table* table = node->as_table();
    if (!table) wrong_type(where(key), key, "a table", *node);
    return Section(*table, std::move(label), *file_);
  }
  const toml::array* array(std::string_view key, std::string_view expected) const {
    const toml::node* node = find(key);
    if (!node) return nullptr;
    const toml::array* array = node->as_array();
    if (!array) wrong_type(where(key), key, expected, *node);
    return array;
  }

 private:
  const toml::table* table_;
  std::string label_;  // "[service]", "[stages.prod]", "[env] KEY", for messages
  const std::string* file_;
};

// The entry's value as a table; `what` says what it is for messages.
Section entry_section(const Section& parent, const Entry& entry, std::string_view what,
                      std::string label) {
  const toml::table* table = entry.node->as_table();
  if (!table)
    parent.wrong_type(parent.at(entry.node->source().begin), entry.key, what, *entry.node);
  return Section(*table, std::move(label), parent.file());
}

int int_between(const Section& s, std::string_view key, int low, int high, int fallback) {
  const std::optional<std::int64_t> value = s.integer(key);
  if (!value) return fallback;
  if (*value < low || *value > high)
    s.fail(key, std::string(key) + " must be between " + std::to_string(low) + " and " +
                    std::to_string(high) + ", got " + std::to_string(*value));
  return static_cast<int>(*value);
}

int int_at_least(const Section& s, std::string_view key, int low, int fallback) {
  const std::optional<std::int64_t> value = s.integer(key);
  if (!value) return fallback;
  if (*value < low)
    s.fail(key, std::string(key) + " must be at least " + std::to_string(low) + ", got " +
                    std::to_string(*value));
  if (*value > std::numeric_limits<int>::max())
    s.fail(key, std::string(key) + " must be at most " +
                    std::to_string(std::numeric_limits<int>::max()) + ", got " +
                    std::to_string(*value));
  return static_cast<int>(*value);
}

// A string that must be one of `allowed`.
std::string choice(const Section& s, std::string_view key, const Keys& allowed,
                   std::string fallback) {
  std::optional<std::string> value = s.text(key);
  if (!value) return fallback;
  if (!contains(allowed, *value))
    s.fail(key,
           std::string(key) + " must be one of " + listed(allowed) + ", got " + in_quotes(*value));
  return *value;
}

// A string that `valid` accepts; `rule` says what it must look like.
std::optional<std::string> checked(const Section& s, std::string_view key,
                                   bool (*valid)(std::string_view), std::string_view rule) {
  std::optional<std::string> value = s.text(key);
  if (value && !valid(*value))
    s.fail(key, std::string(key) + " must be " + std::string(rule) + ", got " + in_quotes(*value));
  return value;
}

int retention_days(const Section& s, int fallback) {
  const std::optional<std::int64_t> value = s.integer("log_retention_days");
  if (!value) return fallback;
  if (!contains(kRetentionDays, std::to_string(*value)))
    s.fail("log_retention_days", "log_retention_days must be one of " + listed(kRetentionDays) +
                                     " (CloudWatch Logs' retention periods), got " +
                                     std::to_string(*value));
  return static_cast<int>(*value);
}

// `base` with the FunctionSettings keys of `s` applied.
FunctionSettings read_settings(const Section& s, FunctionSettings base) {
  base.runtime = choice(s, "runtime", {"provided.al2023", "provided.al2"}, base.runtime);
  base.architecture = choice(s, "architecture", {"x86_64", "arm64"}, base.architecture);
  base.memory_mb = int_between(s, "memory_mb", 128, 10240, base.memory_mb);
  base.timeout_s = int_between(s, "timeout_s", 1, 900, base.timeout_s);
  base.ephemeral_storage_mb =
      int_between(s, "ephemeral_storage_mb", 512, 10240, base.ephemeral_storage_mb);
  base.keep_versions = int_at_least(s, "keep_versions", 1, base.keep_versions);
  base.log_retention_days = retention_days(s, base.log_retention_days);
  if (auto arn = checked(s, "role_arn", is_role_arn,
                         "an IAM role ARN like arn:aws:iam::123456789012:role/NAME"))
    base.role_arn = std::move(arn);
  if (auto bucket = checked(s, "deps_bucket", is_bucket_name,
                            "an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)"))
    base.deps_bucket = std::move(bucket);
  return base;
}

void check_env_name(const Entry& entry) {
  if (contains(kReservedEnv, entry.key))
    throw ConfigError(entry.where, "env " + entry.key + " is reserved by Lambda and cannot be set");
  if (!is_env_name(entry.key))
    throw ConfigError(entry.where,
                      "env name " + in_quotes(entry.key) +
                          " must start with a letter and hold only letters, digits and _");
}

// The `{ from_env, ssm, default, value, secret, optional }` form.
EnvSpec read_env_table(const Section& s, EnvSpec spec) {
  s.allow(kEnvSpecKeys);
  spec.value = s.text("value");
  spec.from_env = s.text("from_env");
  spec.ssm = s.text("ssm");
  spec.default_value = s.text("default");
  spec.secret = s.flag("secret").value_or(false);
  spec.optional = s.flag("optional").value_or(false);
  if (spec.from_env && !is_env_name(*spec.from_env))
    s.fail("from_env",
           "from_env must name an environment variable, got " + in_quotes(*spec.from_env));
  if (spec.ssm && (spec.ssm->empty() || !has_known_placeholders(*spec.ssm)))
    s.fail("ssm", "ssm must be an SSM parameter name (placeholders: {stage}, {service}), got " +
                      in_quotes(*spec.ssm));
  for (std::string_view other : {"from_env", "ssm", "default"})
    if (spec.value && s.has(other))
      s.fail(other, "env " + spec.name + " sets both value and " + std::string(other) +
                        "; value excludes from_env, ssm and default");
  if (!spec.value && !spec.from_env && !spec.ssm && !spec.default_value && !spec.optional)
    throw ConfigError(spec.where, "env " + spec.name +
                                      " gives no value: set value, from_env, ssm or default, "
                                      "or optional = true");
  return spec;
}

EnvSpec read_env_spec(const Section& parent, const Entry& entry) {
  check_env_name(entry);
  EnvSpec spec;
  spec.name = entry.key;
  spec.where = entry.where;
  if (const auto* literal = entry.node->as_string()) {
    spec.value = literal->get();
    return spec;
  }
  const Section table =
      entry_section(parent, entry, "a string or a table like { from_env = \"X\" }",
                    parent.label() + " " + entry.key);
  return read_env_table(table, std::move(spec));
}

// An env table ([env] or a stage's env): name → spec.
std::map<std::string, EnvSpec> read_env(const Section& s) {
  std::map<std::string, EnvSpec> env;
  for (const Entry& entry : s.entries()) env[entry.key] = read_env_spec(s, entry);
  return env;
}

DependencySpec read_dependency(const Section& parent, const Entry& entry) {
  if (!is_plain_name(entry.key))
    throw ConfigError(entry.where, "dependency name " + in_quotes(entry.key) +
                                       " may hold only letters, digits, _ and -");
  const Section s = entry_section(parent, entry, "a table like { closure_of = \"target\" }",
                                  "[dependencies] " + entry.key);
  s.allow(kDependencyKinds);
  DependencySpec dep;
  dep.name = entry.key;
  dep.where = entry.where;
  std::vector<std::string_view> given;
  for (std::string_view kind : kDependencyKinds)
    if (s.has(kind)) given.push_back(kind);
  if (given.size() != 1)
    throw ConfigError(entry.where, "dependency " + entry.key +
                                       (given.empty() ? " gives none of closure_of, path, dir"
                                                      : " gives both " + std::string(given[0]) +
                                                            " and " + std::string(given[1])) +
                                       "; give exactly one of closure_of, path, dir");
  const std::string_view kind = given[0];
  dep.kind = kind == "closure_of" ? DependencySpec::Kind::ClosureOf
             : kind == "path"     ? DependencySpec::Kind::Path
                                  : DependencySpec::Kind::Dir;
  dep.value = s.required_text(kind);
  return dep;
}

std::vector<DependencySpec> read_dependencies(const Section& s) {
  std::vector<DependencySpec> deps;
  for (const Entry& entry : s.entries()) deps.push_back(read_dependency(s, entry));
  return deps;
}

// `key` must name a variable of [env].
std::string env_reference(const Section& s, std::string_view key,
                          const std::map<std::string, EnvSpec>& env) {
  std::string name = s.required_text(key);
  if (!env.contains(name))
    s.fail(key, std::string(key) + " names " + in_quotes(name) + ", which is not a key of [env]");
  return name;
}

ApiKeySpec read_api_key(const Section& s, const std::map<std::string, EnvSpec>& env) {
  s.allow({"header_from", "value_from"});
  ApiKeySpec key;
  key.header_from = env_reference(s, "header_from", env);
  key.value_from = env_reference(s, "value_from", env);
  key.where = s.where();
  return key;
}

CorsSpec read_cors(const Section& s) {
  s.allow({"allow_origins", "allow_methods", "allow_headers", "expose_headers", "allow_credentials",
           "max_age"});
  CorsSpec cors;
  cors.allow_origins = s.texts("allow_origins").value_or(std::vector<std::string>{});
  cors.allow_methods = s.texts("allow_methods").value_or(std::vector<std::string>{});
  cors.allow_headers = s.texts("allow_headers").value_or(std::vector<std::string>{});
  cors.expose_headers = s.texts("expose_headers").value_or(std::vector<std::string>{});
  cors.allow_credentials = s.flag("allow_credentials").value_or(false);
  if (s.has("max_age")) cors.max_age = int_between(s, "max_age", 0, 86400, 0);
  return cors;
}

FunctionUrlSpec read_function_url(const Section& s) {
  s.allow({"enabled", "auth", "invoke_mode", "cors"});
  FunctionUrlSpec url;
  url.enabled = s.flag("enabled").value_or(true);
  url.auth = choice(s, "auth", {"NONE", "AWS_IAM"}, url.auth);
  url.invoke_mode = choice(s, "invoke_mode", {"BUFFERED", "RESPONSE_STREAM"}, url.invoke_mode);
  if (auto cors = s.section("cors", "[function_url] cors")) url.cors = read_cors(*cors);
  url.where = s.where();
  return url;
}

InvokeCheckSpec read_invoke_check(const Section& s) {
  s.allow({"payload", "error_type"});
  InvokeCheckSpec check;
  check.payload = s.text("payload").value_or(check.payload);
  if (!nlohmann::json::accept(check.payload))
    s.fail("payload", "payload must be valid JSON, got " + in_quotes(check.payload));
  check.error_type = s.text("error_type").value_or(check.error_type);
  return check;
}

int read_period(const Section& s, int fallback) {
  const std::optional<std::int64_t> value = s.integer("period_s");
  if (!value) return fallback;
  if (*value != 10 && *value != 30 && (*value <= 0 || *value % 60 != 0 || *value > 86400))
    s.fail("period_s", "period_s must be 10, 30 or a multiple of 60 up to 86400, got " +
                           std::to_string(*value));
  return static_cast<int>(*value);
}

AlarmSpec read_alarm(const Section& s) {
  s.allow({"name", "metric", "statistic", "period_s", "evaluation_periods", "datapoints_to_alarm",
           "threshold", "comparison", "treat_missing_data"});
  AlarmSpec alarm;
  alarm.name = s.required_text("name");
  if (!is_plain_name(alarm.name))
    s.fail("name",
           "alarm name " + in_quotes(alarm.name) + " may hold only letters, digits, _ and -");
  alarm.metric = s.required_text("metric");
  alarm.statistic = choice(s, "statistic", {"SampleCount", "Average", "Sum", "Minimum", "Maximum"},
                           alarm.statistic);
  alarm.period_s = read_period(s, alarm.period_s);
  alarm.evaluation_periods = int_at_least(s, "evaluation_periods", 1, alarm.evaluation_periods);
  if (s.has("datapoints_to_alarm"))
    alarm.datapoints_to_alarm =
        int_between(s, "datapoints_to_alarm", 1, alarm.evaluation_periods, 1);
  alarm.threshold = s.number("threshold").value_or(alarm.threshold);
  alarm.comparison = choice(s, "comparison",
                            {"GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                             "LessThanThreshold", "LessThanOrEqualToThreshold"},
                            alarm.comparison);
  alarm.treat_missing_data =
      choice(s, "treat_missing_data", {"breaching", "notBreaching", "ignore", "missing"},
             alarm.treat_missing_data);
  alarm.where = s.where();
  return alarm;
}

SmokeSpec read_smoke(const Section& s) {
  s.allow({"path", "method", "status", "body", "contains", "with_key"});
  SmokeSpec smoke;
  smoke.path = s.text("path").value_or(smoke.path);
  if (!smoke.path.starts_with('/'))
    s.fail("path", "path must start with '/', got " + in_quotes(smoke.path));
  smoke.method = s.text("method").value_or(smoke.method);
  if (smoke.method.empty() || !std::all_of(smoke.method.begin(), smoke.method.end(),
                                           [](char c) { return c >= 'A' && c <= 'Z'; }))
    s.fail("method", "method must be an HTTP method like GET, got " + in_quotes(smoke.method));
  smoke.status = int_between(s, "status", 100, 599, smoke.status);
  smoke.body = s.text("body");
  smoke.contains = s.text("contains");
  smoke.with_key = s.flag("with_key").value_or(smoke.with_key);
  smoke.where = s.where();
  return smoke;
}

// Each table of the array of tables `key` ([[alarms]], [[smoke]]), read by `read`.
template <typename Read>
auto read_each(const Section& root, std::string_view key, Read read) {
  std::vector<decltype(read(root))> out;
  const std::string label = "[[" + std::string(key) + "]]";
  const toml::array* array = root.array(key, "an array of tables (" + label + ")");
  if (!array) return out;
  for (const toml::node& item : *array) {
    const toml::table* table = item.as_table();
    if (!table) root.wrong_type(root.at(item.source().begin), key, "an array of tables", item);
    out.push_back(read(Section(*table, label, root.file())));
  }
  return out;
}

void check_unique_alarms(const std::vector<AlarmSpec>& alarms) {
  for (std::size_t i = 0; i < alarms.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (alarms[i].name == alarms[j].name)
        throw ConfigError(alarms[i].where, "alarm name " + in_quotes(alarms[i].name) +
                                               " is used twice (first at " + alarms[j].where.str() +
                                               ")");
}

CanarySpec read_canary(const Section& s) {
  s.allow({"percent", "bake"});
  CanarySpec canary;
  canary.percent = int_between(s, "percent", 1, 99, canary.percent);
  const std::optional<std::string> bake = s.text("bake");
  if (bake && !bake->empty() && !is_duration(*bake))
    s.fail("bake", "bake must be a duration like 90s, 5m, 1h or 1h30m, got " + in_quotes(*bake));
  canary.bake = bake.value_or("");
  return canary;
}

// Function and role names must fit AWS's 64 characters.
void check_name_lengths(const Config& config, const StageSpec& stage) {
  Names names;
  names.function = config.function_name(stage.name);
  if (names.function.size() > kMaxNameLength)
    throw ConfigError(stage.where, "function name " + in_quotes(names.function) + " is " +
                                       std::to_string(names.function.size()) +
                                       " characters; Lambda allows at most 64 (shorten "
                                       "[service] name or the stage's name)");
  const std::string role = names.role();
  if (!stage.settings.role_arn && role.size() > kMaxNameLength)
    throw ConfigError(stage.where, "role name " + in_quotes(role) + " is " +
                                       std::to_string(role.size()) +
                                       " characters; IAM allows at most 64 (shorten the names, "
                                       "or set role_arn for this stage)");
}

StageSpec read_stage(const Section& s, const std::string& name, const FunctionSettings& base,
                     const std::map<std::string, EnvSpec>& env) {
  s.allow(joined(kStageKeys, kSettingKeys));
  StageSpec stage;
  stage.name = name;
  stage.where = s.where();
  stage.is_protected = s.flag("protected").value_or(false);
  stage.account = checked(s, "account", is_account, "12 digits, as a string");
  stage.region = checked(s, "region", is_region, "an AWS region like eu-west-1");
  stage.settings = read_settings(s, base);
  stage.env = env;
  if (auto overrides = s.section("env", s.label() + " env"))
    for (auto& [key, spec] : read_env(*overrides)) stage.env[key] = std::move(spec);
  if (auto canary = s.section("canary", s.label() + " canary")) stage.canary = read_canary(*canary);
  if (s.has("provisioned_concurrency"))
    stage.provisioned_concurrency = int_at_least(s, "provisioned_concurrency", 1, 1);
  return stage;
}

std::map<std::string, StageSpec> read_stages(const Config& config, const Section& root,
                                             const FunctionSettings& base,
                                             const std::map<std::string, EnvSpec>& env) {
  const std::optional<Section> stages = root.section("stages", "[stages]");
  std::map<std::string, StageSpec> out;
  if (!stages || stages->entries().empty())
    throw ConfigError(stages ? stages->where() : Position{root.file()},
                      "no stages: add at least one [stages.NAME] table, e.g. [stages.dev]");
  for (const Entry& entry : stages->entries()) {
    if (!is_stage_name(entry.key))
      throw ConfigError(entry.where, "stage name " + in_quotes(entry.key) +
                                         " must be lowercase letters, digits and -, "
                                         "starting with a letter");
    const Section s = entry_section(*stages, entry, "a table", "[stages." + entry.key + "]");
    StageSpec stage = read_stage(s, entry.key, base, env);
    check_name_lengths(config, stage);
    out.emplace(entry.key, std::move(stage));
  }
  return out;
}

// [service]: names, target, paths; returns the settings every stage starts from.
FunctionSettings read_service(const Section& root, Config& config) {
  const std::optional<Section> s = root.section("service", "[service]");
  if (!s) throw ConfigError(Position{root.file()}, "missing [service] table (name and target)");
  s->allow(joined(kServiceKeys, kSettingKeys));
  config.service_where = s->where();
  config.service = s->required_text("name");
  if (!is_plain_name(config.service))
    s->fail("name",
            "name may hold only letters, digits, _ and -, got " + in_quotes(config.service));
  config.target = s->required_text("target");
  config.version_file = s->text("version_file").value_or(config.version_file);
  config.project = normalised(config.dir / s->text("project").value_or("."));
  return read_settings(*s, FunctionSettings{});
}

Config read_config(const toml::table& table, const fs::path& path, const std::string& file) {
  Config config;
  config.path = normalised(fs::absolute(path));
  config.dir = config.path.parent_path();
  const Section root(table, "the file", file);
  root.allow(kTopKeys);
  const FunctionSettings base = read_service(root, config);
  if (auto deps = root.section("dependencies", "[dependencies]"))
    config.dependencies = read_dependencies(*deps);
  std::map<std::string, EnvSpec> env;
  if (auto section = root.section("env", "[env]")) env = read_env(*section);
  if (auto section = root.section("api_key", "[api_key]"))
    config.api_key = read_api_key(*section, env);
  config.function_url.where = Position{file};
  if (auto section = root.section("function_url", "[function_url]"))
    config.function_url = read_function_url(*section);
  if (auto section = root.section("invoke_check", "[invoke_check]"))
    config.invoke_check = read_invoke_check(*section);
  config.alarms = read_each(root, "alarms", read_alarm);
  check_unique_alarms(config.alarms);
  config.smoke = read_each(root, "smoke", read_smoke);
  config.stages = read_stages(config, root, base, env);
  return config;
}

}  // namespace

const StageSpec& Config::stage(const std::string& name) const {
  if (auto it = stages.find(name); it != stages.end()) return it->second;
  std::vector<const StageSpec*> in_file_order;
  for (const auto& [_, spec] : stages) in_file_order.push_back(&spec);
  std::sort(in_file_order.begin(), in_file_order.end(), [](const StageSpec* a, const StageSpec* b) {
    return std::pair(a->where.line, a->where.column) < std::pair(b->where.line, b->where.column);
  });
  std::string names;
  for (const StageSpec* spec : in_file_order) names += (names.empty() ? "" : ", ") + spec->name;
  const std::string file = service_where.file.empty() ? path.string() : service_where.file;
  throw ConfigError(Position{file}, "unknown stage " + in_quotes(name) + "; " +
                                        path.filename().string() + " has " +
                                        (names.empty() ? "no stages" : names));
}

std::string Config::function_name(const std::string& stage) const {
  return service + "__" + stage;
}

Config parse_config(const std::string& text, const fs::path& path) {
  const std::string file = path.string();
  toml::table table;
  try {
    table = toml::parse(std::string_view(text), std::string_view(file));
  } catch (const toml::parse_error& e) {
    const toml::source_position at = e.source().begin;
    throw ConfigError(Position{file, static_cast<int>(at.line), static_cast<int>(at.column)},
                      std::string(e.description()));
  }
  return read_config(table, path, file);
}

Config load_config(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw ConfigError(Position{path.string()}, "the file does not exist");
  if (fs::is_directory(path, ec))
    throw ConfigError(Position{path.string()}, "is a folder, not a config file");
  std::ifstream in(path, std::ios::binary);
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!in && !in.eof()) throw ConfigError(Position{path.string()}, "cannot read the file");
  return parse_config(text, path);
}

fs::path find_config(const std::optional<fs::path>& explicit_path, const fs::path& start) {
  std::error_code ec;
  if (explicit_path) {
    if (!fs::exists(*explicit_path, ec))
      throw Error("config file " + explicit_path->string() + " does not exist");
    return *explicit_path;
  }
  const fs::path from = normalised(fs::absolute(start));
  for (fs::path dir = from;; dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / kConfigName, ec))
      return dir == from ? normalised(start / kConfigName) : dir / kConfigName;
    if (dir == dir.parent_path()) break;
  }
  throw Error("no lambdeploy.toml in " + from.string() +
              " or any folder above it (use --config FILE)");
}

}  // namespace ld::deploy
