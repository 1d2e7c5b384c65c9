// Lambda's layer operations: Publish/Get/List/DeleteLayerVersion.
#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

std::string checked_layer_name(const std::string& value) {
  static const std::regex kLayerName(
      R"((arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+)");
  if (value.empty() || value.size() > 140 || !std::regex_match(value, kLayerName)) {
    fail_validation(value, "layerName",
                    "Member must satisfy regular expression pattern: "
                    "(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-"
                    "Z0-9-_]+");
  }
  auto colon = value.rfind(':');
  return colon == std::string::npos ? value : value.substr(colon + 1);
}

std::string layer_arn(const Context& ctx, const std::string& name) {
  return "arn:aws:lambda:" + ctx.region() + ":" + ctx.account() + ":layer:" + name;
}

json render_layer(const Context& ctx, const json& doc, bool full) {
  json out = {{"LayerVersionArn", doc.at("arn")},
              {"Version", doc.at("version")},
              {"Description", doc.value("Description", "")},
              {"CreatedDate", doc.at("created")}};
  for (const char* member : {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"})
    if (doc.contains(member)) out[member] = doc[member];
  if (full) {
    const json& code = doc.at("code");
    out["LayerArn"] = doc.at("layer_arn");
    out["Content"] = {
        {"Location", "http://127.0.0.1:" + std::to_string(ctx.options.endpoint_port) +
                         "/_lambdeploy/blobs/" + code.at("digest").get<std::string>()},
        {"CodeSha256", code.at("sha256")},
        {"CodeSize", code.at("size")}};
  }
  return out;
}

std::string layer_version_arn(const Context& ctx) {
  const std::string name = checked_layer_name(text(ctx.in, "LayerName"));
  const json& number = ctx.in.contains("VersionNumber") ? ctx.in["VersionNumber"] : json();
  std::string version = number.is_string() ? number.get<std::string>() : number.dump();
  if (!is_version_number(version))
    fail_validation(version, "versionNumber", "Member must be a number");
  return layer_arn(ctx, name) + ":" + std::to_string(std::stoll(version));
}

}  // namespace

json publish_layer(const Context& ctx) {
  const std::string name = checked_layer_name(text(ctx.in, "LayerName"));
  if (!has(ctx.in, "Content")) fail_validation("null", "content", "Member must not be null");
  const std::string zip = zip_from(ctx.state, ctx.in["Content"]);
  json code = code_of(*ctx.state.blobs, zip);
  const std::string arn = layer_arn(ctx, name);
  json doc = ctx.records().transaction([&](Records::Tx& tx) {
    auto head = tx.get(kLayerHead, arn);
    const long long number = head ? head->document.value("next", 1LL) : 1LL;
    tx.put(kLayerHead, arn, {{"next", number + 1}});
    json layer = {{"layer_arn", arn},  {"arn", arn + ":" + std::to_string(number)},
                  {"version", number}, {"created", lambda_time(ctx.now)},
                  {"code", code},      {"Description", text(ctx.in, "Description")}};
    for (const char* member : {"CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"})
      if (has(ctx.in, member)) layer[member] = ctx.in[member];
    tx.put(kLayer, layer["arn"].get<std::string>(), layer);
    return layer;
  });
  return render_layer(ctx, doc, true);
}

json get_layer(const Context& ctx) {
  auto record = ctx.records().get(kLayer, layer_version_arn(ctx));
  if (!record) not_found(kNoSuchResource);
  return render_layer(ctx, record->document, true);
}

json list_layers(const Context& ctx) {
  const std::string arn = layer_arn(ctx, checked_layer_name(text(ctx.in, "LayerName")));
  std::vector<json> all;
  for (const auto& record : ctx.records().list(kLayer, all_with_prefix(arn + ":")).records)
    all.push_back(record.document);
  std::sort(all.begin(), all.end(), [](const json& a, const json& b) {
    return a.at("version").get<long long>() > b.at("version").get<long long>();
  });
  const std::string runtime = text(ctx.in, "CompatibleRuntime");
  const std::string architecture = text(ctx.in, "CompatibleArchitecture");
  std::vector<json> matching;
  for (const auto& doc : all) {
    auto lists = [&](const char* member, const std::string& value) {
      if (value.empty()) return true;
      const json values = doc.value(member, json::array());
      return std::find(values.begin(), values.end(), value) != values.end();
    };
    if (lists("CompatibleRuntimes", runtime) && lists("CompatibleArchitectures", architecture))
      matching.push_back(doc);
  }
  std::size_t start = 0;
  const std::string marker = text(ctx.in, "Marker");
  if (!marker.empty()) {
    while (start < matching.size() &&
           std::to_string(matching[start].at("version").get<long long>()) != marker)
      ++start;
    if (start < matching.size()) ++start;
  }
  const long long max_items = checked_max_items(ctx.in, 50);
  json out = {{"LayerVersions", json::array()}};
  const std::size_t end = std::min(matching.size(), start + static_cast<std::size_t>(max_items));
  for (std::size_t i = start; i < end; ++i)
    out["LayerVersions"].push_back(render_layer(ctx, matching[i], false));
  if (end < matching.size())
    out["NextMarker"] = std::to_string(matching[end - 1].at("version").get<long long>());
  return out;
}

void delete_layer(const Context& ctx) {
  ctx.records().remove(kLayer, layer_version_arn(ctx));
}

}  // namespace ld::local::lambda
