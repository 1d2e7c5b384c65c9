// IAM roles and inline policies on the local endpoint: the project's client and the AWS CLI
// against a served IamService.
#include "local/services/iam.hpp"

#include <gtest/gtest.h>

#include "aws/error.hpp"
#include "aws/services/iam.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local::test {
namespace {

using nlohmann::json;

std::shared_ptr<Service> make_iam(const State& state) {
  return std::make_shared<IamService>(state);
}

std::string error_code(const std::function<void()>& call) {
  try {
    call();
  } catch (const aws::AwsError& e) {
    return e.code() + " " + std::to_string(e.http_status()) + " " + e.message();
  }
  return "no error";
}

const json kTrust = {{"Version", "2012-10-17"},
                     {"Statement",
                      {{{"Effect", "Allow"},
                        {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                        {"Action", "sts:AssumeRole"}}}}};

const json kPolicy = {{"Version", "2012-10-17"},
                      {"Statement",
                       {{{"Effect", "Allow"},
                         {"Action", {"logs:CreateLogStream", "logs:PutLogEvents"}},
                         {"Resource", "*"}}}}};

TEST(IamService, CreateGetAndDeleteRole) {
  ld::test::TempDir dir("iam");
  ServedService served(dir.path(), make_iam);
  aws::IamClient iam(served.config());
  json role = iam.create_role({{"RoleName", "digest-exec"},
                               {"Path", "/service-role/"},
                               {"AssumeRolePolicyDocument", kTrust},
                               {"Description", "runs the digest"}})["Role"];
  EXPECT_EQ(role["Arn"], "arn:aws:iam::000000000000:role/service-role/digest-exec");
  EXPECT_TRUE(role["RoleId"].get<std::string>().starts_with("AROA"));
  EXPECT_EQ(role["RoleId"].get<std::string>().size(), 21u);
  EXPECT_EQ(role["AssumeRolePolicyDocument"], kTrust);
  EXPECT_EQ(role["MaxSessionDuration"], 3600);
  EXPECT_FALSE(role["CreateDate"].get<std::string>().empty());

  json got = iam.get_role({{"RoleName", "digest-exec"}})["Role"];
  EXPECT_EQ(got["RoleId"], role["RoleId"]);
  EXPECT_EQ(got["Description"], "runs the digest");
  EXPECT_EQ(got["AssumeRolePolicyDocument"], kTrust);

  EXPECT_EQ(error_code([&] {
              iam.create_role({{"RoleName", "DIGEST-EXEC"}, {"AssumeRolePolicyDocument", kTrust}});
            }),
            "EntityAlreadyExists 409 Role with name DIGEST-EXEC already exists.");
  EXPECT_EQ(error_code([&] {
              iam.get_role({{"RoleName", "nobody"}});
            }),
            "NoSuchEntity 404 The role with name nobody cannot be found.");
  EXPECT_EQ(iam.find_role("nobody"), std::nullopt);
  EXPECT_EQ(error_code([&] {
              iam.create_role({{"RoleName", "bad"}, {"AssumeRolePolicyDocument", "{not json"}});
            }),
            "MalformedPolicyDocument 400 This policy contains invalid Json");
  EXPECT_EQ(error_code([&] {
              iam.create_role({{"RoleName", "bad name!"}, {"AssumeRolePolicyDocument", kTrust}});
            }).substr(0, 19),
            "ValidationError 400");

  iam.delete_role({{"RoleName", "digest-exec"}});
  EXPECT_EQ(iam.find_role("digest-exec"), std::nullopt);
}

TEST(IamService, InlinePoliciesBlockDeletion) {
  ld::test::TempDir dir("iam");
  ServedService served(dir.path(), make_iam);
  aws::IamClient iam(served.config());
  iam.create_role({{"RoleName", "r"}, {"AssumeRolePolicyDocument", kTrust}});
  iam.put_role_policy({{"RoleName", "r"}, {"PolicyName", "logs"}, {"PolicyDocument", kPolicy}});
  json got = iam.get_role_policy({{"RoleName", "r"}, {"PolicyName", "logs"}});
  EXPECT_EQ(got["RoleName"], "r");
  EXPECT_EQ(got["PolicyName"], "logs");
  EXPECT_EQ(got["PolicyDocument"], kPolicy);
  EXPECT_EQ(iam.find_role_policy("r", "other"), std::nullopt);
  EXPECT_EQ(error_code([&] {
              iam.put_role_policy(
                  {{"RoleName", "ghost"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}});
            }),
            "NoSuchEntity 404 The role with name ghost cannot be found.");
  EXPECT_EQ(error_code([&] {
              iam.delete_role({{"RoleName", "r"}});
            }),
            "DeleteConflict 409 Cannot delete entity, must delete policies first.");
  iam.delete_role_policy({{"RoleName", "r"}, {"PolicyName", "logs"}});
  EXPECT_EQ(error_code([&] {
              iam.delete_role_policy({{"RoleName", "r"}, {"PolicyName", "logs"}});
            }),
            "NoSuchEntity 404 The role policy with name logs cannot be found.");
  iam.delete_role({{"RoleName", "r"}});
}

TEST(IamService, RolesSurviveReopeningTheState) {
  ld::test::TempDir dir("iam");
  std::string role_id;
  {
    ServedService served(dir.path(), make_iam);
    aws::IamClient iam(served.config());
    role_id = iam.create_role(
        {{"RoleName", "kept"}, {"AssumeRolePolicyDocument", kTrust}})["Role"]["RoleId"];
    iam.put_role_policy({{"RoleName", "kept"}, {"PolicyName", "p"}, {"PolicyDocument", kPolicy}});
  }
  ServedService reopened(dir.path(), make_iam);
  aws::IamClient iam(reopened.config());
  EXPECT_EQ(iam.get_role({{"RoleName", "kept"}})["Role"]["RoleId"], role_id);
  EXPECT_EQ(iam.find_role_policy("kept", "p"), kPolicy);
}

TEST(IamService, AwsCliRoleAndPolicy) {
  ld::test::TempDir dir("iam");
  ServedService served(dir.path(), make_iam);
  CliRun create = served.aws({"iam", "create-role", "--role-name", "cli-role",
                              "--assume-role-policy-document", kTrust.dump()});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  json role = json::parse(create.out)["Role"];
  EXPECT_EQ(role["Arn"], "arn:aws:iam::000000000000:role/cli-role");
  EXPECT_EQ(role["AssumeRolePolicyDocument"], kTrust);  // the CLI decodes and parses it
  CliRun put = served.aws({"iam", "put-role-policy", "--role-name", "cli-role", "--policy-name",
                           "logs", "--policy-document", kPolicy.dump()});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  CliRun get =
      served.aws({"iam", "get-role-policy", "--role-name", "cli-role", "--policy-name", "logs"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(json::parse(get.out)["PolicyDocument"], kPolicy);
  CliRun list = served.aws({"iam", "list-role-policies", "--role-name", "cli-role"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out)["PolicyNames"], json::array({"logs"}));
  CliRun missing = served.aws({"iam", "get-role", "--role-name", "ghost"});
  EXPECT_EQ(missing.exit_code, 254);
  EXPECT_NE(missing.err.find("NoSuchEntity"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace ld::local::test
