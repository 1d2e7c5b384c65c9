// The seven service clients against a real HTTP server on 127.0.0.1 answering as AWS does
// (Lambda's answers are recordings taken against AWS, read in place from the conformance
// folder): typed methods parse the outputs, paging helpers follow the tokens to the end, and
// the "exists" conveniences tell 404 from other errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "aws/error.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "support/conformance.hpp"
#include "support/loopback_server.hpp"

namespace ld::aws {
namespace {

using nlohmann::json;
using test::LoopbackServer;
using test::ReceivedRequest;
using test::Step;

// Fixed long-term keys.
class StaticCredentials : public CredentialsProvider {
 public:
  Credentials credentials() override {
    return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"};
  }
};

ClientConfig loopback_config(const LoopbackServer& server) {
  ClientConfig config;
  config.region = "us-east-1";
  config.endpoint = Endpoint::parse(server.url());
  config.custom_endpoint = true;
  config.credentials = std::make_shared<StaticCredentials>();
  config.retry.max_attempts = 1;
  return config;
}

// The SigV4 credential scope's service, from the Authorization header.
std::string signed_service(const ReceivedRequest& r) {
  const std::string auth = r.header("Authorization").value_or("");
  const auto start = auth.find("Credential=");
  if (start == std::string::npos) return "<unsigned>";
  const auto parts = split(auth.substr(start, auth.find(',', start) - start), '/');
  return parts.size() >= 4 ? parts[3] : "<malformed>";
}

// A form body's value for `key` ("" when absent).
std::string form_value(const std::string& body, const std::string& key) {
  for (const std::string& pair : split(body, '&')) {
    const auto eq = pair.find('=');
    if (eq != std::string::npos && uri_decode(pair.substr(0, eq), true) == key)
      return uri_decode(pair.substr(eq + 1), true);
  }
  return "";
}

// One recorded response from LocalStack's snapshot of real AWS, without botocore's metadata.
json lambda_recording(const std::string& test_id, const std::string& key) {
  const json snapshot = json::parse(test::read_file(
      test::conformance_dir() / "lambda-api/localstack-snapshots/test_lambda_api.snapshot.json"));
  for (const auto& [id, entry] : snapshot.items()) {
    if (id.ends_with(test_id)) {
      json recorded = entry.at("recorded-content").at(key);
      recorded.erase("ResponseMetadata");
      return recorded;
    }
  }
  ADD_FAILURE() << "no recording " << test_id << " / " << key;
  return json::object();
}

const test::HeaderFields kJson = {{"Content-Type", "application/json"},
                                  {"x-amzn-RequestId", "7f8d3c1e-0d7a-4a53-9b35-2b1f0c8e4d10"}};
const test::HeaderFields kXml = {{"Content-Type", "text/xml"}};

// ---- Lambda ------------------------------------------------------------------------------------

TEST(LambdaClient, GetFunctionConfigurationParsesARecordedAnswer) {
  const json recorded = lambda_recording("TestLambdaVersions::test_version_lifecycle",
                                         "first_publish_get_function_config");
  ASSERT_EQ(recorded.value("Version", ""), "1");
  LoopbackServer server;
  server.script({Step::respond(200, recorded.dump(), kJson)});
  LambdaClient lambda(loopback_config(server));

  const json config = lambda.get_function_configuration("fn__dev", "1");
  EXPECT_EQ(config, recorded);
  EXPECT_EQ(config["State"], "Active");
  EXPECT_EQ(config["LastUpdateStatus"], "Successful");
  EXPECT_EQ(config["EphemeralStorage"]["Size"], 512);

  ASSERT_EQ(server.request_count(), 1u);
  const ReceivedRequest r = server.requests()[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/2015-03-31/functions/fn__dev/configuration");
  EXPECT_EQ(r.query_param("Qualifier").value_or(""), "1");
  EXPECT_EQ(signed_service(r), "lambda");
}

TEST(LambdaClient, InvokeShowsTheFunctionErrorAndRawPayload) {
  // The answer recorded for a function that timed out (test_lambda.snapshot.json,
  // test_lambda_invoke_with_timeout): 200, X-Amz-Function-Error, the error as the payload.
  const std::string payload =
      R"({"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: 3c9e Error: Task timed out after 1.00 seconds"})";
  const std::string log_tail = base64_encode("START RequestId: 3c9e\nEND RequestId: 3c9e\n");
  LoopbackServer server;
  server.script({Step::respond(200, payload,
                               {{"Content-Type", "application/json"},
                                {"X-Amz-Function-Error", "Unhandled"},
                                {"X-Amz-Executed-Version", "$LATEST"},
                                {"X-Amz-Log-Result", log_tail}})});
  LambdaClient lambda(loopback_config(server));

  const Result result = lambda.invoke(
      {{"FunctionName", "fn__dev"}, {"Qualifier", "LIVE"}, {"LogType", "Tail"}}, "{}");
  EXPECT_EQ(result.output["StatusCode"], 200);
  EXPECT_EQ(result.output["FunctionError"], "Unhandled");
  EXPECT_EQ(result.output["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(base64_decode(result.output.value("LogResult", "")).value_or(""),
            "START RequestId: 3c9e\nEND RequestId: 3c9e\n");
  EXPECT_EQ(result.body, payload);
  EXPECT_EQ(json::parse(result.body)["errorType"], "Sandbox.Timedout");

  const ReceivedRequest r = server.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/2015-03-31/functions/fn__dev/invocations");
  EXPECT_EQ(r.query_param("Qualifier").value_or(""), "LIVE");
  EXPECT_EQ(r.header("X-Amz-Log-Type").value_or(""), "Tail");
  EXPECT_EQ(r.body, "{}");
}

TEST(LambdaClient, FindFunctionIsEmptyOnResourceNotFoundAndThrowsOtherErrors) {
  LoopbackServer server;
  server.script({
      Step::respond(
          404,
          R"({"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"})",
          {{"Content-Type", "application/json"},
           {"X-Amzn-ErrorType", "ResourceNotFoundException"}}),
      Step::respond(
          403, R"({"Message":"User is not authorized"})",
          {{"Content-Type", "application/json"}, {"X-Amzn-ErrorType", "AccessDeniedException"}}),
  });
  LambdaClient lambda(loopback_config(server));
  EXPECT_FALSE(lambda.find_function("missing").has_value());
  try {
    (void)lambda.find_function("secret");
    FAIL() << "AccessDeniedException was swallowed";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "AccessDeniedException");
    EXPECT_EQ(e.http_status(), 403);
  }
}

TEST(LambdaClient, ListAllVersionsFollowsNextMarker) {
  LoopbackServer server;
  server.script({
      Step::respond(
          200, R"({"NextMarker":"m/2","Versions":[{"Version":"$LATEST"},{"Version":"1"}]})", kJson),
      Step::respond(200, R"({"Versions":[{"Version":"2"}]})", kJson),
  });
  LambdaClient lambda(loopback_config(server));
  const json versions = lambda.list_all_versions("fn__dev");
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[2]["Version"], "2");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_FALSE(requests[0].query_param("Marker").has_value());
  EXPECT_EQ(requests[1].query_param("Marker").value_or(""), "m/2");
}

TEST(LambdaClient, ListAllAliasesFollowsNextMarker) {
  const json recorded =
      lambda_recording("TestLambdaAlias::test_alias_lifecycle", "list_aliases_for_fnname");
  ASSERT_EQ(recorded["Aliases"].size(), 4u);
  json first = {{"Aliases", {recorded["Aliases"][0], recorded["Aliases"][1]}},
                {"NextMarker", "aliasname1_2"}};
  json second = {{"Aliases", {recorded["Aliases"][2], recorded["Aliases"][3]}}};
  LoopbackServer server;
  server.script(
      {Step::respond(200, first.dump(), kJson), Step::respond(200, second.dump(), kJson)});
  LambdaClient lambda(loopback_config(server));

  EXPECT_EQ(lambda.list_all_aliases("fn__dev"), recorded["Aliases"]);
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, "/2015-03-31/functions/fn__dev/aliases");
    EXPECT_EQ(signed_service(r), "lambda");
  }
  EXPECT_FALSE(requests[0].query_param("Marker").has_value());
  EXPECT_EQ(requests[1].query_param("Marker").value_or(""), "aliasname1_2");

  server.script({Step::respond(200, R"({"Aliases":[]})", kJson)});
  lambda.list_aliases({{"FunctionName", "fn__dev"}, {"FunctionVersion", "2"}, {"MaxItems", 5}});
  const ReceivedRequest filtered = server.requests().back();
  EXPECT_EQ(filtered.query_param("FunctionVersion").value_or(""), "2");
  EXPECT_EQ(filtered.query_param("MaxItems").value_or(""), "5");
}

TEST(LambdaClient, ProvisionedConcurrencyConfigsPutGetFindAndDelete) {
  const std::string lifecycle =
      "TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle";
  const json put_answer = lambda_recording(lifecycle, "put_provisioned_on_alias");
  const json not_found = lambda_recording(lifecycle, "get_provisioned_version_postdelete");
  const json alias_gone = lambda_recording(lifecycle, "get_provisioned_alias_postaliasdelete");
  json ready = put_answer;
  ready["Status"] = "READY";
  ready["AllocatedProvisionedConcurrentExecutions"] = 1;
  ready["AvailableProvisionedConcurrentExecutions"] = 1;
  // The wire bodies as AWS sends them: the botocore-parsed recording without its Error member.
  auto error_body = [](json recorded) {
    recorded.erase("Error");
    return recorded.dump();
  };
  LoopbackServer server;
  server.script({
      Step::respond(202, put_answer.dump(), kJson),
      Step::respond(200, ready.dump(), kJson),
      Step::respond(404, error_body(not_found),
                    {{"Content-Type", "application/json"},
                     {"X-Amzn-ErrorType", "ProvisionedConcurrencyConfigNotFoundException"}}),
      Step::respond(404, error_body(alias_gone),
                    {{"Content-Type", "application/json"},
                     {"X-Amzn-ErrorType", "ResourceNotFoundException"}}),
      Step::respond(204),
  });
  LambdaClient lambda(loopback_config(server));

  EXPECT_EQ(lambda.put_provisioned_concurrency_config({{"FunctionName", "fn__dev"},
                                                       {"Qualifier", "LIVE"},
                                                       {"ProvisionedConcurrentExecutions", 1}}),
            put_answer);
  EXPECT_EQ(lambda.find_provisioned_concurrency_config("fn__dev", "LIVE"), ready);
  EXPECT_FALSE(lambda.find_provisioned_concurrency_config("fn__dev", "1").has_value());
  try {
    (void)lambda.find_provisioned_concurrency_config("fn__dev", "GONE");
    FAIL() << "ResourceNotFoundException was swallowed";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
    EXPECT_EQ(e.message(), alias_gone["Message"]);
  }
  lambda.delete_provisioned_concurrency_config(
      {{"FunctionName", "fn__dev"}, {"Qualifier", "LIVE"}});

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 5u);
  const char* methods[] = {"PUT", "GET", "GET", "GET", "DELETE"};
  const char* qualifiers[] = {"LIVE", "LIVE", "1", "GONE", "LIVE"};
  for (std::size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i].method, methods[i]);
    EXPECT_EQ(requests[i].path, "/2019-09-30/functions/fn__dev/provisioned-concurrency");
    EXPECT_EQ(requests[i].query_param("Qualifier").value_or(""), qualifiers[i]);
  }
  EXPECT_EQ(json::parse(requests[0].body), json({{"ProvisionedConcurrentExecutions", 1}}));
  EXPECT_EQ(requests[0].header("Content-Type").value_or(""), "application/json");
  EXPECT_TRUE(requests[4].body.empty());
}

// ---- S3 ----------------------------------------------------------------------------------------

const char* kListPage1 = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>deps</Name><Prefix>lambda-code/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken><Contents><Key>lambda-code/a.zip</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>lambda-code/b.zip</Key><LastModified>2024-05-01T10:00:01.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>166</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>)";

const char* kListPage2 = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>deps</Name><Prefix>lambda-code/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated><ContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</ContinuationToken><Contents><Key>lambda-code/c.zip</Key><LastModified>2024-05-01T10:00:02.000Z</LastModified><ETag>&quot;0bee89b07a248e27c83fc3d5951213c1&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>lambda-code/fn__dev/</Prefix></CommonPrefixes></ListBucketResult>)";

TEST(S3Client, ListAllObjectsFollowsTheContinuationTokenOverTwoPages) {
  LoopbackServer server;
  server.script({Step::respond(200, kListPage1, {{"Content-Type", "application/xml"}}),
                 Step::respond(200, kListPage2, {{"Content-Type", "application/xml"}})});
  S3Client s3(loopback_config(server));

  const json all = s3.list_all_objects("deps", "lambda-code/", "/");
  ASSERT_EQ(all["Contents"].size(), 3u);
  EXPECT_EQ(all["Contents"][0]["Key"], "lambda-code/a.zip");
  EXPECT_EQ(all["Contents"][0]["Size"], 434234);
  EXPECT_EQ(all["Contents"][0]["ETag"], "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(all["Contents"][2]["Key"], "lambda-code/c.zip");
  EXPECT_EQ(all["Contents"][2]["Size"], 0);
  ASSERT_EQ(all["CommonPrefixes"].size(), 1u);
  EXPECT_EQ(all["CommonPrefixes"][0]["Prefix"], "lambda-code/fn__dev/");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& r : requests) {
    EXPECT_EQ(r.method, "GET");
    EXPECT_EQ(r.path, "/deps");
    EXPECT_EQ(r.query_param("list-type").value_or(""), "2");
    EXPECT_EQ(r.query_param("prefix").value_or(""), "lambda-code/");
    EXPECT_EQ(r.query_param("delimiter").value_or(""), "/");
    EXPECT_EQ(signed_service(r), "s3");
  }
  EXPECT_FALSE(requests[0].query_param("continuation-token").has_value());
  EXPECT_EQ(requests[1].query_param("continuation-token").value_or(""),
            "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Client, DeleteAllObjectsListsEveryPageThenDeletesEachAndDeleteBucket) {
  LoopbackServer server;
  server.script({Step::respond(200, kListPage1, {{"Content-Type", "application/xml"}}),
                 Step::respond(200, kListPage2, {{"Content-Type", "application/xml"}}),
                 Step::respond(204), Step::respond(204), Step::respond(204), Step::respond(204)});
  S3Client s3(loopback_config(server));

  EXPECT_EQ(s3.delete_all_objects("deps", "lambda-code/"), 3u);
  s3.delete_bucket({{"Bucket", "deps"}, {"ExpectedBucketOwner", "123456789012"}});

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 6u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(requests[i].method, "GET");
    EXPECT_EQ(requests[i].query_param("prefix").value_or(""), "lambda-code/");
    EXPECT_FALSE(requests[i].query_param("delimiter").has_value());
  }
  const char* keys[] = {"/deps/lambda-code/a.zip", "/deps/lambda-code/b.zip",
                        "/deps/lambda-code/c.zip"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(requests[2 + i].method, "DELETE");
    EXPECT_EQ(requests[2 + i].path, keys[i]);
    EXPECT_EQ(signed_service(requests[2 + i]), "s3");
  }
  EXPECT_EQ(requests[5].method, "DELETE");
  EXPECT_EQ(requests[5].path, "/deps");
  EXPECT_EQ(requests[5].query, "");
  EXPECT_EQ(requests[5].header("x-amz-expected-bucket-owner").value_or(""), "123456789012");
  EXPECT_TRUE(requests[5].body.empty());
}

TEST(S3Client, DeleteBucketThatIsNotEmptyThrowsBucketNotEmpty) {
  LoopbackServer server;
  server.script({Step::respond(409,
                               R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>BucketNotEmpty</Code><Message>The bucket you tried to delete is not empty</Message><BucketName>deps</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>)",
                               {{"Content-Type", "application/xml"}})});
  S3Client s3(loopback_config(server));
  try {
    s3.delete_bucket({{"Bucket", "deps"}});
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "BucketNotEmpty");
    EXPECT_EQ(e.http_status(), 409);
  }
}

TEST(S3Client, ListObjectsV2OfAnEmptyPrefixHasEmptyLists) {
  LoopbackServer server;
  server.script({Step::respond(200,
                               R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>deps</Name><Prefix>none/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>)",
                               {{"Content-Type", "application/xml"}})});
  S3Client s3(loopback_config(server));
  const json page = s3.list_objects_v2({{"Bucket", "deps"}, {"Prefix", "none/"}});
  EXPECT_EQ(page["Contents"], json::array());
  EXPECT_EQ(page["CommonPrefixes"], json::array());
  EXPECT_EQ(page["IsTruncated"], false);
  EXPECT_EQ(page["KeyCount"], 0);
}

TEST(S3Client, HeadObjectNotFoundMeansNoObjectAndMetadataShaDecides) {
  const std::string sha = sha256_hex("zip bytes");
  LoopbackServer server;
  server.script({
      Step::respond(404, "", {{"x-amz-request-id", "4442587FB7D0A2F9"}}),
      Step::respond(200, "",
                    {{"ETag", "\"d41d8cd98f00b204e9800998ecf8427e\""},
                     {"Content-Type", "application/zip"},
                     {"Last-Modified", "Wed, 01 May 2024 10:00:00 GMT"},
                     {"x-amz-meta-sha256", sha},
                     {"x-amz-version-id", "null"}}),
      Step::respond(200, "", {{"x-amz-meta-sha256", std::string(64, '0')}}),
      Step::respond(403, ""),
  });
  S3Client s3(loopback_config(server));
  EXPECT_FALSE(s3.object_exists_with_sha256("deps", "lambda-dependencies/dev/libs.zip", sha));
  EXPECT_TRUE(
      s3.object_exists_with_sha256("deps", "lambda-dependencies/dev/libs.zip", to_upper(sha)));
  EXPECT_FALSE(s3.object_exists_with_sha256("deps", "lambda-dependencies/dev/libs.zip", sha));
  EXPECT_THROW(s3.object_exists_with_sha256("deps", "lambda-dependencies/dev/libs.zip", sha),
               AwsError);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].method, "HEAD");
  EXPECT_EQ(requests[0].path, "/deps/lambda-dependencies/dev/libs.zip");
}

TEST(S3Client, HeadObjectGivesTypedHeaders) {
  LoopbackServer server;
  server.script({Step::respond(200, "",
                               {{"ETag", "\"d41d8cd98f00b204e9800998ecf8427e\""},
                                {"Content-Type", "application/zip"},
                                {"Content-Length", "434234"},
                                {"Last-Modified", "Wed, 01 May 2024 10:00:00 GMT"},
                                {"x-amz-meta-sha256", "abc"},
                                {"x-amz-version-id", "3HL4kqtJlcpXroDTDmJ"}})});
  S3Client s3(loopback_config(server));
  const json head = s3.head_object({{"Bucket", "deps"}, {"Key", "k.zip"}});
  EXPECT_EQ(head["ETag"], "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(head["ContentType"], "application/zip");
  EXPECT_EQ(head["ContentLength"], 434234);
  EXPECT_EQ(head["LastModified"], "Wed, 01 May 2024 10:00:00 GMT");
  EXPECT_EQ(head["VersionId"], "3HL4kqtJlcpXroDTDmJ");
  EXPECT_EQ(head["Metadata"], json({{"sha256", "abc"}}));
}

TEST(S3Client, PutObjectFileStreamsTheFileWithItsChecksumAndSha256Metadata) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("ld-services-put-" + std::to_string(::getpid()) + ".zip");
  const std::string content = "PK\x03\x04 not really a zip, but bytes all the same";
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  LoopbackServer server;
  server.script({Step::respond(200, "", {{"ETag", "\"5d41402abc4b2a76b9719d911017c592\""}})});
  S3Client s3(loopback_config(server));
  const json output =
      s3.put_object_file("deps", "lambda-code/fn/abc.zip", path, {{"stage", "dev"}});
  std::filesystem::remove(path);
  EXPECT_EQ(output["ETag"], "\"5d41402abc4b2a76b9719d911017c592\"");

  const ReceivedRequest r = server.requests().at(0);
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/deps/lambda-code/fn/abc.zip");
  EXPECT_EQ(r.body, content);
  EXPECT_EQ(r.body_sha256, sha256_hex(content));
  EXPECT_EQ(r.header("x-amz-checksum-sha256").value_or(""),
            base64_encode(as_chars(sha256(content))));
  EXPECT_EQ(r.header("x-amz-meta-sha256").value_or(""), sha256_hex(content));
  EXPECT_EQ(r.header("x-amz-meta-stage").value_or(""), "dev");
}

TEST(S3Client, CreateBucketLeavesOutUsEast1AndNamesOtherRegions) {
  LoopbackServer server;
  server.script({Step::respond(200, "", {{"Location", "/deps"}}),
                 Step::respond(200, "", {{"Location", "http://deps.s3.amazonaws.com/"}})});
  S3Client us_east_1(loopback_config(server));
  EXPECT_EQ(us_east_1.create_bucket({{"Bucket", "deps"}})["Location"], "/deps");
  ClientConfig frankfurt = loopback_config(server);
  frankfurt.region = "eu-central-1";
  S3Client eu(std::move(frankfurt));
  eu.create_bucket({{"Bucket", "deps-eu"}});

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].path, "/deps");
  EXPECT_EQ(requests[0].body, "");
  EXPECT_NE(requests[1].body.find("<LocationConstraint>eu-central-1</LocationConstraint>"),
            std::string::npos)
      << requests[1].body;
}

// ---- SSM ---------------------------------------------------------------------------------------

TEST(SsmClient, GetAllParametersByPathFollowsNextToken) {
  LoopbackServer server;
  const test::HeaderFields amz_json = {{"Content-Type", "application/x-amz-json-1.1"}};
  server.script({
      Step::respond(200, R"({"NextToken":"AAEAAZ-1","Parameters":[
        {"ARN":"arn:aws:ssm:us-east-1:123456789012:parameter/api-keys/github-digest/dev","DataType":"text","LastModifiedDate":1.714557600E9,"Name":"/api-keys/github-digest/dev","Type":"SecureString","Value":"s3cr3t","Version":3},
        {"ARN":"arn:aws:ssm:us-east-1:123456789012:parameter/api-keys/github-digest/name","DataType":"text","LastModifiedDate":1.7145576E9,"Name":"/api-keys/github-digest/name","Type":"String","Value":"x-api-key","Version":1}]})",
                    amz_json),
      Step::respond(200, R"({"Parameters":[
        {"ARN":"arn:aws:ssm:us-east-1:123456789012:parameter/api-keys/github-digest/qa","DataType":"text","LastModifiedDate":1.7145576E9,"Name":"/api-keys/github-digest/qa","Type":"SecureString","Value":"q4","Version":1}]})",
                    amz_json),
  });
  SsmClient ssm(loopback_config(server));
  const json params = ssm.get_all_parameters_by_path("/api-keys/github-digest", true);
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0]["Value"], "s3cr3t");
  EXPECT_EQ(params[2]["Name"], "/api-keys/github-digest/qa");

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("X-Amz-Target").value_or(""), "AmazonSSM.GetParametersByPath");
  EXPECT_EQ(signed_service(requests[0]), "ssm");
  const json first = json::parse(requests[0].body);
  EXPECT_EQ(first["Path"], "/api-keys/github-digest");
  EXPECT_EQ(first["Recursive"], true);
  EXPECT_EQ(first["WithDecryption"], true);
  EXPECT_FALSE(first.contains("NextToken"));
  EXPECT_EQ(json::parse(requests[1].body)["NextToken"], "AAEAAZ-1");
}

TEST(SsmClient, GetParameterValueIsEmptyWhenTheParameterIsMissing) {
  LoopbackServer server;
  server.script({
      Step::respond(400, R"({"__type":"ParameterNotFound"})",
                    {{"Content-Type", "application/x-amz-json-1.1"}}),
      Step::respond(200,
                    R"({"Parameter":{"Name":"/k","Type":"SecureString","Value":"v","Version":2}})",
                    {{"Content-Type", "application/x-amz-json-1.1"}}),
  });
  SsmClient ssm(loopback_config(server));
  EXPECT_EQ(ssm.get_parameter_value("/missing"), std::nullopt);
  EXPECT_EQ(ssm.get_parameter_value("/k").value_or(""), "v");
}

// ---- CloudWatch Logs ---------------------------------------------------------------------------

TEST(LogsClient, FilterAllLogEventsFollowsNextToken) {
  LoopbackServer server;
  const test::HeaderFields amz_json = {{"Content-Type", "application/x-amz-json-1.1"}};
  server.script({
      Step::respond(200, R"({"events":[
        {"eventId":"1","ingestionTime":1714557601000,"logStreamName":"2024/05/01/[$LATEST]ab","message":"START RequestId: 1\n","timestamp":1714557600000},
        {"eventId":"2","ingestionTime":1714557601000,"logStreamName":"2024/05/01/[$LATEST]ab","message":"END RequestId: 1\n","timestamp":1714557600100}],
        "nextToken":"Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXLrRrY",
        "searchedLogStreams":[{"logStreamName":"2024/05/01/[$LATEST]ab","searchedCompletely":true}]})",
                    amz_json),
      Step::respond(200, R"({"events":[
        {"eventId":"3","ingestionTime":1714557602000,"logStreamName":"2024/05/01/[$LATEST]cd","message":"REPORT RequestId: 2\n","timestamp":1714557601500}],
        "searchedLogStreams":[{"logStreamName":"2024/05/01/[$LATEST]cd","searchedCompletely":true}]})",
                    amz_json),
  });
  LogsClient logs(loopback_config(server));
  const json all = logs.filter_all_log_events(
      {{"logGroupName", "/aws/lambda/fn__dev"}, {"startTime", 1714557600000}});
  ASSERT_EQ(all["events"].size(), 3u);
  EXPECT_EQ(all["events"][2]["message"], "REPORT RequestId: 2\n");
  EXPECT_EQ(all["searchedLogStreams"].size(), 2u);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("X-Amz-Target").value_or(""), "Logs_20140328.FilterLogEvents");
  EXPECT_EQ(requests[0].header("Content-Type").value_or(""), "application/x-amz-json-1.1");
  EXPECT_EQ(signed_service(requests[0]), "logs");
  const json second = json::parse(requests[1].body);
  EXPECT_EQ(second["nextToken"], "Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXLrRrY");
  EXPECT_EQ(second["logGroupName"], "/aws/lambda/fn__dev");
  EXPECT_EQ(second["startTime"], 1714557600000);
}

TEST(LogsClient, GetAllLogEventsStopsWhenTheForwardTokenRepeats) {
  LoopbackServer server;
  const test::HeaderFields amz_json = {{"Content-Type", "application/x-amz-json-1.1"}};
  server.script({
      Step::respond(
          200,
          R"({"events":[{"timestamp":1,"message":"a","ingestionTime":2}],"nextForwardToken":"f/0001","nextBackwardToken":"b/0000"})",
          amz_json),
      Step::respond(
          200,
          R"({"events":[{"timestamp":3,"message":"b","ingestionTime":4}],"nextForwardToken":"f/0002","nextBackwardToken":"b/0001"})",
          amz_json),
      Step::respond(200,
                    R"({"events":[],"nextForwardToken":"f/0002","nextBackwardToken":"b/0002"})",
                    amz_json),
      Step::respond(500, R"({"__type":"ServiceUnavailableException"})", amz_json),
  });
  LogsClient logs(loopback_config(server));
  const json events = logs.get_all_log_events(
      {{"logGroupName", "/aws/lambda/fn__dev"}, {"logStreamName", "s"}, {"startFromHead", true}});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["message"], "b");
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(json::parse(requests[2].body)["nextToken"], "f/0002");
}

// ---- STS ---------------------------------------------------------------------------------------

TEST(StsClient, GetCallerIdentityParsesTheXmlAnswer) {
  LoopbackServer server;
  server.script({Step::respond(
      200, R"(<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
)",
      kXml)});
  StsClient sts(loopback_config(server));
  const json identity = sts.get_caller_identity();
  EXPECT_EQ(identity, json({{"Arn", "arn:aws:iam::123456789012:user/Alice"},
                            {"UserId", "AIDACKCEVSQ6C2EXAMPLE"},
                            {"Account", "123456789012"}}));
  const ReceivedRequest r = server.requests().at(0);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(form_value(r.body, "Action"), "GetCallerIdentity");
  EXPECT_EQ(form_value(r.body, "Version"), "2011-06-15");
  EXPECT_EQ(signed_service(r), "sts");
}

// ---- IAM ---------------------------------------------------------------------------------------

TEST(IamClient, GetRoleDecodesThePolicyDocumentAndTypesTheRole) {
  LoopbackServer server;
  server.script(
      {Step::respond(200, R"(<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult>
    <Role>
      <Path>/</Path>
      <Arn>arn:aws:iam::123456789012:role/fn__dev-role</Arn>
      <RoleName>fn__dev-role</RoleName>
      <AssumeRolePolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D</AssumeRolePolicyDocument>
      <CreateDate>2024-05-01T10:00:00Z</CreateDate>
      <RoleId>AROADBQP57FF2AEXAMPLE</RoleId>
      <MaxSessionDuration>3600</MaxSessionDuration>
      <Tags>
        <member><Key>lambdeploy:stage</Key><Value>dev</Value></member>
      </Tags>
      <RoleLastUsed/>
    </Role>
  </GetRoleResult>
  <ResponseMetadata>
    <RequestId>df37e965-9967-11e1-a4c3-270EXAMPLE04</RequestId>
  </ResponseMetadata>
</GetRoleResponse>)",
                     kXml),
       Step::respond(404, R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error>
    <Type>Sender</Type>
    <Code>NoSuchEntity</Code>
    <Message>The role with name fn__qa-role cannot be found.</Message>
  </Error>
  <RequestId>8d7e6b4b-3c2a-4f1d-9e8a-1b2c3d4e5f60</RequestId>
</ErrorResponse>)",
                     kXml)});
  IamClient iam(loopback_config(server));
  const json role = iam.get_role({{"RoleName", "fn__dev-role"}})["Role"];
  EXPECT_EQ(role["Arn"], "arn:aws:iam::123456789012:role/fn__dev-role");
  EXPECT_EQ(role["MaxSessionDuration"], 3600);
  EXPECT_EQ(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "lambda.amazonaws.com");
  ASSERT_EQ(role["Tags"].size(), 1u);
  EXPECT_EQ(role["Tags"][0]["Value"], "dev");
  EXPECT_EQ(iam.find_role("fn__qa-role"), std::nullopt);

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(form_value(requests[0].body, "Action"), "GetRole");
  EXPECT_EQ(form_value(requests[0].body, "Version"), "2010-05-08");
  EXPECT_EQ(form_value(requests[0].body, "RoleName"), "fn__dev-role");
  EXPECT_EQ(signed_service(requests[0]), "iam");
}

TEST(IamClient, PutRolePolicySendsAnObjectDocumentAsText) {
  LoopbackServer server;
  server.script({Step::respond(
      200,
      R"(<PutRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>7e7cd8bc-99ef-11e1-a4c3-27EXAMPLE804</RequestId></ResponseMetadata></PutRolePolicyResponse>)",
      kXml)});
  IamClient iam(loopback_config(server));
  const json document = {
      {"Version", "2012-10-17"},
      {"Statement",
       json::array({{{"Effect", "Allow"}, {"Action", "logs:PutLogEvents"}, {"Resource", "*"}}})}};
  iam.put_role_policy(
      {{"RoleName", "r"}, {"PolicyName", "fn__dev-policy"}, {"PolicyDocument", document}});
  EXPECT_EQ(json::parse(form_value(server.requests().at(0).body, "PolicyDocument")), document);
}

// ---- CloudWatch --------------------------------------------------------------------------------

TEST(CloudWatchClient, DescribeAllAlarmsTypesTheAlarmsAndFollowsNextToken) {
  LoopbackServer server;
  server.script({
      Step::respond(
          200, R"(<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <MetricAlarms>
      <member>
        <AlarmName>fn__dev-errors</AlarmName>
        <AlarmArn>arn:aws:cloudwatch:us-east-1:123456789012:alarm:fn__dev-errors</AlarmArn>
        <Namespace>AWS/Lambda</Namespace>
        <MetricName>Errors</MetricName>
        <Dimensions>
          <member><Name>FunctionName</Name><Value>fn__dev</Value></member>
        </Dimensions>
        <Statistic>Sum</Statistic>
        <Period>300</Period>
        <EvaluationPeriods>1</EvaluationPeriods>
        <Threshold>10.0</Threshold>
        <ComparisonOperator>GreaterThanOrEqualToThreshold</ComparisonOperator>
        <TreatMissingData>notBreaching</TreatMissingData>
        <ActionsEnabled>true</ActionsEnabled>
        <AlarmActions/>
        <OKActions/>
        <InsufficientDataActions/>
        <StateValue>OK</StateValue>
        <StateUpdatedTimestamp>2024-05-01T10:00:00.000Z</StateUpdatedTimestamp>
      </member>
    </MetricAlarms>
    <CompositeAlarms/>
    <NextToken>tok-2</NextToken>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>f5e5d2a4-1c3b-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>)",
          kXml),
      Step::respond(
          200, R"(<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
  <DescribeAlarmsResult>
    <MetricAlarms>
      <member>
        <AlarmName>fn__dev-duration</AlarmName>
        <Namespace>AWS/Lambda</Namespace>
        <MetricName>Duration</MetricName>
        <Dimensions>
          <member><Name>FunctionName</Name><Value>fn__dev</Value></member>
          <member><Name>Resource</Name><Value>fn__dev:LIVE</Value></member>
        </Dimensions>
        <Statistic>Average</Statistic>
        <Period>60</Period>
        <EvaluationPeriods>5</EvaluationPeriods>
        <DatapointsToAlarm>3</DatapointsToAlarm>
        <Threshold>2500.5</Threshold>
        <ComparisonOperator>GreaterThanThreshold</ComparisonOperator>
        <ActionsEnabled>false</ActionsEnabled>
        <AlarmActions><member>arn:aws:sns:us-east-1:123456789012:ops</member></AlarmActions>
      </member>
    </MetricAlarms>
    <CompositeAlarms/>
  </DescribeAlarmsResult>
  <ResponseMetadata><RequestId>a1e5d2a4-1c3b-4e5f-8a9b-0c1d2e3f4a5b</RequestId></ResponseMetadata>
</DescribeAlarmsResponse>)",
          kXml),
  });
  CloudWatchClient cloudwatch(loopback_config(server));
  const json all = cloudwatch.describe_all_alarms(
      {{"AlarmNames", json::array({"fn__dev-errors", "fn__dev-duration"})}});
  ASSERT_EQ(all["MetricAlarms"].size(), 2u);
  EXPECT_EQ(all["CompositeAlarms"], json::array());
  const json& errors = all["MetricAlarms"][0];
  EXPECT_EQ(errors["Threshold"], 10);
  EXPECT_EQ(errors["Period"], 300);
  EXPECT_EQ(errors["EvaluationPeriods"], 1);
  EXPECT_EQ(errors["ActionsEnabled"], true);
  EXPECT_EQ(errors["AlarmActions"], json::array());
  EXPECT_EQ(errors["Dimensions"], json::array({{{"Name", "FunctionName"}, {"Value", "fn__dev"}}}));
  EXPECT_EQ(errors["TreatMissingData"], "notBreaching");
  const json& duration = all["MetricAlarms"][1];
  EXPECT_EQ(duration["Threshold"], 2500.5);
  EXPECT_EQ(duration["DatapointsToAlarm"], 3);
  EXPECT_EQ(duration["ActionsEnabled"], false);
  EXPECT_EQ(duration["Dimensions"].size(), 2u);
  EXPECT_EQ(duration["AlarmActions"], json::array({"arn:aws:sns:us-east-1:123456789012:ops"}));

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(form_value(requests[0].body, "Action"), "DescribeAlarms");
  EXPECT_EQ(form_value(requests[0].body, "Version"), "2010-08-01");
  EXPECT_EQ(form_value(requests[0].body, "AlarmNames.member.1"), "fn__dev-errors");
  EXPECT_EQ(form_value(requests[0].body, "AlarmNames.member.2"), "fn__dev-duration");
  EXPECT_EQ(form_value(requests[0].body, "NextToken"), "");
  EXPECT_EQ(form_value(requests[1].body, "NextToken"), "tok-2");
  EXPECT_EQ(signed_service(requests[0]), "monitoring");
}

}  // namespace
}  // namespace ld::aws
