// Lambda's function and version operations (CreateFunction … ListVersionsByFunction).
#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "core/hash.hpp"
#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

json layer_entries(const Context& ctx, const json& arns) {
  json layers = json::array();
  for (const auto& arn : arns) {
    json entry = {{"Arn", arn}};
    auto record = ctx.records().get(kLayer, arn.get<std::string>());
    if (record) entry["CodeSize"] = record->document.at("code").at("size");
    layers.push_back(entry);
  }
  return layers;
}

// A function's or version's configuration as GetFunctionConfiguration answers it, without the
// state members.
json render_config(const Context& ctx, const json& doc, const std::string& version,
                   const std::string& arn, const std::string& revision_id) {
  json out = doc.at("config");
  const json& code = doc.at("code");
  out.erase("Layers");
  const json layers = doc.at("config").value("Layers", json::array());
  if (!layers.empty()) out["Layers"] = layer_entries(ctx, layers);
  out["FunctionName"] = doc.at("name");
  out["FunctionArn"] = arn;
  out["CodeSha256"] = code.at("sha256");
  out["CodeSize"] = code.at("size");
  out["LastModified"] = doc.at("last_modified");
  out["Version"] = version;
  out["RevisionId"] = revision_id;
  if (out.contains("Runtime")) {
    out["RuntimeVersionConfig"] = {
        {"RuntimeVersionArn", "arn:aws:lambda:" + doc.at("region").get<std::string>() +
                                  "::runtime:" + sha256_hex(out["Runtime"].get<std::string>())}};
  }
  return out;
}

void add_latest_state(const Context& ctx, const json& doc, json& out) {
  if (settling(ctx, doc)) {
    if (doc.value("change", "") == "create") {
      out["State"] = "Pending";
      out["StateReason"] = "The function is being created.";
      out["StateReasonCode"] = "Creating";
    } else {
      out["State"] = "Active";
      out["LastUpdateStatus"] = "InProgress";
      out["LastUpdateStatusReason"] = "The function is being created.";
      out["LastUpdateStatusReasonCode"] = "Creating";
    }
  } else {
    out["State"] = "Active";
    out["LastUpdateStatus"] = "Successful";
  }
}

json render_latest(const Context& ctx, const Record& record, bool with_state = true,
                   const std::string& arn_qualifier = "") {
  json out = render_config(ctx, record.document, "$LATEST",
                           qualified(doc_arn(record.document), arn_qualifier),
                           latest_revision_id(ctx, record));
  if (with_state) add_latest_state(ctx, record.document, out);
  return out;
}

json render_version(const Context& ctx, const Record& version, bool with_state = true,
                    const std::string& arn_qualifier = "") {
  const json& doc = version.document;
  const std::string number = doc.at("version");
  json out = render_config(ctx, doc, number,
                           qualified(doc_arn(doc), arn_qualifier.empty() ? number : arn_qualifier),
                           version_revision_id(version));
  if (with_state) {
    out["State"] = "Active";
    out["LastUpdateStatus"] = "Successful";
  }
  return out;
}

// The configuration of `name` at `qualifier`, as GetFunctionConfiguration answers it.
json configuration(const Context& ctx, const FunctionRef& ref) {
  Record function = load_function(ctx, ref.name);
  if (ref.qualifier.empty()) return render_latest(ctx, function);
  if (ref.qualifier == "$LATEST") return render_latest(ctx, function, true, "$LATEST");
  if (is_version_number(ref.qualifier)) {
    auto version = find_version(ctx, ref.name, ref.qualifier);
    if (!version)
      not_found("Function not found: " + qualified(ctx.arn_of(ref.name), ref.qualifier));
    return render_version(ctx, *version);
  }
  auto alias = find_alias(ctx, ref.name, ref.qualifier);
  if (!alias) not_found("Function not found: " + qualified(ctx.arn_of(ref.name), ref.qualifier));
  const std::string target = alias->document.at("FunctionVersion");
  if (target == "$LATEST") return render_latest(ctx, function, true, ref.qualifier);
  auto version = find_version(ctx, ref.name, target);
  if (!version) not_found("Function not found: " + qualified(ctx.arn_of(ref.name), target));
  return render_version(ctx, *version, true, ref.qualifier);
}

void check_layers(const Context& ctx, const json& in) {
  auto layers = in.find("Layers");
  if (layers == in.end() || layers->is_null()) return;
  if (!layers->is_array() || layers->size() > 5) {
    fail_invalid("Cannot reference more than 5 layers.");
  }
  for (const auto& arn : *layers) {
    if (!arn.is_string() || !ctx.records().get(kLayer, arn.get<std::string>())) {
      fail_invalid("Layer version " + (arn.is_string() ? arn.get<std::string>() : arn.dump()) +
                   " does not exist.");
    }
  }
}

// Lambda's limit on the code in `zip` and the layers `arns` name, unzipped together.
void check_unzipped_with_layers(const Context& ctx, const std::string& zip, const json& arns) {
  if (!arns.is_array() || arns.empty()) return;
  std::vector<std::pair<std::string, std::filesystem::path>> layer_zips;
  for (const auto& arn : arns) {
    if (!arn.is_string()) continue;
    if (auto layer = ctx.records().get(kLayer, arn.get<std::string>())) {
      layer_zips.emplace_back(
          arn.get<std::string>(),
          ctx.state.blobs->path_of(layer->document.at("code").at("digest").get<std::string>()));
    }
  }
  check_code_with_layers(unzipped_size(zip), layer_zips);
}

void check_configuration(const Context& ctx, const json& in, const std::string& runtime) {
  check_runtime(in);
  check_role(in);
  check_memory(in);
  check_timeout(in);
  check_environment(in);
  check_ephemeral_storage(in);
  check_layers(ctx, in);
  if (!runtime.empty()) check_handler(runtime, in);
}

// Copies the configuration members of `in` onto `config`.
void apply_configuration(json& config, const json& in) {
  for (const char* member : {"Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize",
                             "EphemeralStorage", "Layers"}) {
    if (has(in, member)) config[member] = in[member];
  }
  if (has(in, "Environment")) {
    config["Environment"] = {{"Variables", in["Environment"].value("Variables", json::object())}};
  }
  if (has(in, "TracingConfig"))
    config["TracingConfig"] = {{"Mode", in["TracingConfig"].value("Mode", "PassThrough")}};
  if (has(in, "LoggingConfig")) {
    for (const auto& [key, value] : in["LoggingConfig"].items())
      config["LoggingConfig"][key] = value;
  }
}

void check_revision(const json& in, const std::string& current) {
  const std::string expected = text(in, "RevisionId");
  if (!expected.empty() && expected != current) precondition_failed();
}

void check_not_settling(const Context& ctx, const Record& function) {
  if (settling(ctx, function.document)) {
    conflict(
        "The operation cannot be performed at this time. An update is in progress for resource: " +
        doc_arn(function.document));
  }
}

// What makes two versions the same (PublishVersion does not repeat an unchanged one).
std::string fingerprint(const json& doc) {
  json config = doc.at("config");
  config.erase("Description");
  return config.dump() + "#" + doc.at("code").at("digest").get<std::string>();
}

json publish(const Context& ctx, Record function, const std::string& description) {
  json& doc = function.document;
  const std::string last = doc.value("latest_published", "");
  if (!last.empty()) {
    auto previous = find_version(ctx, doc.at("name"), last);
    if (previous && fingerprint(previous->document) == fingerprint(doc))
      return render_version(ctx, *previous);
  }
  const long long number = doc.value("next_version", 1LL);
  json version = doc;
  version.erase("next_version");
  version.erase("latest_published");
  version["version"] = std::to_string(number);
  version["last_modified"] = lambda_time(ctx.now);
  if (!description.empty()) version["config"]["Description"] = description;
  doc["next_version"] = number + 1;
  doc["latest_published"] = std::to_string(number);
  const std::string name = doc.at("name");
  Record stored = ctx.records().transaction([&](Records::Tx& tx) {
    if (!tx.put_if_revision(kFunction, name, doc, function.revision)) {
      conflict("The function was changed while publishing; try again.");
    }
    return tx.put(kVersion, version_key(name, std::to_string(number)), version);
  });
  return render_version(ctx, stored);
}

// Writes an update to $LATEST (code or configuration) and answers the new configuration.
json write_update(const Context& ctx, Record function, bool publish_after) {
  json& doc = function.document;
  doc["last_modified"] = lambda_time(ctx.now);
  doc["modified_ms"] = millis(ctx.now);
  doc["change"] = "update";
  const std::string name = doc.at("name");
  if (!ctx.records().put_if_revision(kFunction, name, doc, function.revision)) {
    precondition_failed();
  }
  Record record = *ctx.records().get(kFunction, name);
  json out = render_latest(ctx, record);
  if (publish_after) out["Version"] = publish(ctx, record, "")["Version"];
  return out;
}

}  // namespace

json create_function(const Context& ctx) {
  const json& in = ctx.in;
  const std::string name = checked_new_function_name(text(in, "FunctionName"));
  if (text(in, "PackageType") == "Image")
    fail_invalid("PackageType Image is not supported locally");
  if (!has(in, "Role")) fail_validation("null", "role", "Member must not be null");
  if (!has(in, "Runtime")) {
    fail_invalid(
        "Runtime and Handler are mandatory parameters for functions created with deployment "
        "packages.");
  }
  check_configuration(ctx, in, text(in, "Runtime"));
  check_architectures(in);
  if (!has(in, "Code")) fail_validation("null", "code", "Member must not be null");
  if (has(in, "Tags")) check_tags(in["Tags"]);
  if (ctx.records().get(kFunction, name)) conflict("Function already exist: " + name);
  const std::string zip = zip_from(ctx.state, in["Code"]);
  check_unzipped_with_layers(ctx, zip, in.value("Layers", json::array()));

  json config = {{"Description", ""},
                 {"Timeout", 3},
                 {"MemorySize", 128},
                 {"Environment", {{"Variables", json::object()}}},
                 {"TracingConfig", {{"Mode", "PassThrough"}}},
                 {"Architectures", in.value("Architectures", json::array({"x86_64"}))},
                 {"EphemeralStorage", {{"Size", 512}}},
                 {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + name}}},
                 {"PackageType", "Zip"},
                 {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}}};
  apply_configuration(config, in);
  json doc = {{"name", name},
              {"account", ctx.account()},
              {"region", ctx.region()},
              {"config", config},
              {"code", code_of(*ctx.state.blobs, zip)},
              {"last_modified", lambda_time(ctx.now)},
              {"modified_ms", millis(ctx.now)},
              {"change", "create"},
              {"next_version", 1}};
  const bool written = ctx.records().transaction([&](Records::Tx& tx) {
    if (!tx.put_if_revision(kFunction, name, doc, 0)) return false;
    // Tags of an earlier function of that name went with it; these are the new one's.
    tx.remove(kTags, name);
    tx.remove(kConcurrency, name);
    if (has(in, "Tags") && !in["Tags"].empty()) tx.put(kTags, name, in["Tags"]);
    return true;
  });
  if (!written) conflict("Function already exist: " + name);
  Record record = *ctx.records().get(kFunction, name);
  json out = render_latest(ctx, record);
  if (in.value("Publish", false)) {
    json version = publish(ctx, record, "");
    out["Version"] = version["Version"];
  }
  return out;
}

json get_configuration(const Context& ctx) {
  return configuration(ctx, function_ref(ctx.in));
}

json update_code(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  check_revision(ctx.in, latest_revision_id(ctx, function));
  check_not_settling(ctx, function);
  check_architectures(ctx.in);
  const std::string zip = zip_from(ctx.state, ctx.in);
  check_unzipped_with_layers(ctx, zip, function.document["config"].value("Layers", json::array()));
  function.document["code"] = code_of(*ctx.state.blobs, zip);
  if (has(ctx.in, "Architectures"))
    function.document["config"]["Architectures"] = ctx.in["Architectures"];
  return write_update(ctx, function, ctx.in.value("Publish", false));
}

json update_configuration(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  check_revision(ctx.in, latest_revision_id(ctx, function));
  check_not_settling(ctx, function);
  const std::string runtime = has(ctx.in, "Runtime")
                                  ? text(ctx.in, "Runtime")
                                  : function.document["config"].value("Runtime", "");
  check_configuration(ctx, ctx.in, has(ctx.in, "Runtime") || has(ctx.in, "Handler") ? runtime : "");
  apply_configuration(function.document["config"], ctx.in);
  return write_update(ctx, function, false);
}

void delete_function(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = load_function(ctx, ref.name);
  if (ref.qualifier == "$LATEST") {
    fail_invalid("$LATEST version cannot be deleted without deleting the function.");
  }
  if (!ref.qualifier.empty()) {
    if (!is_version_number(ref.qualifier)) fail_invalid("Deletion of aliases is not supported.");
    auto version = find_version(ctx, ref.name, ref.qualifier);
    if (!version) return;
    std::vector<std::string> using_aliases;
    for (const auto& alias : ctx.records().list(kAlias, all_with_prefix(ref.name + "/")).records) {
      if (alias.document.value("FunctionVersion", "") == ref.qualifier)
        using_aliases.push_back(alias.document.value("Name", ""));
    }
    if (!using_aliases.empty()) {
      std::string names;
      for (const auto& alias : using_aliases) names += (names.empty() ? "" : ", ") + alias;
      conflict("Unable to delete version because the following aliases reference it: [" + names +
               "]");
    }
    ctx.records().transaction([&](Records::Tx& tx) {
      tx.remove(kProvisioned, ref.name + "/" + version->document.value("version", ""));
      tx.remove(kVersion, version->key);
    });
    return;
  }
  ctx.records().transaction([&](Records::Tx& tx) {
    for (std::string_view kind : {kVersion, kAlias, kPolicy, kProvisioned}) {
      for (const auto& record : tx.list(kind, all_with_prefix(ref.name + "/")).records)
        tx.remove(kind, record.key);
    }
    for (const auto& record : tx.list(kUrl, all_with_prefix(ref.name + "/")).records) {
      tx.remove(kUrlId, record.document.value("url_id", ""));
      tx.remove(kUrl, record.key);
    }
    tx.remove(kTags, ref.name);
    tx.remove(kConcurrency, ref.name);
    tx.remove(kFunction, ref.name);
  });
}

json get_function(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  json config = configuration(ctx, ref);
  Record function = load_function(ctx, ref.name);
  std::string digest = function.document.at("code").at("digest");
  if (is_version_number(ref.qualifier)) {
    if (auto version = find_version(ctx, ref.name, ref.qualifier))
      digest = version->document.at("code").at("digest");
  }
  json out = {{"Configuration", config},
              {"Code",
               {{"RepositoryType", "S3"},
                {"Location", "http://127.0.0.1:" + std::to_string(ctx.options.endpoint_port) +
                                 "/_lambdeploy/blobs/" + digest}}}};
  if (auto tags = ctx.records().get(kTags, ref.name); tags && !tags->document.empty())
    out["Tags"] = tags->document;
  if (auto reserved = ctx.records().get(kConcurrency, ref.name))
    out["Concurrency"] = {{"ReservedConcurrentExecutions", reserved->document.at("reserved")}};
  return out;
}

json publish_version(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  check_revision(ctx.in, latest_revision_id(ctx, function));
  check_not_settling(ctx, function);
  const std::string sha = text(ctx.in, "CodeSha256");
  const std::string current = function.document.at("code").at("sha256");
  if (!sha.empty() && sha != current) {
    fail_invalid("CodeSHA256 (" + sha + ") is different from current CodeSHA256 in $LATEST (" +
                 current + "). Please try again with the CodeSHA256 in $LATEST.");
  }
  return publish(ctx, function, text(ctx.in, "Description"));
}

json list_versions(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  std::vector<std::pair<std::string, json>> all;
  all.emplace_back("$LATEST", render_latest(ctx, function, false, "$LATEST"));
  for (const auto& version : ctx.records().list(kVersion, all_with_prefix(ref.name + "/")).records)
    all.emplace_back(version.document.at("version"), render_version(ctx, version, false));
  return page_of(all, ctx.in, 10000, "Versions");
}

json list_functions(const Context& ctx) {
  const std::string which = text(ctx.in, "FunctionVersion");
  if (has(ctx.in, "FunctionVersion") && which != "ALL")
    fail_validation(which, "functionVersion", "Member must satisfy enum value set: [ALL]");
  const std::string master = text(ctx.in, "MasterRegion");
  if (!master.empty() && master != "ALL" && master != ctx.region()) {
    fail_validation(master, "masterRegion",
                    "Member must satisfy regular expression pattern: "
                    "ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}");
  }
  // Functions in name order (the records' key order); with ALL, each one's $LATEST and then its
  // versions, as AWS lists them. Markers are "name" or "name:version".
  std::vector<std::pair<std::string, json>> all;
  for (const auto& function : ctx.records().list(kFunction, all_with_prefix("")).records) {
    const std::string name = function.key;
    if (which != "ALL") {
      all.emplace_back(name, render_latest(ctx, function, false));
      continue;
    }
    all.emplace_back(name + ":$LATEST", render_latest(ctx, function, false, "$LATEST"));
    for (const auto& version : ctx.records().list(kVersion, all_with_prefix(name + "/")).records) {
      const std::string number = version.document.at("version");
      all.emplace_back(name + ":" + number, render_version(ctx, version, false));
    }
  }
  return page_of(all, ctx.in, 10000, "Functions");
}

}  // namespace ld::local::lambda
