// Everyday operations of issue 12 on the local endpoint, through the project's AWS client and the
// real AWS CLI: S3 UploadPartCopy, STS GetSessionToken, and the rest as they arrive.
#include <gtest/gtest.h>

#include "aws/error.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"
#include "local/endpoint.hpp"
#include "local/services/s3.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local::test {
namespace {

using nlohmann::json;

std::shared_ptr<Service> make_s3(const State& state) {
  return std::make_shared<S3Service>(state);
}

// "<code> <status>" of the AWS error a call fails with, or "no error".
std::string failure_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const aws::AwsError& e) {
    return e.code() + " " + std::to_string(e.http_status());
  }
  return "no error";
}

// Bytes that differ at every offset a test copies from.
std::string patterned(std::size_t size) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((i * 7919) % 251);
  return bytes;
}

std::string md5_hex(std::string_view bytes) {
  const auto digest = md5(bytes);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

TEST(UploadPartCopy, PartsCopiedFromObjectsMakeTheObjectsBytes) {
  ld::test::TempDir dir("everyday");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "src"}});
  s3.create_bucket({{"Bucket", "dst"}});
  const std::string big = patterned(6 * 1024 * 1024);
  s3.put_object({{"Bucket", "src"}, {"Key", "dir/big-one.bin"}}, big);
  s3.put_object({{"Bucket", "src"}, {"Key", "small"}}, "0123456789");

  const std::string upload =
      s3.create_multipart_upload({{"Bucket", "dst"}, {"Key", "joined"}})["UploadId"];
  ASSERT_FALSE(upload.empty());
  const json first = s3.upload_part_copy({{"Bucket", "dst"},
                                          {"Key", "joined"},
                                          {"CopySource", "src/dir/big-one.bin"},
                                          {"PartNumber", 1},
                                          {"UploadId", upload}})["CopyPartResult"];
  EXPECT_EQ(first["ETag"], "\"" + md5_hex(big) + "\"");
  EXPECT_TRUE(first["LastModified"].get<std::string>().ends_with(".000Z")) << first;
  const json second = s3.upload_part_copy({{"Bucket", "dst"},
                                           {"Key", "joined"},
                                           {"CopySource", "/src/small"},
                                           {"CopySourceRange", "bytes=2-5"},
                                           {"PartNumber", 2},
                                           {"UploadId", upload}})["CopyPartResult"];
  EXPECT_EQ(second["ETag"], "\"" + md5_hex("2345") + "\"");

  // A range past the source's end, a malformed one, a missing source, a missing upload.
  auto copy = [&](const std::string& source, const std::string& range, const std::string& id) {
    json input = {{"Bucket", "dst"},
                  {"Key", "joined"},
                  {"CopySource", source},
                  {"PartNumber", 3},
                  {"UploadId", id}};
    if (!range.empty()) input["CopySourceRange"] = range;
    s3.upload_part_copy(input);
  };
  EXPECT_EQ(failure_of([&] { copy("src/small", "bytes=5-10", upload); }), "InvalidArgument 400");
  EXPECT_EQ(failure_of([&] { copy("src/small", "bytes=5-", upload); }), "InvalidArgument 400");
  EXPECT_EQ(failure_of([&] { copy("src/nothing", "", upload); }), "NoSuchKey 404");
  EXPECT_EQ(failure_of([&] { copy("nobucket/small", "", upload); }), "NoSuchBucket 404");
  EXPECT_EQ(failure_of([&] { copy("src/small", "", "no-such-upload"); }), "NoSuchUpload 404");

  const std::string parts =
      "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
      first["ETag"].get<std::string>() + "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" +
      second["ETag"].get<std::string>() + "</ETag></Part></CompleteMultipartUpload>";
  const json done = s3.complete_multipart_upload(
      {{"Bucket", "dst"}, {"Key", "joined"}, {"MultipartUpload", parts}, {"UploadId", upload}});
  EXPECT_TRUE(done["ETag"].get<std::string>().ends_with("-2\"")) << done;
  EXPECT_EQ(s3.get_object({{"Bucket", "dst"}, {"Key", "joined"}}).body, big + "2345");
}

TEST(UploadPartCopy, TheAwsCliCopiesARangeIntoAPart) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  ld::test::TempDir dir("everyday");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "cli"}});
  const std::string big = patterned(5 * 1024 * 1024 + 100);
  s3.put_object({{"Bucket", "cli"}, {"Key", "source.bin"}}, big);

  CliRun created =
      served.aws({"s3api", "create-multipart-upload", "--bucket", "cli", "--key", "copied.bin"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string upload = created.json()["UploadId"];
  CliRun part1 =
      served.aws({"s3api", "upload-part-copy", "--bucket", "cli", "--key", "copied.bin",
                  "--copy-source", "cli/source.bin", "--part-number", "1", "--upload-id", upload});
  ASSERT_EQ(part1.exit_code, 0) << part1.err;
  EXPECT_EQ(part1.json()["CopyPartResult"]["ETag"], "\"" + md5_hex(big) + "\"");
  EXPECT_TRUE(part1.json()["CopyPartResult"].contains("LastModified")) << part1.out;
  CliRun part2 = served.aws({"s3api", "upload-part-copy", "--bucket", "cli", "--key", "copied.bin",
                             "--copy-source", "cli/source.bin", "--copy-source-range",
                             "bytes=10-19", "--part-number", "2", "--upload-id", upload});
  ASSERT_EQ(part2.exit_code, 0) << part2.err;
  const std::string tail = big.substr(10, 10);
  EXPECT_EQ(part2.json()["CopyPartResult"]["ETag"], "\"" + md5_hex(tail) + "\"");
  CliRun bad = served.aws({"s3api", "upload-part-copy", "--bucket", "cli", "--key", "copied.bin",
                           "--copy-source", "cli/source.bin", "--copy-source-range",
                           "bytes=0-99999999", "--part-number", "3", "--upload-id", upload});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("InvalidArgument"), std::string::npos) << bad.err;

  const std::string multipart =
      json{{"Parts",
            {{{"PartNumber", 1}, {"ETag", part1.json()["CopyPartResult"]["ETag"]}},
             {{"PartNumber", 2}, {"ETag", part2.json()["CopyPartResult"]["ETag"]}}}}}
          .dump();
  CliRun done = served.aws({"s3api", "complete-multipart-upload", "--bucket", "cli", "--key",
                            "copied.bin", "--upload-id", upload, "--multipart-upload", multipart});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const auto back = dir.path() / "back.bin";
  CliRun got =
      served.aws({"s3api", "get-object", "--bucket", "cli", "--key", "copied.bin", back.string()});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.json()["ContentLength"], big.size() + tail.size());
  EXPECT_EQ(sha256_file(back), sha256_file(dir.write("want.bin", big + tail)));
}

// Credentials given as they are (temporary ones with their session token).
class GivenKeys : public aws::CredentialsProvider {
 public:
  explicit GivenKeys(const json& credentials)
      : access_(credentials["AccessKeyId"]),
        secret_(credentials["SecretAccessKey"]),
        token_(credentials["SessionToken"]) {}
  aws::Credentials credentials() override {
    return {access_, secret_, token_, std::nullopt, "test"};
  }

 private:
  std::string access_, secret_, token_;
};

// The whole endpoint (every service, one key ring) on a free port.
class WholeEndpoint : public ::testing::Test {
 protected:
  WholeEndpoint() : dir_("everyday") {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }

  aws::ClientConfig config() const { return ld::test::client_config(endpoint_->url()); }
  CliRun aws_cli(const std::vector<std::string>& args) const {
    return ld::test::run_aws_cli(endpoint_->url(), args);
  }

  ld::test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
};

const aws::Operation kGetSessionToken{.name = "GetSessionToken"};

using GetSessionToken = WholeEndpoint;

TEST_F(GetSessionToken, GivesTemporaryCredentialsTheEndpointAccepts) {
  aws::StsClient sts(config());
  const json out =
      sts.client().call(kGetSessionToken, aws::Call{.input = {{"DurationSeconds", 7200}}}).output;
  const json& creds = out["Credentials"];
  EXPECT_TRUE(creds["AccessKeyId"].get<std::string>().starts_with("ASIA")) << out;
  EXPECT_FALSE(creds["SecretAccessKey"].get<std::string>().empty());
  EXPECT_FALSE(creds["SessionToken"].get<std::string>().empty());
  // The root of an account gets at most one hour.
  const auto expires = parse_iso8601(creds["Expiration"].get<std::string>());
  ASSERT_TRUE(expires.has_value()) << creds;
  EXPECT_LE(*expires - std::chrono::system_clock::now(), std::chrono::seconds(3610));
  EXPECT_GT(*expires - std::chrono::system_clock::now(), std::chrono::seconds(3500));

  aws::ClientConfig temporary = config();
  temporary.credentials = std::make_shared<GivenKeys>(creds);
  aws::StsClient as_session(temporary);
  EXPECT_EQ(as_session.get_caller_identity()["Arn"], "arn:aws:iam::000000000000:root");
  // Session credentials cannot ask for another session token.
  EXPECT_EQ(failure_of([&] { as_session.client().call(kGetSessionToken, aws::Call{}); }),
            "AccessDenied 403");
  EXPECT_EQ(failure_of([&] {
              sts.client().call(kGetSessionToken, aws::Call{.input = {{"DurationSeconds", 600}}});
            }),
            "ValidationError 400");
  EXPECT_EQ(
      failure_of([&] {
        sts.client().call(kGetSessionToken, aws::Call{.input = {{"DurationSeconds", 129601}}});
      }),
      "ValidationError 400");
}

TEST_F(GetSessionToken, TheAwsCliGetsASessionToken) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  CliRun run = aws_cli({"sts", "get-session-token", "--duration-seconds", "900"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json creds = run.json()["Credentials"];
  ASSERT_TRUE(creds.contains("SessionToken")) << run.out;
  CliRun who = ld::test::run_aws_cli(endpoint_->url(), {"sts", "get-caller-identity"},
                                     {{"AWS_ACCESS_KEY_ID", creds["AccessKeyId"]},
                                      {"AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"]},
                                      {"AWS_SESSION_TOKEN", creds["SessionToken"]}});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_EQ(who.json()["Account"], "000000000000");
}

using IamEveryday = WholeEndpoint;

const json kLambdaTrust = {
    {"Version", "2012-10-17"},
    {"Statement", json::array({{{"Effect", "Allow"},
                                {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                {"Action", "sts:AssumeRole"}}})}};
constexpr const char* kBasicRole =
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

// An IAM operation by name (query protocol: members travel in the form).
json iam_call(const aws::Client& iam, std::string_view name, const json& input) {
  const aws::Operation operation{.name = name};
  return iam.call(operation, aws::Call{.input = input}).output;
}

TEST_F(IamEveryday, ManagedPoliciesTagsAndTrustOfARole) {
  aws::IamClient roles(config());
  const aws::Client& iam = roles.client();
  roles.create_role({{"RoleName", "fn-role"}, {"AssumeRolePolicyDocument", kLambdaTrust}});

  iam_call(iam, "AttachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", kBasicRole}});
  iam_call(iam, "AttachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", kBasicRole}});
  json attached = iam_call(iam, "ListAttachedRolePolicies", {{"RoleName", "fn-role"}});
  ASSERT_EQ(attached["AttachedPolicies"].size(), 1u) << attached;
  EXPECT_EQ(attached["AttachedPolicies"][0]["PolicyName"], "AWSLambdaBasicExecutionRole");
  EXPECT_EQ(attached["AttachedPolicies"][0]["PolicyArn"], kBasicRole);
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "AttachRolePolicy",
                       {{"RoleName", "fn-role"},
                        {"PolicyArn", "arn:aws:iam::000000000000:policy/missing"}});
            }),
            "NoSuchEntity 404");
  EXPECT_EQ(
      failure_of([&] {
        iam_call(iam, "AttachRolePolicy", {{"RoleName", "nobody"}, {"PolicyArn", kBasicRole}});
      }),
      "NoSuchEntity 404");
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "AttachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", "nope"}});
            }),
            "InvalidInput 400");
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "DeleteRole", {{"RoleName", "fn-role"}});
            }),
            "DeleteConflict 409");

  // A customer policy: created, read, attached, refused deletion while attached.
  const json document = {{"Version", "2012-10-17"},
                         {"Statement", json::array({{{"Effect", "Allow"},
                                                     {"Action", "s3:GetObject"},
                                                     {"Resource", "arn:aws:s3:::code/*"}}})}};
  const json created = iam_call(iam, "CreatePolicy",
                                {{"PolicyName", "read-code"},
                                 {"Path", "/app/"},
                                 {"Description", "reads code"},
                                 {"PolicyDocument", document.dump()}});
  const std::string arn = created["Policy"]["Arn"];
  EXPECT_EQ(arn, "arn:aws:iam::000000000000:policy/app/read-code");
  EXPECT_EQ(created["Policy"]["DefaultVersionId"], "v1");
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "CreatePolicy",
                       {{"PolicyName", "read-code"}, {"PolicyDocument", document.dump()}});
            }),
            "EntityAlreadyExists 409");
  iam_call(iam, "AttachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", arn}});
  const json got = iam_call(iam, "GetPolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(got["Policy"]["PolicyName"], "read-code");
  // The untyped query client gives numbers and booleans back as their text.
  EXPECT_EQ(got["Policy"]["AttachmentCount"], "1") << got;
  const json version = iam_call(iam, "GetPolicyVersion", {{"PolicyArn", arn}, {"VersionId", "v1"}});
  EXPECT_EQ(json::parse(uri_decode(version["PolicyVersion"]["Document"].get<std::string>())),
            document);
  EXPECT_EQ(version["PolicyVersion"]["IsDefaultVersion"], "true");
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "DeletePolicy", {{"PolicyArn", arn}});
            }),
            "DeleteConflict 409");
  iam_call(iam, "DetachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", arn}});
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "DetachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", arn}});
            }),
            "NoSuchEntity 404");
  iam_call(iam, "DeletePolicy", {{"PolicyArn", arn}});
  EXPECT_EQ(failure_of([&] {
              iam_call(iam, "GetPolicy", {{"PolicyArn", arn}});
            }),
            "NoSuchEntity 404");

  // Tags, the trust policy, instance profiles.
  iam_call(
      iam, "TagRole",
      {{"RoleName", "fn-role"},
       {"Tags", {{{"Key", "team"}, {"Value", "digest"}}, {{"Key", "stage"}, {"Value", "dev"}}}}});
  iam_call(iam, "TagRole",
           {{"RoleName", "fn-role"}, {"Tags", {{{"Key", "stage"}, {"Value", "qa"}}}}});
  json tags = iam_call(iam, "ListRoleTags", {{"RoleName", "fn-role"}});
  ASSERT_EQ(tags["Tags"].size(), 2u) << tags;
  EXPECT_EQ(tags["Tags"][1]["Value"], "qa");
  iam_call(iam, "UntagRole", {{"RoleName", "fn-role"}, {"TagKeys", {"team"}}});
  tags = iam_call(iam, "ListRoleTags", {{"RoleName", "fn-role"}});
  ASSERT_EQ(tags["Tags"].size(), 1u) << tags;
  EXPECT_EQ(tags["Tags"][0]["Key"], "stage");

  json trust = kLambdaTrust;
  trust["Statement"][0]["Principal"]["Service"] = "edgelambda.amazonaws.com";
  iam_call(iam, "UpdateAssumeRolePolicy",
           {{"RoleName", "fn-role"}, {"PolicyDocument", trust.dump()}});
  const json role = roles.get_role({{"RoleName", "fn-role"}});
  EXPECT_NE(role.dump().find("edgelambda"), std::string::npos) << role;
  // An empty list comes back from the untyped client as an empty element.
  const json profiles =
      iam_call(iam, "ListInstanceProfilesForRole", {{"RoleName", "fn-role"}})["InstanceProfiles"];
  EXPECT_TRUE(profiles == "" || profiles == json::array()) << profiles;
  iam_call(iam, "DetachRolePolicy", {{"RoleName", "fn-role"}, {"PolicyArn", kBasicRole}});
  roles.delete_role({{"RoleName", "fn-role"}});
}

TEST_F(IamEveryday, TheAwsCliRunsTheLambdaTutorialsIamSteps) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  CliRun created = aws_cli({"iam", "create-role", "--role-name", "lambda-ex",
                            "--assume-role-policy-document", kLambdaTrust.dump()});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  CliRun attach = aws_cli(
      {"iam", "attach-role-policy", "--role-name", "lambda-ex", "--policy-arn", kBasicRole});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  CliRun listed = aws_cli({"iam", "list-attached-role-policies", "--role-name", "lambda-ex"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.json()["AttachedPolicies"][0]["PolicyArn"], kBasicRole) << listed.out;
  CliRun missing = aws_cli({"iam", "attach-role-policy", "--role-name", "lambda-ex", "--policy-arn",
                            "arn:aws:iam::000000000000:policy/none"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("NoSuchEntity"), std::string::npos) << missing.err;
  CliRun tag =
      aws_cli({"iam", "tag-role", "--role-name", "lambda-ex", "--tags", "Key=team,Value=digest"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  CliRun tags = aws_cli({"iam", "list-role-tags", "--role-name", "lambda-ex"});
  ASSERT_EQ(tags.exit_code, 0) << tags.err;
  EXPECT_EQ(tags.json()["Tags"][0]["Value"], "digest") << tags.out;
  CliRun untag = aws_cli({"iam", "untag-role", "--role-name", "lambda-ex", "--tag-keys", "team"});
  ASSERT_EQ(untag.exit_code, 0) << untag.err;
  CliRun trust = aws_cli({"iam", "update-assume-role-policy", "--role-name", "lambda-ex",
                          "--policy-document", kLambdaTrust.dump()});
  ASSERT_EQ(trust.exit_code, 0) << trust.err;
  CliRun profiles = aws_cli({"iam", "list-instance-profiles-for-role", "--role-name", "lambda-ex"});
  ASSERT_EQ(profiles.exit_code, 0) << profiles.err;
  EXPECT_EQ(profiles.json()["InstanceProfiles"], json::array()) << profiles.out;
  CliRun policy = aws_cli(
      {"iam", "create-policy", "--policy-name", "extra", "--policy-document",
       R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}]})"});
  ASSERT_EQ(policy.exit_code, 0) << policy.err;
  const std::string arn = policy.json()["Policy"]["Arn"];
  CliRun got = aws_cli({"iam", "get-policy", "--policy-arn", arn});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.json()["Policy"]["PolicyName"], "extra");
  CliRun version =
      aws_cli({"iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  EXPECT_EQ(version.json()["PolicyVersion"]["Document"]["Statement"][0]["Action"],
            "ssm:GetParameter")
      << version.out;
  CliRun deleted = aws_cli({"iam", "delete-policy", "--policy-arn", arn});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  CliRun detach = aws_cli(
      {"iam", "detach-role-policy", "--role-name", "lambda-ex", "--policy-arn", kBasicRole});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  CliRun gone = aws_cli({"iam", "delete-role", "--role-name", "lambda-ex"});
  EXPECT_EQ(gone.exit_code, 0) << gone.err;
}

using SsmEveryday = WholeEndpoint;

// An SSM operation by name (json 1.1: the input is the body).
json ssm_call(const aws::Client& ssm, std::string_view name, const json& input) {
  const aws::Operation operation{.name = name};
  return ssm.call(operation, aws::Call{.input = input}).output;
}

// The Name members of a list of parameters.
std::vector<std::string> names_of(const json& parameters) {
  std::vector<std::string> names;
  for (const json& p : parameters) names.push_back(p["Name"]);
  return names;
}

TEST_F(SsmEveryday, DescribeHistoryAndTags) {
  aws::SsmClient params(config());
  const aws::Client& ssm = params.client();
  params.put_parameter({{"Name", "/app/dev/url"}, {"Value", "one"}, {"Type", "String"}});
  params.put_parameter(
      {{"Name", "/app/dev/url"}, {"Value", "two"}, {"Overwrite", true}, {"Description", "d"}});
  params.put_parameter({{"Name", "/app/dev/key"}, {"Value", "s3cret"}, {"Type", "SecureString"}});
  params.put_parameter({{"Name", "/app/dev/deep/x"}, {"Value", "x"}});
  params.put_parameter({{"Name", "/other/y"}, {"Value", "y"}});

  json page = ssm_call(ssm, "DescribeParameters",
                       {{"ParameterFilters",
                         {{{"Key", "Path"}, {"Option", "OneLevel"}, {"Values", {"/app/dev"}}}}}});
  EXPECT_EQ(names_of(page["Parameters"]),
            (std::vector<std::string>{"/app/dev/key", "/app/dev/url"}));
  EXPECT_EQ(page["Parameters"][1]["Version"], 2);
  EXPECT_EQ(page["Parameters"][1]["Description"], "d");
  EXPECT_EQ(page["Parameters"][0]["Type"], "SecureString");
  EXPECT_FALSE(page["Parameters"][0].contains("Value"));
  page = ssm_call(
      ssm, "DescribeParameters",
      {{"ParameterFilters", {{{"Key", "Path"}, {"Option", "Recursive"}, {"Values", {"/app"}}}}}});
  EXPECT_EQ(page["Parameters"].size(), 3u);
  page = ssm_call(ssm, "DescribeParameters",
                  {{"ParameterFilters",
                    {{{"Key", "Name"}, {"Option", "BeginsWith"}, {"Values", {"/other"}}}}}});
  EXPECT_EQ(names_of(page["Parameters"]), (std::vector<std::string>{"/other/y"}));
  // Pages of two, to the end.
  std::vector<std::string> all;
  json input = {{"MaxResults", 2}};
  while (true) {
    page = ssm_call(ssm, "DescribeParameters", input);
    EXPECT_LE(page["Parameters"].size(), 2u);
    for (const std::string& name : names_of(page["Parameters"])) all.push_back(name);
    if (!page.contains("NextToken")) break;
    input["NextToken"] = page["NextToken"];
  }
  EXPECT_EQ(all.size(), 4u);
  EXPECT_EQ(failure_of([&] {
              ssm_call(ssm, "DescribeParameters",
                       {{"ParameterFilters", {{{"Key", "Colour"}, {"Values", {"red"}}}}}});
            }),
            "InvalidFilterKey 400");

  const json history = ssm_call(ssm, "GetParameterHistory", {{"Name", "/app/dev/url"}});
  ASSERT_EQ(history["Parameters"].size(), 2u) << history;
  EXPECT_EQ(history["Parameters"][0]["Value"], "one");
  EXPECT_EQ(history["Parameters"][1]["Value"], "two");
  EXPECT_EQ(history["Parameters"][1]["Version"], 2);
  const json first =
      ssm_call(ssm, "GetParameterHistory", {{"Name", "/app/dev/url"}, {"MaxResults", 1}});
  ASSERT_EQ(first["Parameters"].size(), 1u);
  const json second =
      ssm_call(ssm, "GetParameterHistory",
               {{"Name", "/app/dev/url"}, {"MaxResults", 1}, {"NextToken", first["NextToken"]}});
  EXPECT_EQ(second["Parameters"][0]["Value"], "two");
  const json secret = ssm_call(ssm, "GetParameterHistory", {{"Name", "/app/dev/key"}});
  EXPECT_NE(secret["Parameters"][0]["Value"], "s3cret");
  EXPECT_EQ(
      ssm_call(ssm, "GetParameterHistory",
               {{"Name", "/app/dev/key"}, {"WithDecryption", true}})["Parameters"][0]["Value"],
      "s3cret");
  EXPECT_EQ(failure_of([&] {
              ssm_call(ssm, "GetParameterHistory", {{"Name", "/nope"}});
            }),
            "ParameterNotFound 400");

  const json resource = {{"ResourceType", "Parameter"}, {"ResourceId", "/app/dev/url"}};
  json add = resource;
  add["Tags"] = {{{"Key", "team"}, {"Value", "digest"}}, {{"Key", "stage"}, {"Value", "dev"}}};
  ssm_call(ssm, "AddTagsToResource", add);
  EXPECT_EQ(ssm_call(ssm, "ListTagsForResource", resource)["TagList"].size(), 2u);
  json remove = resource;
  remove["TagKeys"] = {"team"};
  ssm_call(ssm, "RemoveTagsFromResource", remove);
  const json tags = ssm_call(ssm, "ListTagsForResource", resource);
  ASSERT_EQ(tags["TagList"].size(), 1u) << tags;
  EXPECT_EQ(tags["TagList"][0], json({{"Key", "stage"}, {"Value", "dev"}}));
  // Tags outlive an overwrite; a filter on a tag finds the parameter.
  params.put_parameter({{"Name", "/app/dev/url"}, {"Value", "three"}, {"Overwrite", true}});
  EXPECT_EQ(ssm_call(ssm, "ListTagsForResource", resource)["TagList"].size(), 1u);
  page = ssm_call(ssm, "DescribeParameters",
                  {{"ParameterFilters", {{{"Key", "tag:stage"}, {"Values", {"dev"}}}}}});
  EXPECT_EQ(names_of(page["Parameters"]), (std::vector<std::string>{"/app/dev/url"}));
  EXPECT_EQ(failure_of([&] {
              ssm_call(ssm, "ListTagsForResource",
                       {{"ResourceType", "Parameter"}, {"ResourceId", "/missing"}});
            }),
            "InvalidResourceId 400");
}

TEST_F(SsmEveryday, TheAwsCliDescribesParametersAndTheirHistory) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  for (const char* value : {"a", "b"}) {
    CliRun put = aws_cli({"ssm", "put-parameter", "--name", "/svc/dev/mode", "--type", "String",
                          "--value", value, "--overwrite"});
    ASSERT_EQ(put.exit_code, 0) << put.err;
  }
  CliRun described = aws_cli({"ssm", "describe-parameters", "--parameter-filters",
                              "Key=Path,Option=Recursive,Values=/svc"});
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_EQ(described.json()["Parameters"][0]["Name"], "/svc/dev/mode") << described.out;
  EXPECT_EQ(described.json()["Parameters"][0]["Version"], 2);
  CliRun history = aws_cli({"ssm", "get-parameter-history", "--name", "/svc/dev/mode"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  ASSERT_EQ(history.json()["Parameters"].size(), 2u) << history.out;
  EXPECT_EQ(history.json()["Parameters"][0]["Value"], "a");
  CliRun tag = aws_cli({"ssm", "add-tags-to-resource", "--resource-type", "Parameter",
                        "--resource-id", "/svc/dev/mode", "--tags", "Key=team,Value=digest"});
  ASSERT_EQ(tag.exit_code, 0) << tag.err;
  CliRun tags = aws_cli({"ssm", "list-tags-for-resource", "--resource-type", "Parameter",
                         "--resource-id", "/svc/dev/mode"});
  ASSERT_EQ(tags.exit_code, 0) << tags.err;
  EXPECT_EQ(tags.json()["TagList"][0]["Value"], "digest") << tags.out;
  CliRun untag = aws_cli({"ssm", "remove-tags-from-resource", "--resource-type", "Parameter",
                          "--resource-id", "/svc/dev/mode", "--tag-keys", "team"});
  ASSERT_EQ(untag.exit_code, 0) << untag.err;
  tags = aws_cli({"ssm", "list-tags-for-resource", "--resource-type", "Parameter", "--resource-id",
                  "/svc/dev/mode"});
  EXPECT_EQ(tags.json()["TagList"], json::array()) << tags.out;
}

// A rest-xml S3 operation on the bucket (and key) with a fixed query, for the calls below.
aws::Operation s3_operation(std::string_view name, std::string_view method, std::string_view uri,
                            bool payload = false) {
  aws::Operation operation{.name = name, .method = method, .uri = uri};
  operation.input = {{"Bucket", aws::Location::Uri, "Bucket"}, {"Key", aws::Location::Uri, "Key"}};
  if (payload) operation.input.push_back({"Body", aws::Location::Payload, ""});
  return operation;
}

TEST(S3Everyday, TaggingVersionsAndBucketPolicyThroughTheProjectClient) {
  ld::test::TempDir dir("everyday");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  const aws::Client& client = s3.client();
  s3.create_bucket({{"Bucket", "tagged"}});
  s3.put_object({{"Bucket", "tagged"}, {"Key", "a.txt"}}, "aaa");
  s3.put_object({{"Bucket", "tagged"}, {"Key", "dir/b.txt"}}, "bb");

  const aws::Operation put_tags =
      s3_operation("PutObjectTagging", "PUT", "/{Bucket}/{Key+}?tagging", true);
  client.call(put_tags,
              aws::Call{.input = {{"Bucket", "tagged"}, {"Key", "a.txt"}},
                        .body = "<Tagging><TagSet><Tag><Key>team</Key><Value>digest</Value>"
                                "</Tag></TagSet></Tagging>"});
  const json tags = s3.get_object_tagging({{"Bucket", "tagged"}, {"Key", "a.txt"}});
  EXPECT_EQ(tags["TagSet"]["Tag"]["Key"], "team") << tags;
  EXPECT_EQ(tags["TagSet"]["Tag"]["Value"], "digest") << tags;
  EXPECT_EQ(s3.get_object({{"Bucket", "tagged"}, {"Key", "a.txt"}}).output["TagCount"], 1);
  EXPECT_EQ(failure_of([&] {
              s3.get_object_tagging({{"Bucket", "tagged"}, {"Key", "none"}});
            }),
            "NoSuchKey 404");

  const aws::Operation versioning =
      s3_operation("GetBucketVersioning", "GET", "/{Bucket}?versioning");
  const aws::Result unversioned =
      client.call(versioning, aws::Call{.input = {{"Bucket", "tagged"}}});
  EXPECT_EQ(unversioned.status, 200);
  EXPECT_FALSE(unversioned.output.contains("Status")) << unversioned.output;

  const aws::Operation versions = s3_operation("ListObjectVersions", "GET", "/{Bucket}?versions");
  const json listed = client.call(versions, aws::Call{.input = {{"Bucket", "tagged"}}}).output;
  ASSERT_TRUE(listed["Version"].is_array()) << listed;
  ASSERT_EQ(listed["Version"].size(), 2u);
  EXPECT_EQ(listed["Version"][0]["Key"], "a.txt");
  EXPECT_EQ(listed["Version"][0]["VersionId"], "null");
  EXPECT_EQ(listed["Version"][0]["IsLatest"], "true");

  const aws::Operation put_policy =
      s3_operation("PutBucketPolicy", "PUT", "/{Bucket}?policy", true);
  aws::Operation get_policy = s3_operation("GetBucketPolicy", "GET", "/{Bucket}?policy");
  get_policy.output = {{"Policy", aws::Location::Payload, ""}};
  const aws::Operation delete_policy =
      s3_operation("DeleteBucketPolicy", "DELETE", "/{Bucket}?policy");
  const aws::Call bucket{.input = {{"Bucket", "tagged"}}};
  EXPECT_EQ(failure_of([&] { client.call(get_policy, bucket); }), "NoSuchBucketPolicy 404");
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::tagged/*"}]})";
  EXPECT_EQ(
      client.call(put_policy, aws::Call{.input = {{"Bucket", "tagged"}}, .body = policy}).status,
      204);
  EXPECT_EQ(client.call(get_policy, bucket).body, policy);
  EXPECT_EQ(
      failure_of([&] {
        client.call(put_policy, aws::Call{.input = {{"Bucket", "tagged"}}, .body = "not json"});
      }),
      "MalformedPolicy 400");
  EXPECT_EQ(client.call(delete_policy, bucket).status, 204);
  EXPECT_EQ(failure_of([&] { client.call(get_policy, bucket); }), "NoSuchBucketPolicy 404");
  EXPECT_EQ(failure_of([&] {
              client.call(get_policy, aws::Call{.input = {{"Bucket", "missing"}}});
            }),
            "NoSuchBucket 404");
}

TEST(S3Everyday, TheAwsCliTagsObjectsListsVersionsAndKeepsAPolicy) {
  if (!ld::test::aws_cli_available())
    GTEST_SKIP() << "/usr/bin/aws (Debian's awscli) is not installed";
  ld::test::TempDir dir("everyday");
  ServedService served(dir.path(), make_s3);
  aws::S3Client s3(served.config());
  s3.create_bucket({{"Bucket", "cli"}});
  s3.put_object({{"Bucket", "cli"}, {"Key", "k"}}, "value");
  CliRun put = served.aws({"s3api", "put-object-tagging", "--bucket", "cli", "--key", "k",
                           "--tagging", "TagSet=[{Key=stage,Value=dev}]"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  CliRun get = served.aws({"s3api", "get-object-tagging", "--bucket", "cli", "--key", "k"});
  ASSERT_EQ(get.exit_code, 0) << get.err;
  EXPECT_EQ(get.json()["TagSet"], json::parse(R"([{"Key":"stage","Value":"dev"}])")) << get.out;
  CliRun versioning = served.aws({"s3api", "get-bucket-versioning", "--bucket", "cli"});
  ASSERT_EQ(versioning.exit_code, 0) << versioning.err;
  EXPECT_FALSE(versioning.json().contains("Status")) << versioning.out;
  CliRun versions = served.aws({"s3api", "list-object-versions", "--bucket", "cli"});
  ASSERT_EQ(versions.exit_code, 0) << versions.err;
  EXPECT_EQ(versions.json()["Versions"][0]["VersionId"], "null") << versions.out;
  EXPECT_EQ(versions.json()["Versions"][0]["IsLatest"], true);
  EXPECT_EQ(versions.json()["Versions"][0]["Size"], 5);
  CliRun none = served.aws({"s3api", "get-bucket-policy", "--bucket", "cli"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("NoSuchBucketPolicy"), std::string::npos) << none.err;
  const std::string policy =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::cli/*"}]})";
  CliRun set = served.aws({"s3api", "put-bucket-policy", "--bucket", "cli", "--policy", policy});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  CliRun got = served.aws({"s3api", "get-bucket-policy", "--bucket", "cli"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.json()["Policy"], policy);
  CliRun removed = served.aws({"s3api", "delete-bucket-policy", "--bucket", "cli"});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
}

}  // namespace
}  // namespace ld::local::test
