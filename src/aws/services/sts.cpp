#include "aws/services/sts.hpp"

#include <utility>

#include "aws/services/xml_values.hpp"

namespace ld::aws {

const ServiceInfo kSts{
    .id = "STS",
    .endpoint_prefix = "sts",
    .signing_name = "sts",
    .api_version = "2011-06-15",
    .protocol = Protocol::Query,
    .env_name = "STS",
    .config_key = "sts",
};

namespace sts {
namespace {

const Operation kGetCallerIdentity{
    .name = "GetCallerIdentity",
};
const Operation kAssumeRole{
    .name = "AssumeRole",
};
const Operation kAssumeRoleWithWebIdentity{
    .name = "AssumeRoleWithWebIdentity",
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kGetCallerIdentity,
      &kAssumeRole,
      &kAssumeRoleWithWebIdentity,
  };
  return all;
}

}  // namespace sts

using namespace sts;

namespace {

json typed_credentials_output(json output) {
  normalize_numbers(output, {"PackedPolicySize"});
  return output;
}

}  // namespace

StsClient::StsClient(ClientConfig config) : client_(kSts, std::move(config)) {}

json StsClient::get_caller_identity(const json& input) const {
  return client_.call(kGetCallerIdentity, Call{.input = input}).output;
}

json StsClient::assume_role(const json& input) const {
  return typed_credentials_output(client_.call(kAssumeRole, Call{.input = input}).output);
}

json StsClient::assume_role_with_web_identity(const json& input) const {
  return typed_credentials_output(
      client_.call(kAssumeRoleWithWebIdentity, Call{.input = input}).output);
}

}  // namespace ld::aws
