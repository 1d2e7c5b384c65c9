#include "deploy/traffic.hpp"

#include <cmath>

#include "aws/error.hpp"
#include "core/error.hpp"
#include "deploy/naming.hpp"

namespace ld::deploy {

using nlohmann::json;

namespace {

json weights_json(const std::map<std::string, double>& weights) {
  json out = json::object();
  for (const auto& [version, weight] : weights) out[version] = weight;
  return out;
}

// Updates LIVE (guarded by the RevisionId read, so a concurrent change fails instead of being
// overwritten) and returns what it is now.
LiveAlias update_live(const aws::LambdaClient& lambda, const std::string& function,
                      const LiveAlias& before, const std::string& version,
                      const std::map<std::string, double>& weights, const LiveRecord& record) {
  json input = {{"FunctionName", function},
                {"Name", std::string(kLiveAlias)},
                {"FunctionVersion", version},
                {"Description", record.format()},
                {"RoutingConfig", {{"AdditionalVersionWeights", weights_json(weights)}}}};
  if (!before.revision_id.empty()) input["RevisionId"] = before.revision_id;
  lambda.update_alias(input);
  LiveAlias after = before;
  after.version = version;
  after.weights = weights;
  after.record = record;
  return after;
}

std::string percent(double weight) {
  return std::to_string(static_cast<int>(std::lround(weight * 100))) + "%";
}

}  // namespace

LiveAlias read_live(const aws::LambdaClient& lambda, const std::string& function) {
  LiveAlias live;
  const auto alias = lambda.find_alias(function, kLiveAlias);
  if (!alias) return live;
  live.exists = true;
  live.version = alias->value("FunctionVersion", "");
  live.revision_id = alias->value("RevisionId", "");
  live.record = LiveRecord::parse(alias->value("Description", ""));
  const json routing = alias->value("RoutingConfig", json::object());
  if (routing.is_object()) {
    const json weights = routing.value("AdditionalVersionWeights", json::object());
    if (weights.is_object())
      for (const auto& [version, weight] : weights.items())
        if (weight.is_number()) live.weights[version] = weight.get<double>();
  }
  return live;
}

std::string release_of_version(const aws::LambdaClient& lambda, const std::string& function,
                               const std::string& version) {
  const json configuration = lambda.get_function_configuration(function, version);
  const std::string description = configuration.value("Description", "");
  const auto space = description.find(' ');
  if (space == std::string::npos) return "";
  const auto end = description.find(' ', space + 1);
  return description.substr(space + 1, end == std::string::npos ? end : end - space - 1);
}

std::string describe_targets(const LiveAlias& alias) {
  if (!alias.exists) return "nothing";
  std::string text = "version " + alias.version;
  for (const auto& [version, weight] : alias.weights)
    text += ", " + percent(weight) + " → version " + version;
  return text;
}

std::string describe(const LiveAlias& alias) {
  if (!alias.exists) return std::string(kLiveAlias) + " does not exist";
  return std::string(kLiveAlias) + " → " + describe_targets(alias);
}

TrafficChange promote(const aws::LambdaClient& lambda, const std::string& function,
                      const TrafficCaller& caller) {
  TrafficChange change;
  change.before = read_live(lambda, function);
  if (!change.before.exists)
    throw Error(function + " has no alias " + std::string(kLiveAlias) + ": deploy it first");
  if (change.before.weights.empty())
    throw Error(std::string(kLiveAlias) + " has no canary to promote: it serves version " +
                change.before.version + " alone");
  const std::string target = change.before.weights.begin()->first;
  LiveRecord record = change.before.record;
  record.previous = change.before.version;
  record.canary.clear();
  record.release = release_of_version(lambda, function, target);
  record.at = caller.now_iso8601;
  record.by = caller.arn;
  change.after = update_live(lambda, function, change.before, target, {}, record);
  change.summary = std::string(kLiveAlias) + " → version " + target + " (was " +
                   describe_targets(change.before) + ")";
  return change;
}

TrafficChange rollback(const aws::LambdaClient& lambda, const std::string& function,
                       const std::optional<std::string>& to, const TrafficCaller& caller) {
  TrafficChange change;
  change.before = read_live(lambda, function);
  const LiveAlias& before = change.before;
  if (!before.exists)
    throw Error(function + " has no alias " + std::string(kLiveAlias) + ": nothing to roll back");
  std::string target;
  LiveRecord record = before.record;
  if (to) {
    target = *to;
    try {
      lambda.get_function_configuration(function, target);
    } catch (const aws::AwsError& error) {
      if (error.code() != "ResourceNotFoundException") throw;
      throw Error("version " + target + " of " + function +
                  " does not exist: `lambdeploy versions` lists the published ones");
    }
    record.previous = before.version;
  } else if (!before.weights.empty()) {
    target = before.version;  // the canary's weights go; the primary keeps serving
  } else {
    if (before.record.previous.empty())
      throw Error(std::string(kLiveAlias) +
                  " has no recorded previous version (it serves version " + before.version +
                  "): name one with --to VERSION (`lambdeploy versions` lists them)");
    target = before.record.previous;
    record.previous = before.version;
  }
  record.canary.clear();
  record.release = release_of_version(lambda, function, target);
  record.at = caller.now_iso8601;
  record.by = caller.arn;
  change.after = update_live(lambda, function, before, target, {}, record);
  change.summary =
      std::string(kLiveAlias) + " → version " + target + " (was " + describe_targets(before) + ")";
  return change;
}

}  // namespace ld::deploy
