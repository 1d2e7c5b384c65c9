#include "deploy/naming.hpp"

namespace ld::deploy {

std::string Names::default_bucket() const {
  return account + "--lambdeploy--" + region;
}

std::string Names::role_arn() const {
  return "arn:" + partition + ":iam::" + account + ":role/" + role();
}

std::string Names::code_key(std::string_view sha256_hex) const {
  return "lambda-code/" + function + "/" + std::string(sha256_hex) + ".zip";
}

std::string Names::dependency_key(std::string_view name) const {
  return "lambda-dependencies/" + stage + "/" + std::string(name) + ".zip";
}

std::string Names::layer(std::string_view dependency) const {
  return function + "--" + std::string(dependency);
}

std::string Names::alarm(std::string_view name) const {
  return function + "-" + std::string(name);
}

std::string Names::function_arn() const {
  return arn_prefix("lambda") + "function:" + function;
}

std::string Names::arn_prefix(std::string_view service) const {
  return "arn:" + partition + ":" + std::string(service) + ":" + region + ":" + account + ":";
}

std::string partition_of(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

}  // namespace ld::deploy
