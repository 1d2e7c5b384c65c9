#include "aws/services/iam.hpp"

#include <utility>

#include "aws/error.hpp"
#include "aws/services/xml_values.hpp"

namespace ld::aws {

const ServiceInfo kIam{
    .id = "IAM",
    .endpoint_prefix = "iam",
    .signing_name = "iam",
    .api_version = "2010-05-08",
    .protocol = Protocol::Query,
    .global = true,
    .env_name = "IAM",
    .config_key = "iam",
};

namespace iam {
namespace {

const Operation kGetRole{
    .name = "GetRole",
};
const Operation kCreateRole{
    .name = "CreateRole",
};
const Operation kDeleteRole{
    .name = "DeleteRole",
};
const Operation kPutRolePolicy{
    .name = "PutRolePolicy",
};
const Operation kGetRolePolicy{
    .name = "GetRolePolicy",
};
const Operation kDeleteRolePolicy{
    .name = "DeleteRolePolicy",
};

}  // namespace

const std::vector<const Operation*>& operations() {
  static const std::vector<const Operation*> all{
      &kGetRole, &kCreateRole, &kDeleteRole, &kPutRolePolicy, &kGetRolePolicy, &kDeleteRolePolicy,
  };
  return all;
}

}  // namespace iam

using namespace iam;

namespace {

bool is_no_such_entity(const AwsError& error) {
  return error.code() == "NoSuchEntity";
}

// A policy document member given as a JSON object travels as its text.
json with_document_text(json input, std::string_view member) {
  if (auto it = input.find(member); it != input.end() && it->is_object()) *it = it->dump();
  return input;
}

json typed_role_output(json output) {
  if (auto role = output.find("Role"); role != output.end() && role->is_object()) {
    if (auto doc = role->find("AssumeRolePolicyDocument"); doc != role->end())
      *doc = decode_policy_document(*doc);
    normalize_lists(*role, {"Tags"});
    normalize_numbers(*role, {"MaxSessionDuration"});
  }
  return output;
}

}  // namespace

IamClient::IamClient(ClientConfig config) : client_(kIam, std::move(config)) {}

json IamClient::get_role(const json& input) const {
  return typed_role_output(client_.call(kGetRole, Call{.input = input}).output);
}

json IamClient::create_role(const json& input) const {
  const Call call = Call{.input = with_document_text(input, "AssumeRolePolicyDocument")};
  return typed_role_output(client_.call(kCreateRole, call).output);
}

void IamClient::delete_role(const json& input) const {
  client_.call(kDeleteRole, Call{.input = input});
}

void IamClient::put_role_policy(const json& input) const {
  client_.call(kPutRolePolicy, Call{.input = with_document_text(input, "PolicyDocument")});
}

json IamClient::get_role_policy(const json& input) const {
  json output = client_.call(kGetRolePolicy, Call{.input = input}).output;
  if (auto doc = output.find("PolicyDocument"); doc != output.end())
    *doc = decode_policy_document(*doc);
  return output;
}

void IamClient::delete_role_policy(const json& input) const {
  client_.call(kDeleteRolePolicy, Call{.input = input});
}

std::optional<json> IamClient::find_role(std::string_view role_name) const {
  try {
    return get_role({{"RoleName", role_name}}).value("Role", json::object());
  } catch (const AwsError& error) {
    if (is_no_such_entity(error)) return std::nullopt;
    throw;
  }
}

std::optional<json> IamClient::find_role_policy(std::string_view role_name,
                                                std::string_view policy_name) const {
  try {
    return get_role_policy({{"RoleName", role_name}, {"PolicyName", policy_name}})
        .value("PolicyDocument", json());
  } catch (const AwsError& error) {
    if (is_no_such_entity(error)) return std::nullopt;
    throw;
  }
}

}  // namespace ld::aws
