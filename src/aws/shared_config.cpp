#include "aws/shared_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.hpp"

namespace ld::aws {

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

EnvLookup environment_from(std::map<std::string, std::string> variables) {
  return [vars = std::move(variables)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::optional<std::string> env_value(const EnvLookup& env, const std::string& name) {
  if (!env) return std::nullopt;
  auto v = env(name);
  if (!v || v->empty()) return std::nullopt;
  return v;
}

bool env_true(const EnvLookup& env, const std::string& name) {
  auto v = env_value(env, name);
  return v && iequals(trim(*v), "true");
}

const ConfigValue* ConfigSection::find(std::string_view key) const {
  auto it = properties.find(to_lower(key));
  return it == properties.end() ? nullptr : &it->second;
}

std::optional<std::string> ConfigSection::get(std::string_view key) const {
  const ConfigValue* v = find(key);
  if (!v || v->value.empty()) return std::nullopt;
  return v->value;
}

std::optional<std::string> ConfigSection::get(std::string_view key,
                                              std::string_view sub_key) const {
  const ConfigValue* v = find(key);
  if (!v) return std::nullopt;
  auto it = v->sub.find(to_lower(sub_key));
  if (it == v->sub.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string ConfigSection::where(std::string_view key) const {
  const ConfigValue* v = find(key);
  return v ? v->where : std::string();
}

namespace {

size_t indentation(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && (line[n] == ' ' || line[n] == '\t')) ++n;
  return n;
}

// The state of a parse: which section and which property indented lines belong to.
class IniParser {
 public:
  explicit IniParser(std::string file_name) : file_(std::move(file_name)) {}

  std::map<std::string, ConfigSection> run(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
    size_t start = 0;
    int number = 0;
    while (start <= text.size()) {
      auto end = text.find('\n', start);
      std::string_view line =
          text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
      ++number;
      line_ = number;
      handle(line);
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return std::move(sections_);
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw SharedConfigError(file_ + " line " + std::to_string(line_) + ": " + why);
  }
  std::string where() const { return file_ + " line " + std::to_string(line_); }

  void handle(std::string_view line) {
    std::string_view stripped = trim(line);
    if (stripped.empty()) return;
    if (stripped.front() == '#' || stripped.front() == ';') return;
    size_t indent = indentation(line);
    if (indent > 0 && property_ && indent > property_indent_) {
      indented(stripped);
      return;
    }
    if (stripped.front() == '[') {
      header(stripped);
      return;
    }
    property(stripped, indent);
  }

  void header(std::string_view stripped) {
    auto close = stripped.find(']');
    if (close == std::string_view::npos)
      fail("section header '" + std::string(stripped) + "' is missing its closing ']'");
    std::string_view after = trim(stripped.substr(close + 1));
    if (!after.empty() && after.front() != '#' && after.front() != ';')
      fail("unexpected text '" + std::string(after) + "' after the section header");
    std::string name(trim(stripped.substr(1, close - 1)));
    if (name.empty()) fail("empty section name '[]'");
    section_ = &sections_[name];
    property_ = nullptr;
  }

  void property(std::string_view stripped, size_t indent) {
    if (!section_)
      fail("'" + std::string(stripped) +
           "' is outside of any section; put a [default] or [profile NAME] header above it");
    auto eq = stripped.find('=');
    if (eq == std::string_view::npos)
      fail("expected 'key = value', a [section] header or a comment, got '" +
           std::string(stripped) + "'");
    std::string key = to_lower(trim(stripped.substr(0, eq)));
    if (key.empty()) fail("a property has no name before '='");
    ConfigValue& v = section_->properties[key];
    v = ConfigValue{std::string(trim(stripped.substr(eq + 1))), {}, where()};
    property_ = &v;
    property_key_ = key;
    property_indent_ = indent;
    property_is_block_ = v.value.empty();
  }

  // An indented line under a property: a sub-property when the property's value was left
  // empty, else a continuation of its value.
  void indented(std::string_view stripped) {
    if (!property_is_block_) {
      property_->value += "\n";
      property_->value += stripped;
      return;
    }
    auto eq = stripped.find('=');
    if (eq == std::string_view::npos)
      fail("expected 'key = value' under '" + property_key_ + " =', got '" + std::string(stripped) +
           "'");
    std::string key = to_lower(trim(stripped.substr(0, eq)));
    if (key.empty()) fail("a sub-property of '" + property_key_ + "' has no name before '='");
    property_->sub[key] = std::string(trim(stripped.substr(eq + 1)));
  }

  std::string file_;
  int line_ = 0;
  std::map<std::string, ConfigSection> sections_;
  ConfigSection* section_ = nullptr;
  ConfigValue* property_ = nullptr;
  std::string property_key_;
  size_t property_indent_ = 0;
  bool property_is_block_ = false;
};

// "profile foo" → "foo" when `header` starts with `word` and white space.
std::optional<std::string> after_word(std::string_view header, std::string_view word) {
  if (header.size() <= word.size() || header.substr(0, word.size()) != word) return std::nullopt;
  char sep = header[word.size()];
  if (sep != ' ' && sep != '\t') return std::nullopt;
  std::string rest(trim(header.substr(word.size())));
  if (rest.empty()) return std::nullopt;
  return rest;
}

// Reads a whole file; nullopt when it does not exist.
std::optional<std::string> read_if_exists(const std::filesystem::path& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || status.type() == std::filesystem::file_type::not_found) return std::nullopt;
  if (std::filesystem::is_directory(status))
    throw SharedConfigError("cannot read " + path.string() + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SharedConfigError("cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::optional<std::filesystem::path> expand_home(const std::string& path, const EnvLookup& env) {
  if (path.empty() || path.front() != '~') return std::filesystem::path(path);
  if (path.size() > 1 && path[1] != '/') return std::filesystem::path(path);  // ~user: as is
  auto home = env_value(env, "HOME");
  if (!home) return std::nullopt;
  return std::filesystem::path(*home + path.substr(1));
}

}  // namespace

std::map<std::string, ConfigSection> parse_ini(std::string_view text,
                                               const std::string& file_name) {
  return IniParser(file_name).run(text);
}

void SharedConfig::add_config_sections(std::map<std::string, ConfigSection> sections) {
  bool profile_default = false;
  for (auto& [header, section] : sections) {
    if (auto name = after_word(header, "profile")) {
      if (*name == "default") profile_default = true;
      config_profiles_[*name] = std::move(section);
    } else if (auto service = after_word(header, "services")) {
      services_[*service] = std::move(section);
    }
  }
  // `[default]` names the default profile too; `[profile default]` wins when both exist.
  auto it = sections.find("default");
  if (it != sections.end() && !profile_default) config_profiles_["default"] = std::move(it->second);
}

SharedConfig SharedConfig::parse(std::string_view config_text, const std::string& config_name,
                                 std::string_view credentials_text,
                                 const std::string& credentials_name) {
  SharedConfig c;
  c.config_file_ = config_name;
  c.credentials_file_ = credentials_name;
  c.config_found_ = true;
  c.credentials_found_ = true;
  c.add_config_sections(parse_ini(config_text, config_name));
  for (auto& [name, section] : parse_ini(credentials_text, credentials_name))
    c.credentials_profiles_[name] = std::move(section);
  return c;
}

SharedConfig SharedConfig::load(const EnvLookup& env) {
  SharedConfig c;
  if (auto path = config_file_path(env)) {
    c.config_file_ = path->string();
    if (auto text = read_if_exists(*path)) {
      c.config_found_ = true;
      c.add_config_sections(parse_ini(*text, c.config_file_));
    }
  }
  if (auto path = credentials_file_path(env)) {
    c.credentials_file_ = path->string();
    if (auto text = read_if_exists(*path)) {
      c.credentials_found_ = true;
      for (auto& [name, section] : parse_ini(*text, c.credentials_file_))
        c.credentials_profiles_[name] = std::move(section);
    }
  }
  return c;
}

const ConfigSection* SharedConfig::config_profile(std::string_view name) const {
  auto it = config_profiles_.find(name);
  return it == config_profiles_.end() ? nullptr : &it->second;
}

const ConfigSection* SharedConfig::credentials_profile(std::string_view name) const {
  auto it = credentials_profiles_.find(name);
  return it == credentials_profiles_.end() ? nullptr : &it->second;
}

const ConfigSection* SharedConfig::services(std::string_view name) const {
  auto it = services_.find(name);
  return it == services_.end() ? nullptr : &it->second;
}

std::optional<ConfigSection> SharedConfig::profile(std::string_view name) const {
  const ConfigSection* config = config_profile(name);
  const ConfigSection* credentials = credentials_profile(name);
  if (!config && !credentials) return std::nullopt;
  ConfigSection merged = config ? *config : ConfigSection{};
  if (credentials)
    for (const auto& [key, value] : credentials->properties) merged.properties[key] = value;
  return merged;
}

std::vector<std::string> SharedConfig::profile_names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : config_profiles_) out.push_back(name);
  for (const auto& [name, _] : credentials_profiles_)
    if (!config_profiles_.contains(name)) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<std::filesystem::path> config_file_path(const EnvLookup& env) {
  return expand_home(env_value(env, "AWS_CONFIG_FILE").value_or("~/.aws/config"), env);
}

std::optional<std::filesystem::path> credentials_file_path(const EnvLookup& env) {
  return expand_home(env_value(env, "AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"),
                     env);
}

std::string profile_name(std::string_view explicit_profile, const EnvLookup& env) {
  if (!explicit_profile.empty()) return std::string(explicit_profile);
  if (auto p = env_value(env, "AWS_PROFILE")) return *p;
  if (auto p = env_value(env, "AWS_DEFAULT_PROFILE")) return *p;
  return "default";
}

}  // namespace ld::aws
