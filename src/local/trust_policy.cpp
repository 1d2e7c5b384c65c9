#include "local/trust_policy.hpp"

#include <nlohmann/json.hpp>

#include "core/strings.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

// Whether a part of a statement applies; Unknown when it uses what this does not evaluate.
enum class Match { Yes, No, Unknown };

constexpr std::string_view kAction = "sts:assumerolewithwebidentity";

// A string or a list of strings as a list; nullopt for anything else.
std::optional<std::vector<std::string>> strings_of(const json& value) {
  std::vector<std::string> out;
  if (value.is_string()) {
    out.push_back(value.get<std::string>());
    return out;
  }
  if (!value.is_array()) return std::nullopt;
  for (const json& item : value) {
    if (!item.is_string()) return std::nullopt;
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Whether the statement's Principal names the caller's provider (Federated) or everyone.
Match principal_match(const json& statement, const FederatedCaller& caller) {
  if (statement.contains("NotPrincipal")) return Match::Unknown;
  auto principal = statement.find("Principal");
  if (principal == statement.end()) return Match::No;
  if (principal->is_string()) return *principal == "*" ? Match::Yes : Match::Unknown;
  if (!principal->is_object()) return Match::Unknown;
  auto federated = principal->find("Federated");
  if (federated == principal->end()) return Match::No;
  auto names = strings_of(*federated);
  if (!names) return Match::Unknown;
  for (const std::string& name : *names)
    if (name == caller.provider_arn || name == "*") return Match::Yes;
  return Match::No;
}

// Whether the statement's Action covers sts:AssumeRoleWithWebIdentity.
Match action_match(const json& statement) {
  if (statement.contains("NotAction")) return Match::Unknown;
  auto action = statement.find("Action");
  if (action == statement.end()) return Match::No;
  auto names = strings_of(*action);
  if (!names) return Match::Unknown;
  for (const std::string& name : *names)
    if (iam_like(to_lower(name), kAction)) return Match::Yes;
  return Match::No;
}

// One condition operator's block ({"key": value(s), …}) against the caller's keys.
Match operator_match(std::string name, const json& block, const FederatedCaller& caller) {
  enum class Set { Single, Any, All } set = Set::Single;
  if (name.starts_with("ForAnyValue:")) {
    set = Set::Any;
    name.erase(0, 12);
  } else if (name.starts_with("ForAllValues:")) {
    set = Set::All;
    name.erase(0, 13);
  }
  const bool if_exists = name.ends_with("IfExists");
  if (if_exists) name.resize(name.size() - 8);
  const bool negated = name.starts_with("StringNot");
  if (negated) name = "String" + name.substr(9);
  if (name != "StringEquals" && name != "StringEqualsIgnoreCase" && name != "StringLike")
    return Match::Unknown;
  if (!block.is_object()) return Match::Unknown;

  for (const auto& [key, wanted] : block.items()) {
    auto patterns = strings_of(wanted);
    if (!patterns) return Match::Unknown;
    const std::vector<std::string>* values = nullptr;
    for (const auto& [known, given] : caller.keys)
      if (iequals(known, key)) values = &given;
    auto matches = [&](const std::string& value) {
      for (const std::string& pattern : *patterns) {
        if (name == "StringEquals" && value == pattern) return true;
        if (name == "StringEqualsIgnoreCase" && iequals(value, pattern)) return true;
        if (name == "StringLike" && iam_like(pattern, value)) return true;
      }
      return false;
    };
    const bool missing = values == nullptr || values->empty();
    bool met = false;
    if (missing) {
      met = if_exists || set == Set::All || (set == Set::Single && negated);
    } else if (set == Set::All) {
      met = true;
      for (const std::string& value : *values) met = met && matches(value) != negated;
    } else if (set == Set::Any) {
      for (const std::string& value : *values) met = met || matches(value) != negated;
    } else {
      bool any = false;
      for (const std::string& value : *values) any = any || matches(value);
      met = any != negated;
    }
    if (!met) return Match::No;
  }
  return Match::Yes;
}

// Whether every operator of the statement's Condition holds for the caller.
Match condition_match(const json& statement, const FederatedCaller& caller) {
  auto condition = statement.find("Condition");
  if (condition == statement.end()) return Match::Yes;
  if (!condition->is_object()) return Match::Unknown;
  Match result = Match::Yes;
  for (const auto& [name, block] : condition->items()) {
    const Match one = operator_match(name, block, caller);
    if (one == Match::No) return Match::No;
    if (one == Match::Unknown) result = Match::Unknown;
  }
  return result;
}

}  // namespace

bool iam_like(std::string_view pattern, std::string_view text) {
  // Iterative glob match with backtracking to the last '*'.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool trust_allows_web_identity(const std::string& policy_document, const FederatedCaller& caller) {
  const json policy = json::parse(policy_document, nullptr, false);
  if (!policy.is_object()) return false;
  json statements = policy.value("Statement", json());
  if (statements.is_object()) statements = json::array({statements});
  if (!statements.is_array()) return false;
  bool allowed = false;
  for (const json& statement : statements) {
    if (!statement.is_object()) return false;
    const std::string effect = statement.value("Effect", "");
    const Match principal = principal_match(statement, caller);
    const Match action = action_match(statement);
    const Match condition = condition_match(statement, caller);
    if (effect == "Deny") {
      if (principal != Match::No && action != Match::No && condition != Match::No) return false;
    } else if (effect == "Allow") {
      allowed =
          allowed || (principal == Match::Yes && action == Match::Yes && condition == Match::Yes);
    } else {
      return false;
    }
  }
  return allowed;
}

}  // namespace ld::local
