#include "local/services/iam_input.hpp"

#include <optional>
#include <regex>

#include "core/hash.hpp"
#include "core/strings.hpp"
#include "core/uuid.hpp"

namespace ld::local::iam {

using nlohmann::json;

std::string text_member(const json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

ApiError validation(const std::string& message) {
  return ApiError("ValidationError", message);
}

ApiError invalid_input(const std::string& message) {
  return ApiError("InvalidInput", message);
}

std::string required_name(const json& input, const char* member, const char* wire_name,
                          std::size_t longest) {
  static const std::regex kName(R"([\w+=,.@-]+)");
  const std::string name = text_member(input, member);
  if (name.empty()) {
    throw validation(std::string("1 validation error detected: Value null at '") + wire_name +
                     "' failed to satisfy constraint: Member must not be null");
  }
  if (name.size() > longest) {
    throw validation("1 validation error detected: Value '" + name + "' at '" + wire_name +
                     "' failed to satisfy constraint: Member must have length less than or "
                     "equal to " +
                     std::to_string(longest));
  }
  if (!std::regex_match(name, kName)) {
    throw validation("1 validation error detected: Value '" + name + "' at '" + wire_name +
                     "' failed to satisfy constraint: Member must satisfy regular expression "
                     "pattern: [\\w+=,.@-]+");
  }
  return name;
}

std::string policy_document(const json& input, const char* member, const char* wire_name) {
  const std::string text = text_member(input, member);
  if (text.empty()) {
    throw validation(std::string("1 validation error detected: Value null at '") + wire_name +
                     "' failed to satisfy constraint: Member must not be null");
  }
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    throw ApiError("MalformedPolicyDocument", "This policy contains invalid Json");
  }
  if (!parsed.contains("Statement")) {
    throw ApiError("MalformedPolicyDocument", "Syntax errors in policy.");
  }
  return text;
}

std::string path_member(const json& input, const std::string& pattern) {
  std::string path = text_member(input, "Path");
  if (path.empty()) path = "/";
  static const std::regex kPath(R"((/)|(/[\x21-\x7E]+/))");
  if (path.size() > 512 || !std::regex_match(path, kPath)) {
    throw validation("1 validation error detected: Value '" + path +
                     "' at 'path' failed to satisfy constraint: Member must satisfy regular "
                     "expression pattern: " +
                     pattern);
  }
  return path;
}

json tag_list(const json& input) {
  json tags = input.value("Tags", json::array());
  if (!tags.is_array()) tags = json::array();
  for (const json& tag : tags) {
    if (!tag.is_object() || !tag.contains("Key") || !tag["Key"].is_string() ||
        tag["Key"].get<std::string>().empty() || tag["Key"].get<std::string>().size() > 128) {
      throw validation(
          "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must "
          "satisfy constraint: [Member must have length less than or equal to 128, Member must "
          "have length greater than or equal to 1]");
    }
  }
  return tags;
}

std::string new_unique_id(const std::string& prefix) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = sha256_hex(random_uuid());
  std::string id = prefix;
  for (std::size_t i = 0; i < 17; ++i) {
    const int value = std::stoi(digest.substr(i * 2, 2), nullptr, 16);
    id.push_back(kAlphabet[static_cast<std::size_t>(value) % kAlphabet.size()]);
  }
  return id;
}

std::string role_key(const ApiCall& call, const std::string& role_name) {
  return call.caller.account + ":" + to_lower(role_name);
}

ApiError no_such_role(const std::string& name) {
  return ApiError("NoSuchEntity", "The role with name " + name + " cannot be found.", 404);
}

Record find_role(State& state, const ApiCall& call, const std::string& name) {
  std::optional<Record> record = state.records->get(kRoleKind, role_key(call, name));
  if (!record) throw no_such_role(name);
  return *record;
}

}  // namespace ld::local::iam
