#pragma once
// Runs the real AWS CLI v2 (Debian's awscli, /usr/bin/aws) against an endpoint on loopback, with
// the local endpoint's default keys and no config files of the machine's.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ld::test {

// What one `aws` run gave.
struct AwsCliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  // stdout parsed as JSON (null when it is not JSON).
  nlohmann::json json() const;
};

// True when /usr/bin/aws exists (tests skip, saying why, when it does not).
bool aws_cli_available();

// `aws --endpoint-url URL --region us-east-1 --output json ARGS...` with AWS_ACCESS_KEY_ID=test,
// AWS_SECRET_ACCESS_KEY=test, no pager, no config or credentials files; `env` adds or overrides
// variables (an empty value removes one).
AwsCliRun run_aws_cli(const std::string& endpoint_url, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {});

}  // namespace ld::test
