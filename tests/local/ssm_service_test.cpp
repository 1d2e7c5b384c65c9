// SSM Parameter Store on the local endpoint: the project's client and the AWS CLI against a
// served SsmService.
#include "local/services/ssm.hpp"

#include <gtest/gtest.h>

#include "aws/error.hpp"
#include "aws/services/ssm.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local::test {
namespace {

using nlohmann::json;

std::shared_ptr<Service> make_ssm(const State& state) {
  return std::make_shared<SsmService>(state);
}

std::string error_code(const std::function<void()>& call) {
  try {
    call();
  } catch (const aws::AwsError& e) {
    return e.code() + " " + std::to_string(e.http_status());
  }
  return "no error";
}

TEST(SsmService, PutGetVersionsAndOverwrite) {
  ld::test::TempDir dir("ssm");
  ServedService served(dir.path(), make_ssm);
  aws::SsmClient ssm(served.config());
  json put =
      ssm.put_parameter({{"Name", "/app/db/host"}, {"Value", "db.local"}, {"Type", "String"}});
  EXPECT_EQ(put["Version"], 1);
  EXPECT_EQ(put["Tier"], "Standard");
  EXPECT_EQ(error_code([&] {
              ssm.put_parameter({{"Name", "/app/db/host"}, {"Value", "x"}, {"Type", "String"}});
            }),
            "ParameterAlreadyExists 400");
  put = ssm.put_parameter({{"Name", "/app/db/host"}, {"Value", "db2.local"}, {"Overwrite", true}});
  EXPECT_EQ(put["Version"], 2);
  json got = ssm.get_parameter({{"Name", "/app/db/host"}})["Parameter"];
  EXPECT_EQ(got["Value"], "db2.local");
  EXPECT_EQ(got["Type"], "String");
  EXPECT_EQ(got["Version"], 2);
  EXPECT_EQ(got["DataType"], "text");
  EXPECT_EQ(got["ARN"], "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/host");
  EXPECT_TRUE(got["LastModifiedDate"].is_number());
  EXPECT_EQ(error_code([&] { ssm.get_parameter({{"Name", "/nope"}}); }), "ParameterNotFound 400");
  EXPECT_EQ(ssm.get_parameter_value("/nope"), std::nullopt);
  EXPECT_EQ(error_code([&] {
              ssm.put_parameter({{"Name", "a/b"}, {"Value", "x"}});
            }),
            "ValidationException 400");
  EXPECT_EQ(error_code([&] {
              ssm.put_parameter({{"Name", "/x"}, {"Value", "x"}, {"Type", "Secret"}});
            }),
            "ValidationException 400");
}

TEST(SsmService, SecureStringIsSealedUnlessDecrypted) {
  ld::test::TempDir dir("ssm");
  ServedService served(dir.path(), make_ssm);
  aws::SsmClient ssm(served.config());
  ssm.put_parameter({{"Name", "/app/token"}, {"Value", "s3cr3t"}, {"Type", "SecureString"}});
  json sealed = ssm.get_parameter({{"Name", "/app/token"}})["Parameter"];
  EXPECT_EQ(sealed["Type"], "SecureString");
  EXPECT_NE(sealed["Value"], "s3cr3t");
  EXPECT_EQ(sealed["Value"].get<std::string>().find("s3cr3t"), std::string::npos);
  json open = ssm.get_parameter({{"Name", "/app/token"}, {"WithDecryption", true}})["Parameter"];
  EXPECT_EQ(open["Value"], "s3cr3t");
  EXPECT_EQ(ssm.get_parameter_value("/app/token"), "s3cr3t");
  EXPECT_EQ(error_code([&] {
              ssm.put_parameter({{"Name", "/p"}, {"Value", "x"}, {"KeyId", "alias/k"}});
            }),
            "ValidationException 400");
}

TEST(SsmService, GetParametersAndByPathWithPaging) {
  ld::test::TempDir dir("ssm");
  ServedService served(dir.path(), make_ssm);
  aws::SsmClient ssm(served.config());
  for (int i = 0; i < 13; ++i)
    ssm.put_parameter({{"Name", "/svc/p" + std::to_string(100 + i)}, {"Value", std::to_string(i)}});
  ssm.put_parameter({{"Name", "/svc/deep/inner"}, {"Value", "in"}});
  ssm.put_parameter({{"Name", "/other"}, {"Value", "o"}});
  json many = ssm.get_parameters({{"Names", {"/svc/p100", "/missing", "/other"}}});
  ASSERT_EQ(many["Parameters"].size(), 2u);
  EXPECT_EQ(many["InvalidParameters"], json::array({"/missing"}));

  json first = ssm.get_parameters_by_path({{"Path", "/svc"}, {"MaxResults", 5}});
  EXPECT_EQ(first["Parameters"].size(), 5u);
  ASSERT_TRUE(first.contains("NextToken"));
  json flat = ssm.get_all_parameters_by_path("/svc", false);
  EXPECT_EQ(flat.size(), 13u);
  json deep = ssm.get_all_parameters_by_path("/svc/", true);
  EXPECT_EQ(deep.size(), 14u);
  json root = ssm.get_all_parameters_by_path("/", false);
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["Name"], "/other");

  ssm.delete_parameter({{"Name", "/other"}});
  EXPECT_EQ(error_code([&] {
              ssm.delete_parameter({{"Name", "/other"}});
            }),
            "ParameterNotFound 400");
}

TEST(SsmService, ParametersSurviveReopeningTheState) {
  ld::test::TempDir dir("ssm");
  {
    ServedService served(dir.path(), make_ssm);
    aws::SsmClient ssm(served.config());
    ssm.put_parameter({{"Name", "/keep/a"}, {"Value", "1"}});
    ssm.put_parameter({{"Name", "/keep/a"}, {"Value", "2"}, {"Overwrite", true}});
  }
  ServedService reopened(dir.path(), make_ssm);
  aws::SsmClient ssm(reopened.config());
  json got = ssm.get_parameter({{"Name", "/keep/a"}})["Parameter"];
  EXPECT_EQ(got["Value"], "2");
  EXPECT_EQ(got["Version"], 2);
}

TEST(SsmService, AwsCliSecureStringAndPath) {
  ld::test::TempDir dir("ssm");
  ServedService served(dir.path(), make_ssm);
  CliRun put = served.aws({"ssm", "put-parameter", "--name", "/cli/secret", "--value", "hunter2",
                           "--type", "SecureString"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_EQ(json::parse(put.out)["Version"], 1);
  CliRun get = served.aws({"ssm", "get-parameter", "--name", "/cli/secret", "--with-decryption"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  json parameter = json::parse(get.out)["Parameter"];
  EXPECT_EQ(parameter["Value"], "hunter2");
  EXPECT_EQ(parameter["Type"], "SecureString");
  EXPECT_TRUE(parameter["LastModifiedDate"].is_string());  // the CLI formats the epoch seconds
  CliRun path = served.aws({"ssm", "get-parameters-by-path", "--path", "/cli", "--recursive"});
  ASSERT_EQ(path.exit_code, 0) << path.err;
  json listed = json::parse(path.out)["Parameters"];
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_NE(listed[0]["Value"], "hunter2");
  CliRun missing = served.aws({"ssm", "get-parameter", "--name", "/cli/none"});
  EXPECT_EQ(missing.exit_code, 254);
  EXPECT_NE(missing.err.find("ParameterNotFound"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace ld::local::test
