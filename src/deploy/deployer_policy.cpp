#include "deploy/deployer_policy.hpp"

#include "deploy/stage.hpp"

namespace ld::deploy {

using nlohmann::json;

namespace {

json statement(const std::string& sid, json actions, json resources) {
  return {{"Sid", sid},
          {"Effect", "Allow"},
          {"Action", std::move(actions)},
          {"Resource", std::move(resources)}};
}

}  // namespace

json deployer_policy(const Config& config, const StageSpec& stage, const Names& names) {
  const std::string bucket = stage.settings.deps_bucket.value_or(names.default_bucket());
  const std::string bucket_arn = "arn:" + names.partition + ":s3:::" + bucket;
  const std::string function_arn = names.function_arn();
  const std::string role_arn = stage.settings.role_arn.value_or(names.role_arn());
  json statements = json::array();
  statements.push_back(statement("WhoAmI", {"sts:GetCallerIdentity"}, "*"));
  statements.push_back(statement("Bucket", {"s3:CreateBucket", "s3:ListBucket"}, bucket_arn));
  statements.push_back(statement("StageObjects",
                                 {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"},
                                 {bucket_arn + "/lambda-code/" + names.function + "/*",
                                  bucket_arn + "/lambda-dependencies/" + names.stage + "/*"}));
  statements.push_back(statement("Function",
                                 {"lambda:GetFunction",
                                  "lambda:GetFunctionConfiguration",
                                  "lambda:CreateFunction",
                                  "lambda:UpdateFunctionCode",
                                  "lambda:UpdateFunctionConfiguration",
                                  "lambda:DeleteFunction",
                                  "lambda:PublishVersion",
                                  "lambda:ListVersionsByFunction",
                                  "lambda:CreateAlias",
                                  "lambda:GetAlias",
                                  "lambda:UpdateAlias",
                                  "lambda:DeleteAlias",
                                  "lambda:ListAliases",
                                  "lambda:CreateFunctionUrlConfig",
                                  "lambda:GetFunctionUrlConfig",
                                  "lambda:UpdateFunctionUrlConfig",
                                  "lambda:DeleteFunctionUrlConfig",
                                  "lambda:AddPermission",
                                  "lambda:RemovePermission",
                                  "lambda:GetPolicy",
                                  "lambda:InvokeFunction",
                                  "lambda:PutProvisionedConcurrencyConfig",
                                  "lambda:GetProvisionedConcurrencyConfig",
                                  "lambda:DeleteProvisionedConcurrencyConfig"},
                                 {function_arn, function_arn + ":*"}));
  json layers = json::array();
  for (const auto& dependency : config.dependencies) {
    const std::string layer_arn =
        names.arn_prefix("lambda") + "layer:" + names.layer(dependency.name);
    layers.push_back(layer_arn);
    layers.push_back(layer_arn + ":*");
  }
  if (!layers.empty()) {
    statements.push_back(statement("Layers",
                                   {"lambda:PublishLayerVersion", "lambda:ListLayerVersions",
                                    "lambda:GetLayerVersion", "lambda:DeleteLayerVersion"},
                                   layers));
  }
  if (!stage.settings.role_arn) {
    statements.push_back(
        statement("ExecutionRole",
                  {"iam:GetRole", "iam:CreateRole", "iam:DeleteRole", "iam:GetRolePolicy",
                   "iam:PutRolePolicy", "iam:DeleteRolePolicy"},
                  role_arn));
  }
  json pass_role = statement("PassExecutionRole", {"iam:PassRole"}, role_arn);
  pass_role["Condition"] = {{"StringEquals", {{"iam:PassedToService", "lambda.amazonaws.com"}}}};
  statements.push_back(pass_role);
  const std::string log_group_arn = names.arn_prefix("logs") + "log-group:" + names.log_group();
  statements.push_back(statement("LogGroup",
                                 {"logs:CreateLogGroup", "logs:DeleteLogGroup",
                                  "logs:PutRetentionPolicy", "logs:FilterLogEvents"},
                                 {log_group_arn, log_group_arn + ":*"}));
  statements.push_back(statement("ReadLogGroups", {"logs:DescribeLogGroups"},
                                 names.arn_prefix("logs") + "log-group:*"));
  statements.push_back(
      statement("Alarms", {"cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"},
                names.arn_prefix("cloudwatch") + "alarm:" + names.function + "-*"));
  statements.push_back(statement("ReadAlarms", {"cloudwatch:DescribeAlarms"}, "*"));
  json parameters = json::array();
  for (const auto& [variable, spec] : stage.env) {
    if (!spec.ssm) continue;
    const std::string name = expand_parameter_name(*spec.ssm, config, stage.name);
    parameters.push_back(names.arn_prefix("ssm") + "parameter" +
                         (name.starts_with('/') ? "" : "/") + name);
  }
  if (!parameters.empty())
    statements.push_back(statement("StageParameters",
                                   {"ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter"},
                                   parameters));
  return {{"Version", "2012-10-17"}, {"Statement", statements}};
}

json github_trust_policy(const Names& names, const std::string& repository) {
  const std::string provider = "token.actions.githubusercontent.com";
  return {
      {"Version", "2012-10-17"},
      {"Statement",
       json::array({{{"Effect", "Allow"},
                     {"Principal",
                      {{"Federated", "arn:" + names.partition + ":iam::" + names.account +
                                         ":oidc-provider/" + provider}}},
                     {"Action", "sts:AssumeRoleWithWebIdentity"},
                     {"Condition",
                      {{"StringEquals", {{provider + ":aud", "sts.amazonaws.com"}}},
                       {"StringLike", {{provider + ":sub", "repo:" + repository + ":*"}}}}}}})}};
}

}  // namespace ld::deploy
