#include "local/services/lambda_policy.hpp"

#include <regex>

#include "local/services/lambda_validation.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string text(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

ordered_json principal_of(const std::string& principal) {
  static const std::regex kAccount(R"(\d{12})");
  if (principal == "*") return "*";
  if (std::regex_match(principal, kAccount))
    return {{"AWS", "arn:aws:iam::" + principal + ":root"}};
  if (principal.rfind("arn:", 0) == 0) return {{"AWS", principal}};
  return {{"Service", principal}};
}

bool allows(const ordered_json& statement, const std::string& action) {
  if (statement.value("Effect", "") != "Allow") return false;
  auto principal = statement.find("Principal");
  if (principal == statement.end()) return false;
  const bool anyone = (principal->is_string() && *principal == "*") ||
                      (principal->is_object() && principal->value("AWS", "") == "*");
  if (!anyone) return false;
  auto act = statement.find("Action");
  if (act == statement.end()) return false;
  if (act->is_string()) return *act == action || *act == "lambda:*";
  if (act->is_array()) {
    for (const auto& item : *act)
      if (item == action || item == "lambda:*") return true;
  }
  return false;
}

std::string condition_value(const ordered_json& statement, const char* op, const char* key) {
  auto condition = statement.find("Condition");
  if (condition == statement.end() || !condition->is_object()) return {};
  auto block = condition->find(op);
  if (block == condition->end() || !block->is_object()) return {};
  auto value = block->find(key);
  return value != block->end() && value->is_string() ? value->get<std::string>() : std::string();
}

}  // namespace

ordered_json permission_statement(const json& input, const std::string& resource) {
  const std::string sid = text(input, "StatementId");
  static const std::regex kSid(R"([a-zA-Z0-9-_.]+)");
  if (sid.empty() || sid.size() > 100 || !std::regex_match(sid, kSid)) {
    fail_validation(sid, "statementId",
                    R"(Member must satisfy regular expression pattern: ([a-zA-Z0-9-_.]+))");
  }
  const std::string action = text(input, "Action");
  static const std::regex kAction(R"((lambda:[*]|lambda:[a-zA-Z]+|[*]))");
  if (!std::regex_match(action, kAction)) {
    fail_validation(
        action, "action",
        R"(Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*]))");
  }
  const std::string principal = text(input, "Principal");
  if (principal.empty()) {
    fail_validation("null", "principal", "Member must not be null");
  }
  ordered_json statement = {{"Sid", sid},
                            {"Effect", "Allow"},
                            {"Principal", principal_of(principal)},
                            {"Action", action},
                            {"Resource", resource}};
  ordered_json string_equals = ordered_json::object();
  if (auto account = text(input, "SourceAccount"); !account.empty())
    string_equals["AWS:SourceAccount"] = account;
  if (auto auth = text(input, "FunctionUrlAuthType"); !auth.empty()) {
    if (auth != "NONE" && auth != "AWS_IAM") {
      fail_validation(auth, "functionUrlAuthType",
                      "Member must satisfy enum value set: [AWS_IAM, NONE]");
    }
    string_equals["lambda:FunctionUrlAuthType"] = auth;
  }
  if (auto org = text(input, "PrincipalOrgID"); !org.empty())
    string_equals["aws:PrincipalOrgID"] = org;
  if (auto token = text(input, "EventSourceToken"); !token.empty())
    string_equals["lambda:EventSourceToken"] = token;
  ordered_json condition = ordered_json::object();
  if (!string_equals.empty()) condition["StringEquals"] = string_equals;
  if (auto source = text(input, "SourceArn"); !source.empty())
    condition["ArnLike"] = {{"AWS:SourceArn", source}};
  // AddPermission's InvokedViaFunctionUrl (2025, newer than the 2022 model): the grant holds
  // only for calls that come through the function's URL.
  if (auto via = input.find("InvokedViaFunctionUrl");
      via != input.end() && via->is_boolean() && via->get<bool>())
    condition["Bool"] = {{"lambda:InvokedViaFunctionUrl", "true"}};
  if (!condition.empty()) statement["Condition"] = condition;
  return statement;
}

ordered_json policy_document(const ordered_json& statements) {
  return {{"Version", "2012-10-17"}, {"Id", "default"}, {"Statement", statements}};
}

bool allows_public_url(const ordered_json& statements) {
  bool url = false;
  bool invoke = false;
  for (const auto& statement : statements) {
    if (allows(statement, "lambda:InvokeFunctionUrl") &&
        condition_value(statement, "StringEquals", "lambda:FunctionUrlAuthType") == "NONE")
      url = true;
    if (allows(statement, "lambda:InvokeFunction")) invoke = true;
  }
  return url && invoke;
}

}  // namespace ld::local::lambda
