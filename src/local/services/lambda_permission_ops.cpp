// Lambda's resource policy operations: AddPermission, RemovePermission, GetPolicy.
#include <string>

#include "local/services/lambda_ops.hpp"
#include "local/services/lambda_policy.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// The function ARN a permission on `ref` names, after checking the qualifier exists.
std::string policy_resource(const Context& ctx, const FunctionRef& ref) {
  Record function = load_function(ctx, ref.name);
  std::string arn = doc_arn(function.document);
  if (ref.qualifier.empty()) return arn;
  const bool exists =
      ref.qualifier == "$LATEST" ||
      (is_version_number(ref.qualifier) ? find_version(ctx, ref.name, ref.qualifier).has_value()
                                        : find_alias(ctx, ref.name, ref.qualifier).has_value());
  if (!exists) not_found("Function not found: " + ctx.arn_of(ref.name) + ":" + ref.qualifier);
  return arn + ":" + ref.qualifier;
}

std::string policy_revision_id(const Record& policy) {
  return uuid_of(policy.key + "#" + std::to_string(policy.revision));
}

}  // namespace

json add_permission(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  const std::string resource = policy_resource(ctx, ref);
  ordered_json statement = permission_statement(ctx.in, resource);
  const std::string key = ref.name + "/" + ref.qualifier;
  ctx.records().transaction([&](Records::Tx& tx) {
    auto existing = tx.get(kPolicy, key);
    if (has(ctx.in, "RevisionId") &&
        (!existing || policy_revision_id(*existing) != text(ctx.in, "RevisionId")))
      precondition_failed();
    ordered_json statements =
        existing ? ordered_json::parse(existing->document.value("statements", "[]"))
                 : ordered_json::array();
    for (const auto& item : statements) {
      if (item.value("Sid", "") == statement["Sid"]) {
        conflict("The statement id (" + statement["Sid"].get<std::string>() +
                 ") provided already exists. Please specify a new statement id, or remove the "
                 "existing statement.");
      }
    }
    statements.push_back(statement);
    tx.put(kPolicy, key, {{"statements", statements.dump()}});
  });
  return {{"Statement", statement.dump()}};
}

void remove_permission(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  policy_resource(ctx, ref);
  const std::string sid = text(ctx.in, "StatementId");
  const std::string key = ref.name + "/" + ref.qualifier;
  ctx.records().transaction([&](Records::Tx& tx) {
    auto existing = tx.get(kPolicy, key);
    if (!existing) not_found("No policy is associated with the given resource.");
    if (has(ctx.in, "RevisionId") && policy_revision_id(*existing) != text(ctx.in, "RevisionId"))
      precondition_failed();
    ordered_json statements = ordered_json::parse(existing->document.value("statements", "[]"));
    ordered_json kept = ordered_json::array();
    for (const auto& item : statements)
      if (item.value("Sid", "") != sid) kept.push_back(item);
    if (kept.size() == statements.size())
      not_found("Statement " + sid + " is not found in resource policy.");
    if (kept.empty())
      tx.remove(kPolicy, key);
    else
      tx.put(kPolicy, key, {{"statements", kept.dump()}});
  });
}

json get_policy(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  policy_resource(ctx, ref);
  auto policy = ctx.records().get(kPolicy, ref.name + "/" + ref.qualifier);
  if (!policy) not_found(kNoSuchResource);
  const ordered_json statements = ordered_json::parse(policy->document.value("statements", "[]"));
  return {{"Policy", policy_document(statements).dump()},
          {"RevisionId", policy_revision_id(*policy)}};
}

}  // namespace ld::local::lambda
