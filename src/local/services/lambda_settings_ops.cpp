// Lambda's per-function settings and account operations: ListTags, TagResource, UntagResource,
// GetFunctionCodeSigningConfig, Put/Get/DeleteFunctionConcurrency and GetAccountSettings.
#include <regex>
#include <string>
#include <vector>

#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

// AWS's account defaults: concurrency, and the unreserved part no reservation may go below.
constexpr long long kAccountConcurrency = 1000;
constexpr long long kMinimumUnreserved = 100;

// The function a tagging call's Resource names: a function ARN without qualifier.
std::string tagged_function(const Context& ctx) {
  // The front end names URI labels by the label ({ARN}), not the member.
  const std::string resource =
      has(ctx.in, "Resource") ? text(ctx.in, "Resource") : text(ctx.in, "ARN");
  static const std::regex kPattern(
      "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
      "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
      "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
      "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)");
  if (!std::regex_match(resource, kPattern)) {
    fail_validation(resource, "resource",
                    "Member must satisfy regular expression pattern: "
                    "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-"
                    "\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:"
                    "([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:"
                    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|"
                    "capacity-provider:[a-zA-Z0-9-_]+)");
  }
  if (resource.find(":function:") == std::string::npos)
    not_found("Resource not found: " + resource);
  const FunctionRef ref = parse_function_name(resource);
  if (!ref.qualifier.empty()) {
    fail_invalid(
        "Tags on function aliases and versions are not supported. Please specify a function "
        "ARN.");
  }
  if (!ctx.records().get(kFunction, ref.name)) not_found("Function not found: " + resource);
  return ref.name;
}

// A function named by a plain name or an unqualified ARN (the concurrency operations).
Record unqualified_function(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  if (!ref.qualifier.empty()) {
    fail_invalid(
        "This operation is permitted on Lambda functions only. Aliases and versions do not "
        "support this operation. Please specify either a function name or an unqualified "
        "function ARN.");
  }
  return load_function(ctx, ref.name);
}

// The reserved concurrency of every function of the account but `except`, summed.
long long reserved_elsewhere(const Context& ctx, const std::string& except) {
  long long total = 0;
  for (const auto& record : ctx.records().list(kConcurrency, all_with_prefix("")).records) {
    if (record.key != except) total += record.document.value("reserved", 0LL);
  }
  return total;
}

}  // namespace

void check_tags(const json& tags) {
  if (!tags.is_object()) fail_invalid("Tags must be a map of strings to strings.");
  if (tags.size() > 50) fail_invalid("Number of tags exceeds resource tag limit.");
  for (const auto& [key, value] : tags.items()) {
    if (key.empty() || key.size() > 128 || key.starts_with("aws:"))
      fail_invalid("The tag key '" + key + "' is not valid.");
    if (!value.is_string() || value.get<std::string>().size() > 256)
      fail_invalid("The value of tag '" + key + "' is not valid.");
  }
}

json list_tags(const Context& ctx) {
  const std::string name = tagged_function(ctx);
  auto tags = ctx.records().get(kTags, name);
  return {{"Tags", tags ? tags->document : json::object()}};
}

void tag_resource(const Context& ctx) {
  const std::string name = tagged_function(ctx);
  if (!has(ctx.in, "Tags")) fail_validation("null", "tags", "Member must not be null");
  check_tags(ctx.in["Tags"]);
  ctx.records().transaction([&](Records::Tx& tx) {
    auto existing = tx.get(kTags, name);
    json tags = existing ? existing->document : json::object();
    for (const auto& [key, value] : ctx.in["Tags"].items()) tags[key] = value;
    check_tags(tags);
    tx.put(kTags, name, tags);
  });
}

void untag_resource(const Context& ctx) {
  const std::string name = tagged_function(ctx);
  if (!has(ctx.in, "TagKeys")) fail_validation("null", "tagKeys", "Member must not be null");
  // One tagKeys parameter arrives as a string, several as a list.
  json keys = ctx.in["TagKeys"];
  if (!keys.is_array()) keys = json::array({keys});
  ctx.records().transaction([&](Records::Tx& tx) {
    auto existing = tx.get(kTags, name);
    if (!existing) return;
    json tags = existing->document;
    for (const auto& key : keys)
      if (key.is_string()) tags.erase(key.get<std::string>());
    tx.put(kTags, name, tags);
  });
}

json get_code_signing(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  // Code signing configs are not kept locally: no function has one.
  return {{"CodeSigningConfigArn", ""}, {"FunctionName", function.document.at("name")}};
}

json put_concurrency(const Context& ctx) {
  const Record function = unqualified_function(ctx);
  if (!has(ctx.in, "ReservedConcurrentExecutions")) {
    fail_validation("null", "reservedConcurrentExecutions", "Member must not be null");
  }
  const json& value = ctx.in["ReservedConcurrentExecutions"];
  const long long reserved = value.is_number_integer() ? value.get<long long>() : -1;
  if (reserved < 0) {
    fail_validation(value.dump(), "reservedConcurrentExecutions",
                    "Member must have value greater than or equal to 0");
  }
  if (kAccountConcurrency - reserved_elsewhere(ctx, function.key) - reserved < kMinimumUnreserved) {
    fail_invalid(
        "Specified ReservedConcurrentExecutions for function decreases account's "
        "UnreservedConcurrentExecution below its minimum value of [" +
        std::to_string(kMinimumUnreserved) + "].");
  }
  ctx.records().put(kConcurrency, function.key, {{"reserved", reserved}});
  return {{"ReservedConcurrentExecutions", reserved}};
}

json get_concurrency(const Context& ctx) {
  const Record function = unqualified_function(ctx);
  auto reserved = ctx.records().get(kConcurrency, function.key);
  // No reservation: an empty answer, as AWS gives.
  if (!reserved) return json::object();
  return {{"ReservedConcurrentExecutions", reserved->document.at("reserved")}};
}

void delete_concurrency(const Context& ctx) {
  const Record function = unqualified_function(ctx);
  ctx.records().remove(kConcurrency, function.key);
}

json account_settings(const Context& ctx) {
  long long functions = 0;
  long long code_size = 0;
  for (const auto& function : ctx.records().list(kFunction, all_with_prefix("")).records) {
    ++functions;
    code_size += function.document.at("code").value("size", 0LL);
  }
  // Published versions and layer versions count towards the code storage too, as on AWS.
  for (std::string_view kind : {kVersion, kLayer}) {
    for (const auto& record : ctx.records().list(kind, all_with_prefix("")).records)
      code_size += record.document.at("code").value("size", 0LL);
  }
  return {{"AccountLimit",
           {{"TotalCodeSize", 80530636800LL},
            {"CodeSizeUnzipped", 262144000},
            {"CodeSizeZipped", 52428800},
            {"ConcurrentExecutions", kAccountConcurrency},
            {"UnreservedConcurrentExecutions", kAccountConcurrency - reserved_elsewhere(ctx, "")}}},
          {"AccountUsage", {{"TotalCodeSize", code_size}, {"FunctionCount", functions}}}};
}

}  // namespace ld::local::lambda
