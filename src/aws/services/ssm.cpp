#include "aws/services/ssm.hpp"

#include <utility>

#include "aws/error.hpp"
#include "aws/services/pages.hpp"

namespace ld::aws {

const ServiceInfo kSsm{
    .id = "SSM",
    .endpoint_prefix = "ssm",
    .signing_name = "ssm",
    .api_version = "2014-11-06",
    .protocol = Protocol::Json,
    .target_prefix = "AmazonSSM",
    .json_version = "1.1",
    .env_name = "SSM",
    .config_key = "ssm",
};

namespace ssm {
namespace {

const Operation kGetParameter{
    .name = "GetParameter",
};
const Operation kGetParameters{
    .name = "GetParameters",
};
const Operation kGetParametersByPath{
    .name = "GetParametersByPath",
};
const Operation kPutParameter{
    .name = "PutParameter",
};
const Operation kDeleteParameter{
    .name = "DeleteParameter",
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kGetParameter, &kGetParameters, &kGetParametersByPath, &kPutParameter, &kDeleteParameter,
  };
  return all;
}

}  // namespace ssm

using namespace ssm;

namespace {}  // namespace

SsmClient::SsmClient(ClientConfig config) : client_(kSsm, std::move(config)) {}

json SsmClient::get_parameter(const json& input) const {
  return client_.call(kGetParameter, Call{.input = input}).output;
}
json SsmClient::get_parameters(const json& input) const {
  return client_.call(kGetParameters, Call{.input = input}).output;
}
json SsmClient::get_parameters_by_path(const json& input) const {
  return client_.call(kGetParametersByPath, Call{.input = input}).output;
}
json SsmClient::put_parameter(const json& input) const {
  return client_.call(kPutParameter, Call{.input = input}).output;
}
void SsmClient::delete_parameter(const json& input) const {
  client_.call(kDeleteParameter, Call{.input = input});
}

std::optional<std::string> SsmClient::get_parameter_value(std::string_view name,
                                                          bool with_decryption) const {
  json output;
  try {
    output = get_parameter({{"Name", name}, {"WithDecryption", with_decryption}});
  } catch (const AwsError& error) {
    if (error.code() == "ParameterNotFound") return std::nullopt;
    throw;
  }
  const auto parameter = output.find("Parameter");
  if (parameter != output.end() && parameter->is_object()) {
    const auto value = parameter->find("Value");
    if (value != parameter->end() && value->is_string()) return value->get<std::string>();
  }
  throw Error("SSM GetParameter for " + std::string(name) + " returned no Parameter.Value");
}

json SsmClient::get_all_parameters_by_path(std::string_view path, bool recursive,
                                           bool with_decryption) const {
  const json input = {
      {"Path", path}, {"Recursive", recursive}, {"WithDecryption", with_decryption}};
  return collect_pages(input, {"NextToken", "NextToken", {"Parameters"}}, [this](const json& page) {
    return get_parameters_by_path(page);
  })["Parameters"];
}

}  // namespace ld::aws
