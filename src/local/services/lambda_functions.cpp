#include "local/services/lambda_functions.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <regex>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "local/services/lambda_policy.hpp"
#include "local/services/lambda_validation.hpp"
#include "local/services/s3_request.hpp"

namespace ld::local {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using namespace lambda;

constexpr std::string_view kFunction = "lambda.function";
constexpr std::string_view kVersion = "lambda.version";
constexpr std::string_view kAlias = "lambda.alias";
constexpr std::string_view kUrl = "lambda.url";
constexpr std::string_view kUrlId = "lambda.url-id";
constexpr std::string_view kPolicy = "lambda.policy";
constexpr std::string_view kLayer = "lambda.layer";
constexpr std::string_view kLayerHead = "lambda.layer-head";

ListOptions all_with_prefix(std::string prefix) {
  ListOptions options;
  options.prefix = std::move(prefix);
  options.limit = 0;
  return options;
}

const std::string kNoSuchResource = "The resource you requested does not exist.";

std::string text(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool has(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && !it->is_null();
}

long long millis(Timestamp t) {
  return t.time_since_epoch().count();
}

std::tm utc(Timestamp t) {
  const std::time_t seconds = static_cast<std::time_t>(millis(t) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

// Lambda's LastModified / CreatedDate: 2024-01-01T00:00:00.000+0000.
std::string lambda_time(Timestamp t) {
  std::tm tm = utc(t);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis(t) % 1000));
  return buffer;
}

// Function URL times: 2024-01-01T00:00:00.000000Z.
std::string url_time(Timestamp t) {
  std::tm tm = utc(t);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03d000Z", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis(t) % 1000));
  return buffer;
}

// A UUID-shaped id that is a function of `seed` (RevisionIds follow the records' revisions).
std::string uuid_of(const std::string& seed) {
  std::string hex = sha256_hex(seed).substr(0, 32);
  hex[12] = '4';
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string padded(long long number) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%010lld", number);
  return buffer;
}

std::string function_arn(const std::string& account, const std::string& region,
                         const std::string& name) {
  return "arn:aws:lambda:" + region + ":" + account + ":function:" + name;
}

std::string qualified(const std::string& arn, const std::string& qualifier) {
  return qualifier.empty() ? arn : arn + ":" + qualifier;
}

[[noreturn]] void not_found(const std::string& message) {
  throw ApiError("ResourceNotFoundException", message, 404);
}

[[noreturn]] void conflict(const std::string& message) {
  throw ApiError("ResourceConflictException", message, 409);
}

[[noreturn]] void precondition_failed() {
  throw ApiError("PreconditionFailedException",
                 "The Revision Id provided does not match the latest Revision Id. Call the "
                 "GetFunction/GetAlias API to retrieve the latest Revision Id",
                 412);
}

// The zip an S3 location names, read from this endpoint's own S3, with Lambda's errors for a
// missing bucket or key.
std::string zip_from_s3(const State& state, const json& code) {
  const std::string bucket = code.value("S3Bucket", "");
  const std::string key = code.value("S3Key", "");
  if (bucket.empty() || key.empty()) fail_invalid("Please provide a source for function code.");
  auto object = state.records->get(s3::kObjectKind, s3::object_key(bucket, key));
  if (!object) {
    if (!state.records->get(s3::kBucketKind, bucket)) {
      fail_invalid(
          "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
          "specified bucket does not exist");
    }
    fail_invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The "
        "specified key does not exist.");
  }
  // Buckets here keep one version of each object, whose id S3 reports as "null".
  const std::string version = code.value("S3ObjectVersion", "");
  if (!version.empty() && version != "null") {
    fail_invalid(
        "Error occurred while GetObject. S3 Error Code: NoSuchVersion. S3 Error Message: The "
        "specified version does not exist.");
  }
  std::string bytes = state.blobs->read(object->document.at("Digest").get<std::string>());
  check_zip(bytes, false);  // no 50 MB limit from S3; the 250 MB unzipped one holds
  return bytes;
}

// The zip a Code or Content member carries: ZipFile (base64), or S3Bucket + S3Key.
std::string zip_from(const State& state, const json& code) {
  if (has(code, "ImageUri")) fail_invalid("PackageType Image is not supported locally");
  const bool from_s3 = has(code, "S3Bucket") || has(code, "S3Key");
  if (from_s3 && has(code, "ZipFile")) {
    fail_invalid(
        "Please provide only one source for function code: ZipFile, or S3Bucket and S3Key.");
  }
  if (from_s3) return zip_from_s3(state, code);
  auto zip_file = code.find("ZipFile");
  if (zip_file == code.end() || !zip_file->is_string()) {
    fail_invalid("Please provide a source for function code.");
  }
  auto bytes = base64_decode(zip_file->get<std::string>());
  if (!bytes) {
    fail_invalid(
        "Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  check_zip(*bytes);
  return std::move(*bytes);
}

// Everything one operation needs.
struct Context {
  State& state;
  const LambdaOptions& options;
  const ApiCall& call;
  const json& in;
  Timestamp now;

  Records& records() const { return *state.records; }
  std::string account() const {
    return call.caller.account.empty() ? "000000000000" : call.caller.account;
  }
  std::string region() const {
    return call.caller.region.empty() ? state.region : call.caller.region;
  }
  std::string arn_of(const std::string& name) const {
    return function_arn(account(), region(), name);
  }
  std::string host_suffix() const { return "localhost:" + std::to_string(options.endpoint_port); }
};

// ---- functions ------------------------------------------------------------------------------

std::string doc_arn(const json& doc) {
  return function_arn(doc.at("account"), doc.at("region"), doc.at("name"));
}

bool settling(const Context& ctx, const json& doc) {
  return ctx.now.time_since_epoch().count() <
         doc.value("modified_ms", 0LL) + ctx.options.settle_delay.count();
}

std::string latest_revision_id(const Context& ctx, const Record& record) {
  return uuid_of(record.key + "#" + std::to_string(record.revision) +
                 (settling(ctx, record.document) ? "#settling" : "#settled"));
}

Record load_function(const Context& ctx, const std::string& name) {
  auto record = ctx.records().get(kFunction, name);
  if (!record) not_found("Function not found: " + ctx.arn_of(name));
  return *record;
}

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

std::string version_revision_id(const Record& version) {
  return uuid_of(version.key + "#" + std::to_string(version.revision));
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

std::string version_key(const std::string& name, const std::string& number) {
  return name + "/" + padded(std::stoll(number));
}

std::optional<Record> find_version(const Context& ctx, const std::string& name,
                                   const std::string& number) {
  if (number.size() > 10) return std::nullopt;
  return ctx.records().get(kVersion, version_key(name, number));
}

std::optional<Record> find_alias(const Context& ctx, const std::string& name,
                                 const std::string& alias) {
  return ctx.records().get(kAlias, name + "/" + alias);
}

// FunctionName and Qualifier (from the member or the ARN).
FunctionRef function_ref(const json& in) {
  FunctionRef ref = parse_function_name(text(in, "FunctionName"));
  const std::string qualifier = text(in, "Qualifier");
  if (!qualifier.empty()) {
    check_qualifier(qualifier);
    if (!ref.qualifier.empty() && ref.qualifier != qualifier) {
      fail_invalid(
          "The derived qualifier from the function name does not match the specified "
          "qualifier.");
    }
    ref.qualifier = qualifier;
  }
  return ref;
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

json code_of(BlobStore& blobs, const std::string& zip) {
  BlobRef ref = blobs.put(zip);
  return {
      {"digest", ref.digest}, {"size", ref.size}, {"sha256", base64_encode(as_chars(sha256(zip)))}};
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
    return tx.put(kVersion, name + "/" + padded(number), version);
  });
  return render_version(ctx, stored);
}

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
  if (ctx.records().get(kFunction, name)) conflict("Function already exist: " + name);
  const std::string zip = zip_from(ctx.state, in["Code"]);

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
  WriteResult written = ctx.records().put_if_revision(kFunction, name, doc, 0);
  if (!written) conflict("Function already exist: " + name);
  Record record = *ctx.records().get(kFunction, name);
  json out = render_latest(ctx, record);
  if (in.value("Publish", false)) {
    json version = publish(ctx, record, "");
    out["Version"] = version["Version"];
  }
  return out;
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

json update_code(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  Record function = load_function(ctx, ref.name);
  check_revision(ctx.in, latest_revision_id(ctx, function));
  check_not_settling(ctx, function);
  check_architectures(ctx.in);
  const std::string zip = zip_from(ctx.state, ctx.in);
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
    ctx.records().remove(kVersion, version->key);
    return;
  }
  ctx.records().transaction([&](Records::Tx& tx) {
    for (std::string_view kind : {kVersion, kAlias, kPolicy}) {
      for (const auto& record : tx.list(kind, all_with_prefix(ref.name + "/")).records)
        tx.remove(kind, record.key);
    }
    for (const auto& record : tx.list(kUrl, all_with_prefix(ref.name + "/")).records) {
      tx.remove(kUrlId, record.document.value("url_id", ""));
      tx.remove(kUrl, record.key);
    }
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
  return {{"Configuration", config},
          {"Code",
           {{"RepositoryType", "S3"},
            {"Location", "http://127.0.0.1:" + std::to_string(ctx.options.endpoint_port) +
                             "/_lambdeploy/blobs/" + digest}}}};
}

// ---- versions -------------------------------------------------------------------------------

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
  std::vector<json> all;
  all.push_back(render_latest(ctx, function, false, "$LATEST"));
  for (const auto& version : ctx.records().list(kVersion, all_with_prefix(ref.name + "/")).records)
    all.push_back(render_version(ctx, version, false));
  std::size_t start = 0;
  const std::string marker = text(ctx.in, "Marker");
  if (!marker.empty()) {
    while (start < all.size() && all[start]["Version"] != marker) ++start;
    if (start == all.size()) fail_invalid("Invalid marker: " + marker);
    ++start;
  }
  long long max_items = 50;
  if (has(ctx.in, "MaxItems")) {
    const json& value = ctx.in["MaxItems"];
    max_items = value.is_number_integer() ? value.get<long long>()
                                          : std::atoll(value.get<std::string>().c_str());
    if (max_items < 1 || max_items > 10000)
      fail_validation(std::to_string(max_items), "maxItems",
                      "Member must have value between 1 and 10000");
  }
  json out = {{"Versions", json::array()}};
  std::size_t end = std::min(all.size(), start + static_cast<std::size_t>(max_items));
  for (std::size_t i = start; i < end; ++i) out["Versions"].push_back(all[i]);
  if (end < all.size()) out["NextMarker"] = all[end - 1]["Version"];
  return out;
}

// ---- aliases --------------------------------------------------------------------------------

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
      fail_invalid("Invalid function version " + key + ". Function version " + key +
                   " is already included in routing configuration.");
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

Record load_alias(const Context& ctx, const std::string& name, const std::string& alias) {
  auto record = find_alias(ctx, name, alias);
  if (!record) not_found("Cannot find alias arn: " + ctx.arn_of(name) + ":" + alias);
  return *record;
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
    tx.remove(kAlias, key);
  });
}

// ---- function URLs --------------------------------------------------------------------------

// The function and alias a URL config call is about (the qualifier must be an alias).
Record url_function(const Context& ctx, const FunctionRef& ref) {
  auto found = ctx.records().get(kFunction, ref.name);
  if (!found) not_found(kNoSuchResource);
  Record function = *found;
  if (!ref.qualifier.empty()) {
    if (ref.qualifier == "$LATEST" || is_version_number(ref.qualifier)) {
      fail_invalid("1 validation error detected: Value '" + ref.qualifier +
                   "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular "
                   "expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
    }
    if (!find_alias(ctx, ref.name, ref.qualifier))
      not_found("Function not found: " + ctx.arn_of(ref.name) + ":" + ref.qualifier);
  }
  return function;
}

void check_url_members(const json& in) {
  if (has(in, "AuthType")) {
    const std::string auth = text(in, "AuthType");
    if (auth != "NONE" && auth != "AWS_IAM")
      fail_validation(auth, "authType", "Member must satisfy enum value set: [AWS_IAM, NONE]");
  }
  if (has(in, "InvokeMode")) {
    const std::string mode = text(in, "InvokeMode");
    if (mode != "BUFFERED" && mode != "RESPONSE_STREAM")
      fail_validation(mode, "invokeMode",
                      "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]");
  }
}

std::string function_url(const Context& ctx, const json& url) {
  return "http://" + url.value("url_id", "") + ".lambda-url." + url.value("region", "") + "." +
         ctx.host_suffix() + "/";
}

json render_url(const Context& ctx, const json& url, const std::string& arn,
                std::initializer_list<const char*> members) {
  json out = {{"FunctionUrl", function_url(ctx, url)}, {"FunctionArn", arn}};
  for (const char* member : members) {
    if (url.contains(member) && !url[member].is_null()) out[member] = url[member];
  }
  return out;
}

json create_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  if (!has(ctx.in, "AuthType")) fail_validation("null", "authType", "Member must not be null");
  check_url_members(ctx.in);
  const std::string arn = qualified(doc_arn(function.document), ref.qualifier);
  const std::string account = function.document.at("account");
  const std::string region = function.document.at("region");
  const std::string id = LambdaFunctions::url_id(account, region, ref.name, ref.qualifier);
  json url = {{"AuthType", text(ctx.in, "AuthType")},
              {"InvokeMode", has(ctx.in, "InvokeMode") ? text(ctx.in, "InvokeMode") : "BUFFERED"},
              {"CreationTime", url_time(ctx.now)},
              {"LastModifiedTime", url_time(ctx.now)},
              {"url_id", id},
              {"function", ref.name},
              {"qualifier", ref.qualifier},
              {"account", account},
              {"region", region}};
  if (has(ctx.in, "Cors")) url["Cors"] = ctx.in["Cors"];
  const std::string key = ref.name + "/" + ref.qualifier;
  const bool written = ctx.records().transaction([&](Records::Tx& tx) {
    if (!tx.put_if_revision(kUrl, key, url, 0)) return false;
    tx.put(kUrlId, id, {{"function", ref.name}, {"qualifier", ref.qualifier}});
    return true;
  });
  if (!written) {
    conflict("Failed to create function url config for [functionArn = " + arn +
             "]. Error message:  FunctionUrlConfig exists for this Lambda function");
  }
  if (has(ctx.in, "InvokeMode"))
    return render_url(ctx, url, arn, {"AuthType", "CreationTime", "Cors", "InvokeMode"});
  return render_url(ctx, url, arn, {"AuthType", "CreationTime", "Cors"});
}

Record load_url(const Context& ctx, const FunctionRef& ref) {
  auto record = ctx.records().get(kUrl, ref.name + "/" + ref.qualifier);
  if (!record) not_found(kNoSuchResource);
  return *record;
}

json get_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  return render_url(ctx, url.document, qualified(doc_arn(function.document), ref.qualifier),
                    {"AuthType", "CreationTime", "Cors", "InvokeMode", "LastModifiedTime"});
}

json update_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  check_url_members(ctx.in);
  json& doc = url.document;
  for (const char* member : {"AuthType", "InvokeMode", "Cors"})
    if (has(ctx.in, member)) doc[member] = ctx.in[member];
  doc["LastModifiedTime"] = url_time(ctx.now);
  ctx.records().put(kUrl, url.key, doc);
  return render_url(ctx, doc, qualified(doc_arn(function.document), ref.qualifier),
                    {"AuthType", "CreationTime", "Cors", "InvokeMode", "LastModifiedTime"});
}

void delete_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  ctx.records().transaction([&](Records::Tx& tx) {
    tx.remove(kUrlId, url.document.value("url_id", ""));
    tx.remove(kUrl, url.key);
  });
}

// ---- policies -------------------------------------------------------------------------------

// The function ARN a permission on `ref` names, after checking the qualifier exists.
std::string policy_resource(const Context& ctx, const FunctionRef& ref) {
  Record function = load_function(ctx, ref.name);
  const std::string arn = doc_arn(function.document);
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

// ---- layers ---------------------------------------------------------------------------------

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

std::string layer_version_arn(const Context& ctx) {
  const std::string name = checked_layer_name(text(ctx.in, "LayerName"));
  const json& number = ctx.in.contains("VersionNumber") ? ctx.in["VersionNumber"] : json();
  std::string version = number.is_string() ? number.get<std::string>() : number.dump();
  if (!is_version_number(version))
    fail_validation(version, "versionNumber", "Member must be a number");
  return layer_arn(ctx, name) + ":" + std::to_string(std::stoll(version));
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
  long long max_items = 50;
  if (has(ctx.in, "MaxItems")) {
    const json& value = ctx.in["MaxItems"];
    max_items = value.is_number_integer() ? value.get<long long>()
                                          : std::atoll(value.get<std::string>().c_str());
    if (max_items < 1 || max_items > 50)
      fail_validation(std::to_string(max_items), "maxItems",
                      "Member must have value between 1 and 50");
  }
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

}  // namespace

LambdaFunctions::LambdaFunctions(State state, LambdaOptions options)
    : state_(std::move(state)), options_(options) {}

void LambdaFunctions::set_endpoint_port(int port) {
  std::lock_guard lock(mutex_);
  options_.endpoint_port = port;
}

std::string LambdaFunctions::url_id(std::string_view account, std::string_view region,
                                    std::string_view function_name, std::string_view qualifier) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const Digest256 digest = sha256(std::string(account) + "/" + std::string(region) + "/" +
                                  std::string(function_name) + "/" + std::string(qualifier));
  std::string id;
  for (std::size_t i = 0; i < 32; ++i) id.push_back(kAlphabet[digest[i] % kAlphabet.size()]);
  return id;
}

json LambdaFunctions::run(const ApiCall& call) {
  std::lock_guard lock(mutex_);
  // Any operation that is not a read may change what the gateway's answers are built from.
  const std::string& op = call.operation;
  if (!op.starts_with("Get") && !op.starts_with("List")) cache_ = {};
  return dispatch(call);
}

json LambdaFunctions::dispatch(const ApiCall& call) {
  const Context ctx{state_, options_, call, call.input,
                    call.now.time_since_epoch().count() != 0 ? call.now : state_.now()};
  const std::string& op = call.operation;
  if (op == "CreateFunction") return create_function(ctx);
  if (op == "GetFunction") return get_function(ctx);
  if (op == "GetFunctionConfiguration") return configuration(ctx, function_ref(ctx.in));
  if (op == "DeleteFunction") return delete_function(ctx), json::object();
  if (op == "UpdateFunctionCode") return update_code(ctx);
  if (op == "UpdateFunctionConfiguration") return update_configuration(ctx);
  if (op == "PublishVersion") return publish_version(ctx);
  if (op == "ListVersionsByFunction") return list_versions(ctx);
  if (op == "CreateAlias") return create_alias(ctx);
  if (op == "GetAlias") return get_alias(ctx);
  if (op == "UpdateAlias") return update_alias(ctx);
  if (op == "DeleteAlias") return delete_alias(ctx), json::object();
  if (op == "CreateFunctionUrlConfig") return create_url(ctx);
  if (op == "GetFunctionUrlConfig") return get_url(ctx);
  if (op == "UpdateFunctionUrlConfig") return update_url(ctx);
  if (op == "DeleteFunctionUrlConfig") return delete_url(ctx), json::object();
  if (op == "AddPermission") return add_permission(ctx);
  if (op == "RemovePermission") return remove_permission(ctx), json::object();
  if (op == "GetPolicy") return get_policy(ctx);
  if (op == "PublishLayerVersion") return publish_layer(ctx);
  if (op == "GetLayerVersion") return get_layer(ctx);
  if (op == "ListLayerVersions") return list_layers(ctx);
  if (op == "DeleteLayerVersion") return delete_layer(ctx), json::object();
  throw ApiError("UnknownOperationException", "Unknown operation " + op, 400);
}

namespace {

// The version an invocation of `route` runs: its own, or one of its weighted others.
std::string draw_version(const LambdaFunctions::Route& route) {
  if (route.weights.empty()) return route.version;
  thread_local std::mt19937_64 random{std::random_device{}()};
  double draw = std::uniform_real_distribution<double>(0.0, 1.0)(random);
  for (const auto& [other, weight] : route.weights) {
    if (draw < weight) return other;
    draw -= weight;
  }
  return route.version;
}

// What the executor runs for `version` ("$LATEST" or a number) of a function.
FunctionImage build_image(const Context& ctx, const Record& function, const std::string& version) {
  const json& doc = function.document;
  const std::string function_name = doc.at("name").get<std::string>();
  FunctionImage image;
  image.function_name = function_name;
  image.function_arn = doc_arn(doc);
  image.account = doc.at("account");
  image.region = doc.at("region");
  const json* source = &doc;
  std::optional<Record> version_record;
  if (version == "$LATEST") {
    image.version = "$LATEST";
    image.config_revision = latest_revision_id(ctx, function);
  } else {
    version_record = find_version(ctx, function_name, version);
    if (!version_record) not_found("Function not found: " + image.function_arn + ":" + version);
    source = &version_record->document;
    image.version = version;
    image.config_revision = version_revision_id(*version_record);
  }
  const json& config = source->at("config");
  const json& code = source->at("code");
  // The executor names task folders by it: the blob's hex digest (CodeSha256 is base64).
  image.code_sha256 = code.at("digest").get<std::string>();
  image.code_zip = ctx.state.blobs->path_of(image.code_sha256);
  for (const auto& arn : config.value("Layers", json::array())) {
    if (auto layer = ctx.state.records->get(kLayer, arn.get<std::string>()))
      image.layer_zips.push_back(
          ctx.state.blobs->path_of(layer->document.at("code").at("digest").get<std::string>()));
  }
  image.runtime = config.value("Runtime", "provided.al2023");
  image.handler = config.value("Handler", "");
  image.memory_mb = config.value("MemorySize", 128);
  image.timeout_s = config.value("Timeout", 3);
  image.ephemeral_storage_mb = config.value("EphemeralStorage", json::object()).value("Size", 512);
  // Bound to a local: items() of a temporary would dangle in the loop.
  const json variables =
      config.value("Environment", json::object()).value("Variables", json::object());
  for (const auto& [key, value] : variables.items())
    image.environment[key] = value.is_string() ? value.get<std::string>() : value.dump();
  image.log_group = config.value("LoggingConfig", json::object())
                        .value("LogGroup", "/aws/lambda/" + function_name);
  return image;
}

}  // namespace

FunctionImage LambdaFunctions::image_for(const std::string& function_name,
                                         const std::string& qualifier, std::string* alias_out) {
  return image_for(function_name, qualifier, alias_out, Caller{}, state_.now());
}

FunctionImage LambdaFunctions::image_for(const std::string& function_name,
                                         const std::string& qualifier, std::string* alias_out,
                                         const Caller& caller, Timestamp now) {
  std::lock_guard lock(mutex_);
  ApiCall call;
  call.caller = caller;
  call.now = now;
  const Context ctx{state_, options_, call, call.input, now};
  const std::string requested = qualifier.empty() ? "$LATEST" : qualifier;
  const std::string route_key = function_name + '\n' + requested;
  auto route_it = cache_.routes.find(route_key);
  if (route_it == cache_.routes.end()) {
    Record function = load_function(ctx, function_name);
    const json& doc = function.document;
    if (settling(ctx, doc) && doc.value("change", "") == "create") {
      conflict(
          "The operation cannot be performed at this time. The function is currently in the "
          "following state: Pending");
    }
    Route route;
    route.version = requested;
    if (requested != "$LATEST" && !is_version_number(requested)) {
      Record alias = load_alias(ctx, function_name, requested);
      route.alias = requested;
      route.version = alias.document.value("FunctionVersion", "$LATEST");
      const json weights = alias.document.value("RoutingConfig", json::object())
                               .value("AdditionalVersionWeights", json::object());
      for (const auto& [other, weight] : weights.items())
        route.weights.emplace_back(other, weight.get<double>());
    }
    // A function still settling may change state by the clock alone: look again next time.
    if (settling(ctx, doc)) {
      std::string version = draw_version(route);
      if (alias_out) *alias_out = route.alias;
      return build_image(ctx, function, version);
    }
    route_it = cache_.routes.emplace(route_key, std::move(route)).first;
  }
  const Route& route = route_it->second;
  const std::string version = draw_version(route);
  if (alias_out) *alias_out = route.alias;
  const std::string image_key = function_name + '\n' + version;
  auto image_it = cache_.images.find(image_key);
  if (image_it == cache_.images.end()) {
    Record function = load_function(ctx, function_name);
    image_it = cache_.images.emplace(image_key, build_image(ctx, function, version)).first;
  }
  return image_it->second;
}

FunctionImage LambdaFunctions::latest_image(const std::string& function_name) {
  std::lock_guard lock(mutex_);
  ApiCall call;
  const Context ctx{state_, options_, call, call.input, state_.now()};
  return build_image(ctx, load_function(ctx, function_name), "$LATEST");
}

std::optional<UrlTarget> LambdaFunctions::url_target(std::string_view url_id) {
  std::lock_guard lock(mutex_);
  const std::string key(url_id);
  auto cached = cache_.urls.find(key);
  if (cached != cache_.urls.end()) return cached->second;
  return cache_.urls[key] = load_url_target(url_id);
}

std::optional<UrlTarget> LambdaFunctions::load_url_target(std::string_view url_id) {
  auto index = state_.records->get(kUrlId, url_id);
  if (!index) return std::nullopt;
  const std::string function = index->document.value("function", "");
  const std::string qualifier = index->document.value("qualifier", "");
  auto url = state_.records->get(kUrl, function + "/" + qualifier);
  if (!url) return std::nullopt;
  const json& doc = url->document;
  return UrlTarget{function,
                   qualifier,
                   doc.value("AuthType", "AWS_IAM"),
                   doc.contains("Cors") ? doc["Cors"] : json(),
                   doc.value("InvokeMode", "BUFFERED"),
                   doc.value("account", ""),
                   doc.value("region", ""),
                   std::string(url_id)};
}

bool LambdaFunctions::url_invocation_allowed(const std::string& function_name,
                                             const std::string& qualifier) {
  std::lock_guard lock(mutex_);
  const std::string key = function_name + "/" + qualifier;
  auto cached = cache_.url_allowed.find(key);
  if (cached != cache_.url_allowed.end()) return cached->second;
  auto policy = state_.records->get(kPolicy, key);
  const bool allowed =
      policy && allows_public_url(ordered_json::parse(policy->document.value("statements", "[]")));
  cache_.url_allowed[key] = allowed;
  return allowed;
}

}  // namespace ld::local
