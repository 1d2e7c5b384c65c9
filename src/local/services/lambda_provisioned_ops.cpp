// Lambda's provisioned concurrency operations: PutProvisionedConcurrencyConfig,
// GetProvisionedConcurrencyConfig, DeleteProvisionedConcurrencyConfig. A config belongs to a
// published version or an alias; its Status is IN_PROGRESS for the settle delay after a change
// and READY after, as a function's State settles. The instances it keeps warm are the
// executor's (LambdaService hands it LambdaFunctions::provisioned_images after each change).
#include <algorithm>
#include <optional>
#include <string>

#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

const char* const kMember = "provisionedConcurrentExecutions";

// 2019-11-21T19:32:12+0000: the config's LastModified has no milliseconds.
std::string seconds_time(Timestamp t) {
  return lambda_time(t).substr(0, 19) + "+0000";
}

bool ready(const Context& ctx, const json& doc) {
  return millis(ctx.now) >= doc.value("modified_ms", 0LL) + ctx.options.settle_delay.count();
}

json render(const Context& ctx, const json& doc) {
  const long long requested = doc.value("requested", 0LL);
  const bool is_ready = ready(ctx, doc);
  const long long allocated = is_ready ? requested : doc.value("allocated", 0LL);
  return {{"RequestedProvisionedConcurrentExecutions", requested},
          {"AvailableProvisionedConcurrentExecutions", allocated},
          {"AllocatedProvisionedConcurrentExecutions", allocated},
          {"Status", is_ready ? "READY" : "IN_PROGRESS"},
          {"LastModified", doc.value("last_modified", "")}};
}

// What a config is for: a published version, or an alias with the version it points at.
struct Target {
  std::string function;
  std::string qualifier;
  std::optional<Record> alias;
  std::string key() const { return function + "/" + qualifier; }
};

// Resolves FunctionName + Qualifier as AWS does: $LATEST refused with `latest_message`, an
// unknown alias named before an unknown function (AWS's order), an unknown version as a
// missing function.
Target resolve(const Context& ctx, const std::string& latest_message) {
  const FunctionRef ref = function_ref(ctx.in);
  if (ref.qualifier.empty()) fail_validation("null", "qualifier", "Member must not be null");
  if (ref.qualifier == "$LATEST") fail_invalid(latest_message);
  if (is_version_number(ref.qualifier)) {
    if (!ctx.records().get(kFunction, ref.name) || !find_version(ctx, ref.name, ref.qualifier))
      not_found("Function not found: " + ctx.arn_of(ref.name) + ":" + ref.qualifier);
    return {ref.name, std::to_string(std::stoll(ref.qualifier)), std::nullopt};
  }
  return {ref.name, ref.qualifier, load_alias(ctx, ref.name, ref.qualifier)};
}

long long requested_count(const json& in) {
  auto it = in.find("ProvisionedConcurrentExecutions");
  if (it == in.end() || it->is_null()) fail_validation("null", kMember, "Member must not be null");
  if (!it->is_number_integer()) fail_validation(it->dump(), kMember, "Member must be an integer");
  const long long count = it->get<long long>();
  if (count < 1) {
    fail_validation(std::to_string(count), kMember,
                    "Member must have value greater than or equal to 1");
  }
  return count;
}

// AWS's two refusals: a version and an alias pointing at it cannot both hold a config.
void check_overlap(const Context& ctx, const Target& target) {
  if (target.alias) {
    const std::string version = target.alias->document.value("FunctionVersion", "");
    if (ctx.records().get(kProvisioned, target.function + "/" + version)) {
      conflict(
          "Alias can't be used for Provisioned Concurrency configuration on an already "
          "Provisioned version");
    }
    return;
  }
  for (const auto& config :
       ctx.records().list(kProvisioned, all_with_prefix(target.function + "/")).records) {
    const std::string qualifier = config.document.value("qualifier", "");
    if (is_version_number(qualifier)) continue;
    auto alias = find_alias(ctx, target.function, qualifier);
    if (alias && alias->document.value("FunctionVersion", "") == target.qualifier)
      conflict("Version is pointed by a Provisioned Concurrency alias");
  }
}

// Locally every provisioned instance is a process: a function's configs together may keep at
// most `concurrency_limit` of them, as AWS bounds them by the account's unreserved concurrency.
void check_limit(const Context& ctx, const Target& target, long long requested) {
  long long total = requested;
  for (const auto& config :
       ctx.records().list(kProvisioned, all_with_prefix(target.function + "/")).records) {
    if (config.key != target.key()) total += config.document.value("requested", 0LL);
  }
  if (total > ctx.options.concurrency_limit) {
    fail_invalid(
        "Specified ConcurrentExecutions for function is greater than account's unreserved "
        "concurrency [" +
        std::to_string(ctx.options.concurrency_limit) + "].");
  }
}

}  // namespace

json put_provisioned(const Context& ctx) {
  const long long requested = requested_count(ctx.in);
  const Target target =
      resolve(ctx,
              "Provisioned Concurrency Configs cannot be applied to unpublished function "
              "versions.");
  if (target.alias && target.alias->document.value("FunctionVersion", "") == "$LATEST") {
    fail_invalid(
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
  }
  check_overlap(ctx, target);
  check_limit(ctx, target, requested);
  // A changed config keeps what was allocated while the new count is brought up.
  long long allocated = 0;
  if (auto existing = ctx.records().get(kProvisioned, target.key())) {
    allocated = ready(ctx, existing->document)
                    ? std::min(requested, existing->document.value("requested", 0LL))
                    : existing->document.value("allocated", 0LL);
  }
  const json doc = {{"function", target.function},    {"qualifier", target.qualifier},
                    {"requested", requested},         {"allocated", allocated},
                    {"modified_ms", millis(ctx.now)}, {"last_modified", seconds_time(ctx.now)}};
  ctx.records().put(kProvisioned, target.key(), doc);
  return render(ctx, doc);
}

json get_provisioned(const Context& ctx) {
  const Target target =
      resolve(ctx, "The function resource provided must be an alias or a published version.");
  auto config = ctx.records().get(kProvisioned, target.key());
  if (!config) {
    throw ApiError("ProvisionedConcurrencyConfigNotFoundException",
                   "No Provisioned Concurrency Config found for this function", 404);
  }
  return render(ctx, config->document);
}

void delete_provisioned(const Context& ctx) {
  const Target target =
      resolve(ctx, "The function resource provided must be an alias or a published version.");
  // 204 whether or not there was one, as AWS answers.
  ctx.records().remove(kProvisioned, target.key());
}

json list_provisioned(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  const Record function = load_function(ctx, ref.name);
  std::vector<std::pair<std::string, json>> items;
  for (const auto& config :
       ctx.records().list(kProvisioned, all_with_prefix(ref.name + "/")).records) {
    json item = {{"FunctionArn",
                  qualified(doc_arn(function.document), config.document.value("qualifier", ""))}};
    item.update(render(ctx, config.document));
    items.emplace_back(config.key, std::move(item));
  }
  return page_of(items, ctx.in, 50, "ProvisionedConcurrencyConfigs");
}

void reprovision_alias(const Context& ctx, const std::string& function_name,
                       const std::string& alias) {
  const std::string key = function_name + "/" + alias;
  auto config = ctx.records().get(kProvisioned, key);
  if (!config) return;
  json doc = config->document;
  // What was allocated stays available while the new version's instances start.
  doc["allocated"] = ready(ctx, doc) ? doc.value("requested", 0LL) : doc.value("allocated", 0LL);
  doc["modified_ms"] = millis(ctx.now);
  ctx.records().put(kProvisioned, key, doc);
}

}  // namespace ld::local::lambda
