#include "local/services/lambda_functions.hpp"

#include <cmath>
#include <random>
#include <set>

#include "core/hash.hpp"
#include "local/services/lambda_ops.hpp"
#include "local/services/lambda_policy.hpp"

namespace ld::local {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using namespace lambda;

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
  if (op == "GetFunctionConfiguration") return get_configuration(ctx);
  if (op == "DeleteFunction") return delete_function(ctx), json::object();
  if (op == "UpdateFunctionCode") return update_code(ctx);
  if (op == "UpdateFunctionConfiguration") return update_configuration(ctx);
  if (op == "PublishVersion") return publish_version(ctx);
  if (op == "ListVersionsByFunction") return list_versions(ctx);
  if (op == "CreateAlias") return create_alias(ctx);
  if (op == "GetAlias") return get_alias(ctx);
  if (op == "UpdateAlias") return update_alias(ctx);
  if (op == "DeleteAlias") return delete_alias(ctx), json::object();
  if (op == "ListAliases") return list_aliases(ctx);
  if (op == "PutProvisionedConcurrencyConfig") return put_provisioned(ctx);
  if (op == "GetProvisionedConcurrencyConfig") return get_provisioned(ctx);
  if (op == "DeleteProvisionedConcurrencyConfig") return delete_provisioned(ctx), json::object();
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
  if (op == "ListFunctions") return list_functions(ctx);
  if (op == "ListTags") return list_tags(ctx);
  if (op == "TagResource") return tag_resource(ctx), json::object();
  if (op == "UntagResource") return untag_resource(ctx), json::object();
  if (op == "GetFunctionCodeSigningConfig") return get_code_signing(ctx);
  if (op == "PutFunctionConcurrency") return put_concurrency(ctx);
  if (op == "GetFunctionConcurrency") return get_concurrency(ctx);
  if (op == "DeleteFunctionConcurrency") return delete_concurrency(ctx), json::object();
  if (op == "ListProvisionedConcurrencyConfigs") return list_provisioned(ctx);
  if (op == "GetAccountSettings") return account_settings(ctx);
  if (op == "ListFunctionUrlConfigs") return list_urls(ctx);
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
  if (auto reserved = ctx.records().get(kConcurrency, function_name))
    image.reserved_concurrency = reserved->document.at("reserved").get<int>();
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

std::vector<ProvisionedImage> LambdaFunctions::provisioned_images(
    const std::string& function_name) {
  std::lock_guard lock(mutex_);
  ApiCall call;
  const Context ctx{state_, options_, call, call.input, state_.now()};
  auto function = state_.records->get(kFunction, function_name);
  if (!function) return {};
  std::map<std::string, int> counts;  // by version
  for (const auto& config :
       state_.records->list(kProvisioned, all_with_prefix(function_name + "/")).records) {
    const std::string qualifier = config.document.value("qualifier", "");
    const int requested = config.document.value("requested", 0);
    if (is_version_number(qualifier)) {
      counts[qualifier] += requested;
      continue;
    }
    auto alias = find_alias(ctx, function_name, qualifier);
    if (!alias) continue;
    int primary = requested;
    const json weights = alias->document.value("RoutingConfig", json::object())
                             .value("AdditionalVersionWeights", json::object());
    for (const auto& [other, weight] : weights.items()) {
      const int share = static_cast<int>(std::lround(requested * weight.get<double>()));
      counts[other] += share;
      primary -= share;
    }
    counts[alias->document.value("FunctionVersion", "$LATEST")] += primary;
  }
  std::vector<ProvisionedImage> images;
  for (const auto& [version, count] : counts) {
    if (count <= 0) continue;
    if (version != "$LATEST" && !find_version(ctx, function_name, version)) continue;
    images.push_back({build_image(ctx, *function, version), count});
  }
  return images;
}

std::vector<std::string> LambdaFunctions::provisioned_functions() {
  std::lock_guard lock(mutex_);
  std::set<std::string> names;
  for (const auto& config : state_.records->list(kProvisioned, all_with_prefix("")).records)
    names.insert(config.document.value("function", ""));
  return {names.begin(), names.end()};
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
