#include "deploy/desired.hpp"

#include <set>

namespace ld::deploy {

std::string DesiredDependency::layer_description() const {
  return "lambdeploy sha256:" + zip.sha256_hex;
}

json Desired::trust_policy() const {
  return {{"Version", "2012-10-17"},
          {"Statement", json::array({{{"Effect", "Allow"},
                                      {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                      {"Action", "sts:AssumeRole"}}})}};
}

json Desired::role_policy() const {
  const std::string log_group_arn =
      names.arn_prefix("logs") + "log-group:" + names.log_group() + ":*";
  json statements = json::array();
  statements.push_back({{"Sid", "OwnLogGroup"},
                        {"Effect", "Allow"},
                        {"Action", {"logs:CreateLogStream", "logs:PutLogEvents"}},
                        {"Resource", log_group_arn}});
  const std::string bucket_arn = "arn:" + names.partition + ":s3:::" + bucket;
  statements.push_back({{"Sid", "OwnObjects"},
                        {"Effect", "Allow"},
                        {"Action", {"s3:GetObject"}},
                        {"Resource",
                         {bucket_arn + "/lambda-code/" + names.function + "/*",
                          bucket_arn + "/lambda-dependencies/" + names.stage + "/*"}}});
  std::set<std::string> read;
  for (const auto& p : parameters_read) read.insert(p);
  if (!read.empty()) {
    json resources = json::array();
    for (const auto& name : read) {
      const bool rooted = name.starts_with('/');
      resources.push_back(names.arn_prefix("ssm") + "parameter" + (rooted ? "" : "/") + name);
    }
    statements.push_back({{"Sid", "OwnParameters"},
                          {"Effect", "Allow"},
                          {"Action", {"ssm:GetParameter", "ssm:GetParameters"}},
                          {"Resource", resources}});
  }
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
}

json Desired::environment() const {
  json variables = json::object();
  for (const auto& [name, value] : env) variables[name] = value.value;
  return variables;
}

json Desired::fingerprint(const std::vector<std::string>& layers) const {
  return {{"CodeSha256", code.code_sha256},
          {"Runtime", runtime},
          {"Handler", "bootstrap"},
          {"MemorySize", memory_mb},
          {"Timeout", timeout_s},
          {"EphemeralStorage", ephemeral_storage_mb},
          {"Environment", environment()},
          {"Role", role_arn},
          {"Layers", layers},
          {"Architectures", json::array({architecture})}};
}

json fingerprint_of(const json& configuration) {
  json layers = json::array();
  for (const auto& layer : configuration.value("Layers", json::array()))
    layers.push_back(layer.value("Arn", ""));
  json variables = json::object();
  if (configuration.contains("Environment") && configuration["Environment"].is_object())
    variables = configuration["Environment"].value("Variables", json::object());
  json architectures = configuration.value("Architectures", json::array({"x86_64"}));
  int storage = 512;
  if (configuration.contains("EphemeralStorage") && configuration["EphemeralStorage"].is_object())
    storage = configuration["EphemeralStorage"].value("Size", 512);
  return {{"CodeSha256", configuration.value("CodeSha256", "")},
          {"Runtime", configuration.value("Runtime", "")},
          {"Handler", configuration.value("Handler", "")},
          {"MemorySize", configuration.value("MemorySize", 0)},
          {"Timeout", configuration.value("Timeout", 0)},
          {"EphemeralStorage", storage},
          {"Environment", variables},
          {"Role", configuration.value("Role", "")},
          {"Layers", layers},
          {"Architectures", architectures}};
}

namespace {

std::string function_description(const Desired& desired) {
  return "lambdeploy: " + desired.service + " stage " + desired.names.stage;
}

}  // namespace

json Desired::configuration_input(const std::vector<std::string>& layers) const {
  return {{"FunctionName", names.function},
          {"Role", role_arn},
          {"Handler", "bootstrap"},
          {"Description", function_description(*this)},
          {"Timeout", timeout_s},
          {"MemorySize", memory_mb},
          {"Environment", {{"Variables", environment()}}},
          {"Runtime", runtime},
          {"Layers", layers},
          {"EphemeralStorage", {{"Size", ephemeral_storage_mb}}}};
}

json Desired::create_function_input(const std::vector<std::string>& layers) const {
  json input = configuration_input(layers);
  input["Code"] = {{"S3Bucket", bucket}, {"S3Key", code_key}};
  input["Architectures"] = json::array({architecture});
  input["Publish"] = false;
  input["PackageType"] = "Zip";
  return input;
}

std::vector<std::string> Desired::secret_paths() const {
  std::vector<std::string> out;
  for (const auto& [name, value] : env)
    if (value.secret) out.push_back("Environment." + name);
  return out;
}

std::string Desired::version_description() const {
  std::string text = service + " " + version;
  if (!commit.empty()) text += " (" + commit + ")";
  return text.substr(0, 256);
}

}  // namespace ld::deploy
