#pragma once
// The names a stage's resources carry in AWS (DESIGN.md section 2): every one is derived from
// the function's name, the stage, the account and the region, so a stage owns what it names.
#include <string>
#include <string_view>

namespace ld::deploy {

// The alias every stage serves from.
inline constexpr std::string_view kLiveAlias = "LIVE";

// How one stage's resources are named.
struct Names {
  std::string function;  // {service}__{stage}
  std::string stage;
  std::string account;
  std::string region;
  std::string partition = "aws";

  // {account}--lambdeploy--{region}: the bucket for code and dependencies.
  std::string default_bucket() const;
  // {function}-role and its inline policy {function}-policy.
  std::string role() const { return function + "-role"; }
  std::string role_policy() const { return function + "-policy"; }
  std::string role_arn() const;
  // lambda-code/{function}/{sha256}.zip
  std::string code_key(std::string_view sha256_hex) const;
  // lambda-dependencies/{stage}/{name}.zip
  std::string dependency_key(std::string_view name) const;
  // {function}--{name}
  std::string layer(std::string_view dependency) const;
  // /aws/lambda/{function}
  std::string log_group() const { return "/aws/lambda/" + function; }
  // {function}-{name}
  std::string alarm(std::string_view name) const;
  std::string function_arn() const;
  // The ARN prefix of this account's and region's resources of `service` ("arn:aws:ssm:r:a:").
  std::string arn_prefix(std::string_view service) const;
};

// The partition of a region ("aws", "aws-cn", "aws-us-gov").
std::string partition_of(std::string_view region);

}  // namespace ld::deploy
