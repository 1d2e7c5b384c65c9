// Lambda's alias operations: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases.
#include <cstdio>
#include <string>

#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

json render_alias(const Context& ctx, const Record& alias, const std::string& function_arn_text) {
  json out = alias.document;
  out["AliasArn"] = function_arn_text + ":" + out.value("Name", "");
  out["RevisionId"] = uuid_of(alias.key + "#" + std::to_string(alias.revision));
  if (out.contains("RoutingConfig") &&
      out["RoutingConfig"].value("AdditionalVersionWeights", json::object()).empty())
    out.erase("RoutingConfig");
  (void)ctx;
  return out;
}

std::string weights_text(const json& weights) {
  std::string text_out = "{";
  bool first = true;
  for (const auto& [key, value] : weights.items()) {
    if (!first) text_out += ", ";
    first = false;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", value.is_number() ? value.get<double>() : 0.0);
    text_out += key + "=" + buffer;
  }
  return text_out + "}";
}

void check_routing(const Context& ctx, const std::string& name, const std::string& version,
                   const json& in) {
  auto routing = in.find("RoutingConfig");
  if (routing == in.end() || routing->is_null()) return;
  const json weights = routing->value("AdditionalVersionWeights", json::object());
  if (weights.empty()) return;
  for (const auto& [key, value] : weights.items()) {
    if (!is_version_number(key)) {
      fail_validation(weights_text(weights), "routingConfig.additionalVersionWeights",
                      "Map keys must satisfy constraint: [Member must have length less than or "
                      "equal to 1024, Member must have length greater than or equal to 1, Member "
                      "must satisfy regular expression pattern: [0-9]+]");
    }
    if (!value.is_number() || value.get<double>() < 0.0 || value.get<double>() > 1.0) {
      fail_validation(weights_text(weights), "routingConfig.additionalVersionWeights",
                      "Map value must satisfy constraint: [Member must have value less than or "
                      "equal to 1.0, Member must have value greater than or equal to 0.0, Member "
                      "must not be null]");
    }
  }
  if (weights.size() > 1)
    fail_invalid("Number of items in AdditionalVersionWeights cannot be greater than 1");
  if (version == "$LATEST")
    fail_invalid("$LATEST is not supported for an alias pointing to more than 1 version");
  for (const auto& [key, value] : weights.items()) {
    if (key == version) {
      std::string message = "Invalid function version " + key;
      message += ". Function version " + key + " is already included in routing configuration.";
      fail_invalid(message);
    }
    if (!find_version(ctx, name, key))
      not_found("Function not found: " + ctx.arn_of(name) + ":" + key);
  }
}

void check_target_version(const Context& ctx, const std::string& name, const std::string& version) {
  if (version == "$LATEST") return;
  if (!is_version_number(version) || !find_version(ctx, name, version))
    not_found("Function not found: " + ctx.arn_of(name) + ":" + version);
}

}  // namespace

json create_alias(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  const std::string alias = text(ctx.in, "Name");
  check_alias_name(alias);
  const std::string version = text(ctx.in, "FunctionVersion");
  Record function = load_function(ctx, ref.name);
  check_target_version(ctx, ref.name, version);
  check_routing(ctx, ref.name, version, ctx.in);
  json doc = {
      {"Name", alias}, {"FunctionVersion", version}, {"Description", text(ctx.in, "Description")}};
  if (has(ctx.in, "RoutingConfig")) doc["RoutingConfig"] = ctx.in["RoutingConfig"];
  const std::string arn = doc_arn(function.document);
  if (!ctx.records().put_if_revision(kAlias, ref.name + "/" + alias, doc, 0))
    conflict("Alias already exists: " + arn + ":" + alias);
  return render_alias(ctx, *find_alias(ctx, ref.name, alias), arn);
}

json get_alias(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  return render_alias(ctx, load_alias(ctx, ref.name, text(ctx.in, "Name")),
                      doc_arn(function.document));
}

json update_alias(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  Record alias = load_alias(ctx, ref.name, text(ctx.in, "Name"));
  if (has(ctx.in, "RevisionId") &&
      text(ctx.in, "RevisionId") != uuid_of(alias.key + "#" + std::to_string(alias.revision)))
    precondition_failed();
  json& doc = alias.document;
  const json targets_before = {doc.value("FunctionVersion", ""),
                               doc.value("RoutingConfig", json::object())};
  if (has(ctx.in, "FunctionVersion")) {
    check_target_version(ctx, ref.name, text(ctx.in, "FunctionVersion"));
    doc["FunctionVersion"] = text(ctx.in, "FunctionVersion");
  }
  if (has(ctx.in, "Description")) doc["Description"] = text(ctx.in, "Description");
  if (has(ctx.in, "RoutingConfig")) {
    check_routing(ctx, ref.name, doc["FunctionVersion"], ctx.in);
    doc["RoutingConfig"] = ctx.in["RoutingConfig"];
  }
  if (!ctx.records().put_if_revision(kAlias, alias.key, doc, alias.revision)) precondition_failed();
  const json targets_after = {doc.value("FunctionVersion", ""),
                              doc.value("RoutingConfig", json::object())};
  if (targets_after != targets_before) reprovision_alias(ctx, ref.name, doc.value("Name", ""));
  return render_alias(ctx, *ctx.records().get(kAlias, alias.key), doc_arn(function.document));
}

void delete_alias(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  load_function(ctx, ref.name);
  const std::string key = ref.name + "/" + text(ctx.in, "Name");
  ctx.records().transaction([&](Records::Tx& tx) {
    if (auto url = tx.get(kUrl, key)) {
      tx.remove(kUrlId, url->document.value("url_id", ""));
      tx.remove(kUrl, key);
    }
    tx.remove(kPolicy, key);
    tx.remove(kProvisioned, key);
    tx.remove(kAlias, key);
  });
}

json list_aliases(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  const std::string arn = doc_arn(function.document);
  const std::string version = text(ctx.in, "FunctionVersion");
  if (!version.empty() && version != "$LATEST" && !is_version_number(version)) {
    fail_validation(version, "functionVersion",
                    "Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)");
  }
  const long long max_items = checked_max_items(ctx.in, 10000);
  // Names in byte order; the marker is the last name of the previous page, so a page still
  // follows on when that alias was deleted in between.
  const std::string marker = text(ctx.in, "Marker");
  json out = {{"Aliases", json::array()}};
  for (const auto& alias : ctx.records().list(kAlias, all_with_prefix(ref.name + "/")).records) {
    const std::string name = alias.document.value("Name", "");
    if (!marker.empty() && name <= marker) continue;
    if (!version.empty() && alias.document.value("FunctionVersion", "") != version) continue;
    if (static_cast<long long>(out["Aliases"].size()) == max_items) {
      out["NextMarker"] = out["Aliases"].back()["Name"];
      break;
    }
    out["Aliases"].push_back(render_alias(ctx, alias, arn));
  }
  return out;
}

}  // namespace ld::local::lambda
