// Lambda's control plane on the local endpoint, driven through the project's own LambdaClient
// over a real loopback socket: lifecycle, state transitions, versions, aliases, Function URLs,
// permissions, layers, provisioned concurrency, Invoke (with a recording executor), validation
// and persistence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "aws/credentials_chain.hpp"
#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/s3.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/services/lambda.hpp"
#include "local/services/lambda_validation.hpp"
#include "local/services/s3.hpp"
#include "local/state.hpp"
#include "local_client.hpp"
#include "support/aws_error_of.hpp"
#include "support/conformance.hpp"
#include "support/served_lambda.hpp"
#include "support/stored_zip.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using ld::test::stored_zip;

// Stands in for the real executor: records what it was asked to run and answers a script.
class RecordingExecutor : public Executor {
 public:
  InvokeResult invoke(InvokeRequest request) override {
    std::lock_guard lock(mutex_);
    requests.push_back(request);
    InvokeResult result = next;
    if (result.executed_version.empty()) result.executed_version = request.image.version;
    if (request.type == InvocationType::Event) result.status = 202;
    return result;
  }
  void retire(const std::string& function_name) override {
    std::lock_guard lock(mutex_);
    retired.push_back(function_name);
  }
  void provision(const std::string& function_name, std::vector<ProvisionedImage> images) override {
    std::lock_guard lock(mutex_);
    provisioned[function_name] = std::move(images);
  }
  ExecutorStatus status() const override { return {"paths", 0, 0}; }
  // Version → count the last provision() call asked of a function.
  std::map<std::string, int> provisioned_counts(const std::string& function_name) {
    std::lock_guard lock(mutex_);
    std::map<std::string, int> counts;
    for (const auto& p : provisioned[function_name]) counts[p.image.version] = p.count;
    return counts;
  }

  std::vector<InvokeRequest> requests;
  std::vector<std::string> retired;
  std::map<std::string, std::vector<ProvisionedImage>> provisioned;
  InvokeResult next;

 private:
  std::mutex mutex_;
};

const std::string kRole = "arn:aws:iam::000000000000:role/lambda-role";
const std::string kArn = "arn:aws:lambda:us-east-1:000000000000:function:";

// One endpoint (front end + Lambda + listener) over a data dir, and a client pointed at it.
class LambdaEndpoint {
 public:
  LambdaEndpoint(const std::filesystem::path& dir, std::shared_ptr<RecordingExecutor> executor,
                 std::chrono::milliseconds delay) {
    LambdaOptions options;
    options.settle_delay = delay;
    State state = State::open(dir);
    // S3 too: where Code.S3Bucket points.
    served_ = std::make_unique<test::ServedLambda>(
        state, executor, options,
        std::vector<std::shared_ptr<Service>>{std::make_shared<S3Service>(state)});
    service = served_->service;
    aws::ClientConfig config = ld::test::client_config(served_->url());
    client = std::make_unique<aws::LambdaClient>(config);
    config.s3_force_path_style = true;
    s3 = std::make_unique<aws::S3Client>(config);
  }
  ~LambdaEndpoint() {
    client.reset();  // closes its kept-alive connection first
    s3.reset();
    served_.reset();
  }
  int port() const { return served_->port(); }

  std::shared_ptr<LambdaService> service;
  std::unique_ptr<aws::LambdaClient> client;
  std::unique_ptr<aws::S3Client> s3;

 private:
  std::unique_ptr<test::ServedLambda> served_;
};

using ld::test::error_of;

class LambdaServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { open(std::chrono::milliseconds(0)); }
  void open(std::chrono::milliseconds delay) {
    endpoint.reset();
    endpoint = std::make_unique<LambdaEndpoint>(dir.path() / "data", executor, delay);
  }
  const aws::LambdaClient& lambda() { return *endpoint->client; }

  json create(const std::string& name, json extra = json::object()) {
    json input = {{"FunctionName", name},
                  {"Runtime", "provided.al2023"},
                  {"Handler", "bootstrap"},
                  {"Role", kRole},
                  {"Code", {{"ZipFile", base64_encode(zip)}}}};
    if (extra.is_object()) input.update(extra);
    return lambda().create_function(input);
  }

  test::TempDir dir{"lambda-service"};
  std::shared_ptr<RecordingExecutor> executor = std::make_shared<RecordingExecutor>();
  std::unique_ptr<LambdaEndpoint> endpoint;
  std::string zip = stored_zip({{"bootstrap", "#!/bin/sh\necho hi\n"}});
};

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

json recording(const std::string& test_id, const std::string& key) {
  std::ifstream in(test::conformance_dir() /
                   "lambda-api/localstack-snapshots/test_lambda_api.snapshot.json");
  const json snapshot = json::parse(in);
  json value = snapshot.at("tests/aws/services/lambda_/test_lambda_api.py::" + test_id)
                   .at("recorded-content")
                   .at(key);
  value.erase("ResponseMetadata");
  return value;
}

TEST_F(LambdaServiceTest, LifecycleMatchesAwsShapes) {
  const json created = create("fn", {{"MemorySize", 256}, {"Timeout", 5}});
  EXPECT_EQ(created["FunctionArn"], kArn + "fn");
  EXPECT_EQ(created["Version"], "$LATEST");
  EXPECT_EQ(created["CodeSha256"], base64_encode(as_chars(sha256(zip))));
  EXPECT_EQ(created["CodeSize"], zip.size());
  EXPECT_EQ(created["MemorySize"], 256);
  EXPECT_EQ(created["PackageType"], "Zip");
  EXPECT_EQ(created["LoggingConfig"],
            json({{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/fn"}}));
  EXPECT_EQ(created["TracingConfig"]["Mode"], "PassThrough");
  EXPECT_EQ(created["EphemeralStorage"]["Size"], 512);
  EXPECT_EQ(created["Architectures"], json::array({"x86_64"}));
  EXPECT_TRUE(std::regex_match(created["LastModified"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000)")));
  EXPECT_TRUE(std::regex_match(
      created["RevisionId"].get<std::string>(),
      std::regex(R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")));

  const json got = lambda().get_function({{"FunctionName", "fn"}});
  // Same members as AWS's GetFunction (TestLambdaFunction::test_function_lifecycle).
  const json aws_get =
      recording("TestLambdaFunction::test_function_lifecycle", "get_function_response");
  EXPECT_EQ(keys_of(got), keys_of(aws_get));
  EXPECT_EQ(keys_of(got["Configuration"]), keys_of(aws_get["Configuration"]));
  EXPECT_EQ(got["Code"]["RepositoryType"], "S3");
  EXPECT_EQ(got["Configuration"]["State"], "Active");
  EXPECT_EQ(got["Configuration"]["LastUpdateStatus"], "Successful");

  const json updated =
      lambda().update_function_configuration({{"FunctionName", "fn"},
                                              {"Description", "Changed-Description"},
                                              {"MemorySize", 512},
                                              {"Environment", {{"Variables", {{"ENV_A", "a"}}}}}});
  EXPECT_EQ(updated["MemorySize"], 512);
  EXPECT_EQ(updated["Environment"]["Variables"]["ENV_A"], "a");
  EXPECT_NE(updated["RevisionId"], got["Configuration"]["RevisionId"]);
  EXPECT_EQ(keys_of(updated),
            keys_of(recording("TestLambdaFunction::test_function_lifecycle",
                              "get_function_response_postupdate")["Configuration"]));

  const std::string zip2 = stored_zip({{"bootstrap", "#!/bin/sh\necho two\n"}});
  const json code =
      lambda().update_function_code({{"FunctionName", "fn"}, {"ZipFile", base64_encode(zip2)}});
  EXPECT_EQ(code["CodeSha256"], base64_encode(as_chars(sha256(zip2))));
  EXPECT_EQ(code["Description"], "Changed-Description");
  EXPECT_EQ(executor->retired, (std::vector<std::string>{"fn", "fn"}));

  lambda().delete_function({{"FunctionName", "fn"}});
  const auto gone = error_of([&] { lambda().get_function({{"FunctionName", "fn"}}); });
  EXPECT_EQ(gone.http_status(), 404);
  EXPECT_EQ(gone.code(), "ResourceNotFoundException");
  EXPECT_EQ(gone.message(), "Function not found: " + kArn + "fn");
  EXPECT_EQ(executor->retired.size(), 3u);
}

TEST_F(LambdaServiceTest, OperationsOnMissingFunctionAnswerAwsMessages) {
  for (auto call : std::vector<std::function<void()>>{
           [&] {
             lambda().get_function({{"FunctionName", "nope"}});
           },
           [&] {
             lambda().get_function_configuration({{"FunctionName", "nope"}});
           },
           [&] {
             lambda().delete_function({{"FunctionName", "nope"}});
           },
           [&] {
             lambda().publish_version({{"FunctionName", "nope"}});
           },
           [&] {
             lambda().invoke({{"FunctionName", "nope"}}, "{}");
           }}) {
    const auto error = error_of(call);
    EXPECT_EQ(error.http_status(), 404);
    EXPECT_EQ(error.message(), "Function not found: " + kArn + "nope");
  }
  const auto url = error_of([&] { lambda().get_function_url_config({{"FunctionName", "nope"}}); });
  EXPECT_EQ(url.http_status(), 404);
  EXPECT_EQ(url.message(), "The resource you requested does not exist.");
}

TEST_F(LambdaServiceTest, CodeComesFromS3AsTheDeployerUploadsIt) {
  const aws::S3Client& s3 = *endpoint->s3;
  s3.create_bucket({{"Bucket", "artifacts"}});
  s3.put_object({{"Bucket", "artifacts"}, {"Key", "fn/v1.zip"}}, zip);
  json created = create("from-s3", {{"Code", {{"S3Bucket", "artifacts"}, {"S3Key", "fn/v1.zip"}}}});
  EXPECT_EQ(created["CodeSha256"], base64_encode(as_chars(sha256(zip))));
  EXPECT_EQ(created["CodeSize"], zip.size());

  const std::string other = stored_zip({{"bootstrap", "#!/bin/sh\necho v2\n"}});
  s3.put_object({{"Bucket", "artifacts"}, {"Key", "fn/v2.zip"}}, other);
  json updated = lambda().update_function_code(
      {{"FunctionName", "from-s3"}, {"S3Bucket", "artifacts"}, {"S3Key", "fn/v2.zip"}});
  EXPECT_EQ(updated["CodeSha256"], base64_encode(as_chars(sha256(other))));

  // AWS's words for what is not there (recorded: create-error-wrong-key).
  const auto no_key = error_of([&] {
    lambda().update_function_code(
        {{"FunctionName", "from-s3"}, {"S3Bucket", "artifacts"}, {"S3Key", "missing.zip"}});
  });
  EXPECT_EQ(no_key.code(), "InvalidParameterValueException");
  EXPECT_EQ(no_key.message(), recording("TestLambdaFunction::test_lambda_code_location_s3_errors",
                                        "update-error-wrong-key")["message"]);
  const auto no_bucket = error_of([&] {
    create("nb", {{"Code", {{"S3Bucket", "no-such-bucket"}, {"S3Key", "k"}}}});
  });
  EXPECT_EQ(no_bucket.message(),
            recording("TestLambdaFunction::test_lambda_code_location_s3_errors",
                      "create-error-wrong-bucket")["message"]);
  const auto both = error_of([&] {
    create(
        "both",
        {{"Code", {{"ZipFile", base64_encode(zip)}, {"S3Bucket", "artifacts"}, {"S3Key", "k"}}}});
  });
  EXPECT_EQ(both.code(), "InvalidParameterValueException");
  s3.put_object({{"Bucket", "artifacts"}, {"Key", "not-a-zip"}}, "hello");
  const auto not_zip = error_of([&] {
    create("bad", {{"Code", {{"S3Bucket", "artifacts"}, {"S3Key", "not-a-zip"}}}});
  });
  EXPECT_EQ(not_zip.message(),
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
}

TEST_F(LambdaServiceTest, InvocationsSeeEveryChangeAtOnce) {
  // What an invocation runs is kept between calls; each change must show in the very next one.
  create("fresh", {{"Environment", {{"Variables", {{"COLOUR", "red"}}}}}});
  auto image = [&](const std::string& qualifier = {}) {
    json in = {{"FunctionName", "fresh"}};
    if (!qualifier.empty()) in["Qualifier"] = qualifier;
    lambda().invoke(in, "{}");
    return executor->requests.back().image;
  };
  EXPECT_EQ(image().environment.at("COLOUR"), "red");
  EXPECT_EQ(image().environment.at("COLOUR"), "red");
  lambda().update_function_configuration(
      {{"FunctionName", "fresh"}, {"Environment", {{"Variables", {{"COLOUR", "blue"}}}}}});
  EXPECT_EQ(image().environment.at("COLOUR"), "blue");
  lambda().publish_version({{"FunctionName", "fresh"}});
  lambda().create_alias({{"FunctionName", "fresh"}, {"Name", "live"}, {"FunctionVersion", "1"}});
  EXPECT_EQ(image("live").version, "1");
  lambda().update_function_configuration(
      {{"FunctionName", "fresh"}, {"Environment", {{"Variables", {{"COLOUR", "green"}}}}}});
  lambda().publish_version({{"FunctionName", "fresh"}});
  lambda().update_alias({{"FunctionName", "fresh"}, {"Name", "live"}, {"FunctionVersion", "2"}});
  EXPECT_EQ(image("live").version, "2");
  EXPECT_EQ(image("live").environment.at("COLOUR"), "green");
  EXPECT_EQ(image("1").environment.at("COLOUR"), "blue");
  lambda().delete_function({{"FunctionName", "fresh"}});
  EXPECT_EQ(error_of([&] { image(); }).code(), "ResourceNotFoundException");
}

// Opens the endpoint with a 200 ms settle delay (Server::stop right after start can hang: the
// fixture does not open twice).
class LambdaSettlingTest : public LambdaServiceTest {
 protected:
  void SetUp() override { open(std::chrono::milliseconds(200)); }
};

TEST_F(LambdaSettlingTest, PendingAndInProgressRefuseChangesUntilSettled) {
  const json created = create("slow");
  EXPECT_EQ(created["State"], "Pending");
  EXPECT_EQ(created["StateReasonCode"], "Creating");
  EXPECT_FALSE(created.contains("LastUpdateStatus"));

  const auto busy = error_of([&] {
    lambda().update_function_configuration({{"FunctionName", "slow"}, {"Timeout", 9}});
  });
  EXPECT_EQ(busy.http_status(), 409);
  EXPECT_EQ(busy.code(), "ResourceConflictException");
  EXPECT_EQ(busy.message(),
            "The operation cannot be performed at this time. An update is in progress for "
            "resource: " +
                kArn + "slow");
  const auto pending = error_of([&] { lambda().invoke({{"FunctionName", "slow"}}, "{}"); });
  EXPECT_EQ(pending.http_status(), 409);
  EXPECT_THAT(pending.message(), HasSubstr("following state: Pending"));

  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const json active = lambda().get_function_configuration({{"FunctionName", "slow"}});
  EXPECT_EQ(active["State"], "Active");
  EXPECT_EQ(active["LastUpdateStatus"], "Successful");
  EXPECT_NE(active["RevisionId"], created["RevisionId"]);  // as AWS: uuid:1 → uuid:2

  const json updating =
      lambda().update_function_configuration({{"FunctionName", "slow"}, {"Timeout", 9}});
  EXPECT_EQ(updating["LastUpdateStatus"], "InProgress");
  EXPECT_EQ(updating["State"], "Active");
  EXPECT_EQ(
      error_of([&] {
        lambda().update_function_code({{"FunctionName", "slow"}, {"ZipFile", base64_encode(zip)}});
      }).http_status(),
      409);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_EQ(lambda().get_function_configuration({{"FunctionName", "slow"}})["LastUpdateStatus"],
            "Successful");
  EXPECT_EQ(lambda().update_function_configuration(
                {{"FunctionName", "slow"}, {"Timeout", 10}})["Timeout"],
            10);
}

TEST_F(LambdaServiceTest, RevisionIdPreconditions) {
  const json created = create("rev");
  const auto stale = error_of([&] {
    lambda().update_function_configuration(
        {{"FunctionName", "rev"},
         {"Timeout", 4},
         {"RevisionId", "00000000-0000-4000-0000-000000000000"}});
  });
  EXPECT_EQ(stale.http_status(), 412);
  EXPECT_EQ(stale.code(), "PreconditionFailedException");
  EXPECT_EQ(stale.message(),
            "The Revision Id provided does not match the latest Revision Id. Call the "
            "GetFunction/GetAlias API to retrieve the latest Revision Id");
  const json updated = lambda().update_function_configuration(
      {{"FunctionName", "rev"}, {"Timeout", 4}, {"RevisionId", created["RevisionId"]}});
  EXPECT_EQ(updated["Timeout"], 4);
  EXPECT_EQ(
      error_of([&] {
        lambda().publish_version({{"FunctionName", "rev"}, {"RevisionId", created["RevisionId"]}});
      }).code(),
      "PreconditionFailedException");
}

TEST_F(LambdaServiceTest, ValidationErrors) {
  auto fails = [&](const std::string& name, json extra) {
    return error_of([&] { create(name, extra); });
  };
  auto memory = fails("v1", {{"MemorySize", 100}});
  EXPECT_EQ(memory.code(), "ValidationException");
  EXPECT_EQ(memory.message(),
            "1 validation error detected: Value '100' at 'memorySize' failed to satisfy "
            "constraint: Member must have value greater than or equal to 128");
  EXPECT_EQ(fails("v1", {{"MemorySize", 10241}}).code(), "ValidationException");
  EXPECT_THAT(fails("v1", {{"Timeout", 901}}).message(), HasSubstr("less than or equal to 900"));
  auto env =
      fails("v1", {{"Environment", {{"Variables", {{"LARGE_VAR", std::string(4100, 'x')}}}}}});
  EXPECT_EQ(env.code(), "InvalidParameterValueException");
  EXPECT_THAT(env.message(), StartsWith("Lambda was unable to configure your environment variables "
                                        "because the environment variables you have provided "
                                        "exceeded the 4KB limit. String measured: {\"LARGE_VAR\""));
  EXPECT_EQ(fails("v1", {{"Runtime", "cobol1"}}).code(), "InvalidParameterValueException");
  EXPECT_EQ(fails("v1", {{"Role", "not-a-role"}}).code(), "ValidationException");
  EXPECT_EQ(fails(std::string(65, 'a'), {}).code(), "ValidationException");
  EXPECT_EQ(fails("bad name!", {}).code(), "ValidationException");
  EXPECT_EQ(fails("v1", {{"Runtime", "python3.12"}, {"Handler", nullptr}}).code(),
            "InvalidParameterValueException");
  auto not_zip = fails("v1", {{"Code", {{"ZipFile", base64_encode("not a zip")}}}});
  EXPECT_EQ(not_zip.message(),
            "Could not unzip uploaded file. Please check your file, then try to upload again.");
  auto s3 = fails("v1", {{"Code", {{"S3Bucket", "b"}, {"S3Key", "k"}}}});
  EXPECT_EQ(s3.code(), "InvalidParameterValueException");
  EXPECT_EQ(s3.message(),
            "Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The "
            "specified bucket does not exist");
  auto unzipped =
      fails("v1", {{"Code", {{"ZipFile", base64_encode(stored_zip({{"big", "x"}}, 300u << 20))}}}});
  EXPECT_EQ(unzipped.message(), "Unzipped size must be smaller than 262144000 bytes");

  create("dup");
  auto duplicate = error_of([&] { create("dup"); });
  EXPECT_EQ(duplicate.http_status(), 409);
  EXPECT_EQ(duplicate.message(), "Function already exist: dup");
  EXPECT_EQ(error_of([&] {
              lambda().update_function_configuration({{"FunctionName", "dup"}, {"MemorySize", 64}});
            }).code(),
            "ValidationException");
}

TEST(LambdaValidation, OversizedZipIsRequestEntityTooLarge) {
  try {
    lambda::check_zip(std::string(52428801, 'x'));
    FAIL() << "accepted";
  } catch (const ApiError& error) {
    EXPECT_EQ(error.code(), "RequestEntityTooLargeException");
    EXPECT_EQ(error.status(), 413);
    EXPECT_STREQ(error.what(), "Zipped size must be smaller than 52428800 bytes");
  }
  EXPECT_EQ(lambda::parse_function_name(kArn + "fn:live").qualifier, "live");
  EXPECT_EQ(lambda::parse_function_name("000000000000:function:fn").name, "fn");
}

TEST_F(LambdaServiceTest, VersionsArePublishedOnceAndPaged) {
  create("ver", {{"Description", "first"}});
  const json v1 = lambda().publish_version({{"FunctionName", "ver"}});
  EXPECT_EQ(v1["Version"], "1");
  EXPECT_EQ(v1["FunctionArn"], kArn + "ver:1");
  EXPECT_EQ(v1["State"], "Active");
  EXPECT_EQ(lambda().publish_version({{"FunctionName", "ver"}})["Version"], "1");  // unchanged
  lambda().update_function_configuration({{"FunctionName", "ver"}, {"Timeout", 7}});
  EXPECT_EQ(
      lambda().publish_version({{"FunctionName", "ver"}, {"Description", "second"}})["Version"],
      "2");
  const auto wrong_sha = error_of([&] {
    lambda().publish_version({{"FunctionName", "ver"}, {"CodeSha256", "abc"}});
  });
  EXPECT_EQ(wrong_sha.code(), "InvalidParameterValueException");

  const json page1 = lambda().list_versions_by_function({{"FunctionName", "ver"}, {"MaxItems", 2}});
  ASSERT_EQ(page1["Versions"].size(), 2u);
  EXPECT_EQ(page1["Versions"][0]["Version"], "$LATEST");
  EXPECT_EQ(page1["Versions"][0]["FunctionArn"], kArn + "ver:$LATEST");
  EXPECT_FALSE(page1["Versions"][0].contains("State"));
  EXPECT_EQ(page1["NextMarker"], "1");
  const json page2 = lambda().list_versions_by_function(
      {{"FunctionName", "ver"}, {"Marker", "1"}, {"MaxItems", 2}});
  ASSERT_EQ(page2["Versions"].size(), 1u);
  EXPECT_EQ(page2["Versions"][0]["Timeout"], 7);
  EXPECT_EQ(page2["Versions"][0]["Description"], "second");
  EXPECT_FALSE(page2.contains("NextMarker"));
  EXPECT_EQ(lambda().list_all_versions("ver").size(), 3u);

  EXPECT_EQ(lambda().get_function_configuration("ver", "1")["Timeout"], 3);
  const auto missing = error_of([&] { lambda().get_function_configuration("ver", "9"); });
  EXPECT_EQ(missing.message(), "Function not found: " + kArn + "ver:9");
  lambda().delete_function({{"FunctionName", "ver"}, {"Qualifier", "1"}});
  EXPECT_EQ(lambda().list_all_versions("ver").size(), 2u);
}

TEST_F(LambdaServiceTest, AliasesWithRoutingWeights) {
  create("al");
  lambda().publish_version({{"FunctionName", "al"}});
  lambda().update_function_configuration({{"FunctionName", "al"}, {"Timeout", 8}});
  lambda().publish_version({{"FunctionName", "al"}});
  const json alias =
      lambda().create_alias({{"FunctionName", "al"},
                             {"Name", "live"},
                             {"FunctionVersion", "1"},
                             {"Description", "custom-alias"},
                             {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 0.2}}}}}});
  EXPECT_EQ(alias["AliasArn"], kArn + "al:live");
  EXPECT_EQ(alias["RoutingConfig"]["AdditionalVersionWeights"]["2"], 0.2);
  EXPECT_EQ(keys_of(alias),
            keys_of(recording("TestLambdaAlias::test_alias_lifecycle", "create_alias_1_1")));
  EXPECT_EQ(lambda().get_alias({{"FunctionName", "al"}, {"Name", "live"}}), alias);
  EXPECT_EQ(lambda().get_function_configuration("al", "live")["FunctionArn"], kArn + "al:live");

  auto routing = [&](json weights, std::string version = "1") {
    return error_of([&] {
      lambda().create_alias({{"FunctionName", "al"},
                             {"Name", "other"},
                             {"FunctionVersion", version},
                             {"RoutingConfig", {{"AdditionalVersionWeights", weights}}}});
    });
  };
  EXPECT_EQ(routing({{"1", 0.5}}).message(),
            "Invalid function version 1. Function version 1 is already included in routing "
            "configuration.");
  EXPECT_EQ(
      routing({{"2", 2.0}}).message(),
      "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' "
      "failed to satisfy constraint: Map value must satisfy constraint: [Member must have "
      "value less than or equal to 1.0, Member must have value greater than or equal to 0.0, "
      "Member must not be null]");
  EXPECT_EQ(routing({{"10", 0.5}}).message(), "Function not found: " + kArn + "al:10");
  EXPECT_EQ(routing({{"2", 0.5}}, "$LATEST").message(),
            "$LATEST is not supported for an alias pointing to more than 1 version");
  const auto duplicate = error_of([&] {
    lambda().create_alias({{"FunctionName", "al"}, {"Name", "live"}, {"FunctionVersion", "1"}});
  });
  EXPECT_EQ(duplicate.http_status(), 409);
  EXPECT_EQ(duplicate.message(), "Alias already exists: " + kArn + "al:live");

  const json updated =
      lambda().update_alias({{"FunctionName", "al"},
                             {"Name", "live"},
                             {"FunctionVersion", "2"},
                             {"RoutingConfig", {{"AdditionalVersionWeights", json::object()}}}});
  EXPECT_EQ(updated["FunctionVersion"], "2");
  EXPECT_FALSE(updated.contains("RoutingConfig"));
  EXPECT_NE(updated["RevisionId"], alias["RevisionId"]);
  EXPECT_EQ(error_of([&] {
              lambda().update_alias(
                  {{"FunctionName", "al"}, {"Name", "live"}, {"RevisionId", alias["RevisionId"]}});
            }).http_status(),
            412);
  lambda().delete_alias({{"FunctionName", "al"}, {"Name", "live"}});
  const auto gone = error_of([&] {
    lambda().get_alias({{"FunctionName", "al"}, {"Name", "live"}});
  });
  EXPECT_EQ(gone.http_status(), 404);
  EXPECT_EQ(gone.message(), "Cannot find alias arn: " + kArn + "al:live");
}

TEST_F(LambdaServiceTest, InvokeHandsTheExecutorTheFullImage) {
  const json layer = lambda().publish_layer_version(
      {{"LayerName", "deps"},
       {"Content", {{"ZipFile", base64_encode(stored_zip({{"lib/a.so", "so"}}))}}}});
  create("inv", {{"MemorySize", 512},
                 {"Timeout", 30},
                 {"Environment", {{"Variables", {{"MODE", "test"}}}}},
                 {"Layers", json::array({layer["LayerVersionArn"]})}});
  executor->next.payload = R"({"ok":true})";
  executor->next.log_tail = "START RequestId: x\nEND\n";
  const aws::Result result =
      lambda().invoke({{"FunctionName", "inv"}, {"LogType", "Tail"}}, R"({"event":1})");
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.body, R"({"ok":true})");
  EXPECT_EQ(result.output["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(result.output["LogResult"], base64_encode("START RequestId: x\nEND\n"));
  EXPECT_FALSE(result.output.contains("FunctionError"));

  ASSERT_EQ(executor->requests.size(), 1u);
  const InvokeRequest& request = executor->requests[0];
  EXPECT_EQ(request.payload, R"({"event":1})");
  EXPECT_TRUE(request.tail_log);
  EXPECT_EQ(request.invoked_arn, kArn + "inv");
  const FunctionImage& image = request.image;
  EXPECT_EQ(image.function_name, "inv");
  EXPECT_EQ(image.function_arn, kArn + "inv");
  EXPECT_EQ(image.version, "$LATEST");
  EXPECT_EQ(image.memory_mb, 512);
  EXPECT_EQ(image.timeout_s, 30);
  EXPECT_EQ(image.runtime, "provided.al2023");
  EXPECT_EQ(image.handler, "bootstrap");
  EXPECT_EQ(image.environment.at("MODE"), "test");
  EXPECT_EQ(image.log_group, "/aws/lambda/inv");
  EXPECT_EQ(image.account, "000000000000");
  EXPECT_EQ(image.region, "us-east-1");
  EXPECT_EQ(image.code_sha256, sha256_hex(zip));  // hex: the executor names folders by it
  EXPECT_EQ(image.config_revision, lambda().get_function_configuration("inv", "")["RevisionId"]);
  ASSERT_TRUE(std::filesystem::exists(image.code_zip));
  EXPECT_EQ(sha256_hex(test::read_file(image.code_zip)), sha256_hex(zip));
  ASSERT_EQ(image.layer_zips.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(image.layer_zips[0]));

  // Through an alias whose weights send everything to version 2.
  lambda().publish_version({{"FunctionName", "inv"}});
  lambda().update_function_configuration({{"FunctionName", "inv"}, {"MemorySize", 1024}});
  lambda().publish_version({{"FunctionName", "inv"}});
  lambda().create_alias({{"FunctionName", "inv"},
                         {"Name", "live"},
                         {"FunctionVersion", "1"},
                         {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 1.0}}}}}});
  executor->next.function_error = "Unhandled";
  const aws::Result routed =
      lambda().invoke({{"FunctionName", "inv"}, {"Qualifier", "live"}}, "{}");
  EXPECT_EQ(routed.output["FunctionError"], "Unhandled");
  EXPECT_EQ(routed.output["ExecutedVersion"], "2");
  EXPECT_EQ(executor->requests.back().image.version, "2");
  EXPECT_EQ(executor->requests.back().image.memory_mb, 1024);
  EXPECT_EQ(executor->requests.back().alias, "live");
  EXPECT_EQ(executor->requests.back().invoked_arn, kArn + "inv:live");

  const aws::Result event =
      lambda().invoke({{"FunctionName", kArn + "inv:1"}, {"InvocationType", "Event"}}, "{}");
  EXPECT_EQ(event.status, 202);
  EXPECT_EQ(executor->requests.back().image.version, "1");
  EXPECT_EQ(executor->requests.back().type, InvocationType::Event);
}

TEST_F(LambdaServiceTest, FunctionUrlConfigs) {
  create("web");
  lambda().publish_version({{"FunctionName", "web"}});
  lambda().create_alias({{"FunctionName", "web"}, {"Name", "live"}, {"FunctionVersion", "1"}});
  const json url = lambda().create_function_url_config(
      {{"FunctionName", "web"}, {"AuthType", "NONE"}, {"Cors", {{"AllowOrigins", {"*"}}}}});
  const std::regex shape("http://([a-z0-9]{32})\\.lambda-url\\.us-east-1\\.localhost:" +
                         std::to_string(endpoint->port()) + "/");
  std::smatch m;
  const std::string function_url = url["FunctionUrl"];
  ASSERT_TRUE(std::regex_match(function_url, m, shape)) << function_url;
  const std::string id = m[1];
  EXPECT_EQ(url["FunctionArn"], kArn + "web");
  EXPECT_EQ(url["AuthType"], "NONE");
  EXPECT_TRUE(url.contains("CreationTime"));

  const auto duplicate = error_of([&] {
    lambda().create_function_url_config({{"FunctionName", "web"}, {"AuthType", "NONE"}});
  });
  EXPECT_EQ(duplicate.http_status(), 409);
  EXPECT_EQ(duplicate.message(),
            "Failed to create function url config for [functionArn = " + kArn +
                "web]. Error message:  FunctionUrlConfig exists for this Lambda function");

  const json got = lambda().get_function_url_config({{"FunctionName", "web"}});
  json without_cors = got;
  without_cors.erase("Cors");
  EXPECT_EQ(keys_of(recording("TestLambdaUrl::test_url_config_lifecycle", "get_url_config")),
            keys_of(without_cors));
  EXPECT_EQ(got["InvokeMode"], "BUFFERED");
  EXPECT_TRUE(std::regex_match(got["LastModifiedTime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)")));
  auto target = endpoint->service->functions().url_target(id);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->function_name, "web");
  EXPECT_EQ(target->qualifier, "");
  EXPECT_EQ(target->auth_type, "NONE");
  EXPECT_EQ(target->cors["AllowOrigins"][0], "*");
  EXPECT_FALSE(endpoint->service->functions().url_target("x"));

  const json updated = lambda().update_function_url_config(
      {{"FunctionName", "web"}, {"AuthType", "AWS_IAM"}, {"InvokeMode", "RESPONSE_STREAM"}});
  EXPECT_EQ(updated["AuthType"], "AWS_IAM");
  EXPECT_EQ(updated["FunctionUrl"], function_url);
  EXPECT_EQ(endpoint->service->functions().url_target(id)->invoke_mode, "RESPONSE_STREAM");

  const json on_alias = lambda().create_function_url_config(
      {{"FunctionName", "web"}, {"Qualifier", "live"}, {"AuthType", "NONE"}});
  EXPECT_EQ(on_alias["FunctionArn"], kArn + "web:live");
  EXPECT_NE(on_alias["FunctionUrl"], function_url);
  EXPECT_EQ(error_of([&] {
              lambda().create_function_url_config(
                  {{"FunctionName", "web"}, {"Qualifier", "1"}, {"AuthType", "NONE"}});
            }).code(),
            "InvalidParameterValueException");

  lambda().delete_function_url_config({{"FunctionName", "web"}});
  const auto gone = error_of([&] { lambda().get_function_url_config({{"FunctionName", "web"}}); });
  EXPECT_EQ(gone.http_status(), 404);
  EXPECT_EQ(gone.message(), "The resource you requested does not exist.");
  EXPECT_FALSE(endpoint->service->functions().url_target(id));
  // The id is a function of where the URL is: it comes back the same.
  EXPECT_EQ(lambda().create_function_url_config(
                {{"FunctionName", "web"}, {"AuthType", "NONE"}})["FunctionUrl"],
            function_url);
}

TEST_F(LambdaServiceTest, PermissionsBuildAwsStatements) {
  create("pol");
  auto& functions = endpoint->service->functions();
  const json url_permission =
      lambda().add_permission({{"FunctionName", "pol"},
                               {"StatementId", "FunctionURLAllowPublicAccess"},
                               {"Action", "lambda:InvokeFunctionUrl"},
                               {"Principal", "*"},
                               {"FunctionUrlAuthType", "NONE"}});
  EXPECT_EQ(
      url_permission["Statement"],
      R"({"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":")" +
          kArn + R"(pol","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}})");
  EXPECT_FALSE(functions.url_invocation_allowed("pol", ""));
  lambda().add_permission({{"FunctionName", "pol"},
                           {"StatementId", "FunctionURLInvokeAllowPublicAccess"},
                           {"Action", "lambda:InvokeFunction"},
                           {"Principal", "*"}});
  EXPECT_TRUE(functions.url_invocation_allowed("pol", ""));
  EXPECT_FALSE(functions.url_invocation_allowed("pol", "live"));

  const json service = lambda().add_permission({{"FunctionName", "pol"},
                                                {"StatementId", "s3"},
                                                {"Action", "lambda:InvokeFunction"},
                                                {"Principal", "s3.amazonaws.com"},
                                                {"SourceAccount", "000000000000"},
                                                {"SourceArn", "arn:aws:s3:::bucket"}});
  EXPECT_EQ(json::parse(service["Statement"].get<std::string>())["Principal"],
            json({{"Service", "s3.amazonaws.com"}}));
  EXPECT_EQ(json::parse(service["Statement"].get<std::string>())["Condition"],
            json({{"StringEquals", {{"AWS:SourceAccount", "000000000000"}}},
                  {"ArnLike", {{"AWS:SourceArn", "arn:aws:s3:::bucket"}}}}));

  const json policy = lambda().get_policy({{"FunctionName", "pol"}});
  EXPECT_THAT(
      policy["Policy"].get<std::string>(),
      StartsWith(
          R"({"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"FunctionURLAllowPublicAccess")"));
  EXPECT_EQ(json::parse(policy["Policy"].get<std::string>())["Statement"].size(), 3u);
  EXPECT_TRUE(policy.contains("RevisionId"));
  EXPECT_EQ(lambda().find_policy("pol")->at("Statement")[1]["Sid"],
            "FunctionURLInvokeAllowPublicAccess");

  const auto duplicate = error_of([&] {
    lambda().add_permission({{"FunctionName", "pol"},
                             {"StatementId", "s3"},
                             {"Action", "lambda:InvokeFunction"},
                             {"Principal", "*"}});
  });
  EXPECT_EQ(duplicate.http_status(), 409);
  EXPECT_EQ(duplicate.code(), "ResourceConflictException");

  lambda().remove_permission(
      {{"FunctionName", "pol"}, {"StatementId", "FunctionURLInvokeAllowPublicAccess"}});
  EXPECT_FALSE(functions.url_invocation_allowed("pol", ""));
  EXPECT_EQ(error_of([&] {
              lambda().remove_permission({{"FunctionName", "pol"}, {"StatementId", "nope"}});
            }).http_status(),
            404);
  lambda().remove_permission(
      {{"FunctionName", "pol"}, {"StatementId", "FunctionURLAllowPublicAccess"}});
  lambda().remove_permission({{"FunctionName", "pol"}, {"StatementId", "s3"}});
  EXPECT_FALSE(lambda().find_policy("pol"));
}

TEST_F(LambdaServiceTest, LayerVersions) {
  const std::string layer_zip = stored_zip({{"python/x.py", "x = 1\n"}});
  const json v1 =
      lambda().publish_layer_version({{"LayerName", "libs"},
                                      {"Description", "d"},
                                      {"CompatibleRuntimes", {"provided.al2023"}},
                                      {"Content", {{"ZipFile", base64_encode(layer_zip)}}}});
  EXPECT_EQ(v1["LayerArn"], "arn:aws:lambda:us-east-1:000000000000:layer:libs");
  EXPECT_EQ(v1["LayerVersionArn"], "arn:aws:lambda:us-east-1:000000000000:layer:libs:1");
  EXPECT_EQ(v1["Version"], 1);
  EXPECT_EQ(v1["Content"]["CodeSha256"], base64_encode(as_chars(sha256(layer_zip))));
  EXPECT_EQ(v1["Content"]["CodeSize"], layer_zip.size());
  EXPECT_TRUE(v1["Content"].contains("Location"));
  json aws_publish = recording("TestLambdaLayer::test_layer_lifecycle", "publish_result");
  aws_publish.erase("LicenseInfo");
  aws_publish.erase("CompatibleArchitectures");
  EXPECT_EQ(keys_of(v1), keys_of(aws_publish));
  const json v2 = lambda().publish_layer_version(
      {{"LayerName", "libs"}, {"Content", {{"ZipFile", base64_encode(layer_zip)}}}});
  EXPECT_EQ(v2["Version"], 2);

  EXPECT_EQ(
      lambda().get_layer_version({{"LayerName", "libs"}, {"VersionNumber", 1}})["Description"],
      "d");
  const json listed = lambda().list_layer_versions({{"LayerName", "libs"}});
  ASSERT_EQ(listed["LayerVersions"].size(), 2u);
  EXPECT_EQ(listed["LayerVersions"][0]["Version"], 2);
  EXPECT_EQ(lambda()
                .list_layer_versions({{"LayerName", "libs"},
                                      {"CompatibleRuntime", "provided.al2023"}})["LayerVersions"]
                .size(),
            1u);

  create("with-layer", {{"Layers", {v1["LayerVersionArn"]}}});
  const json config = lambda().get_function_configuration("with-layer", "");
  EXPECT_EQ(config["Layers"],
            json::array({{{"Arn", v1["LayerVersionArn"]}, {"CodeSize", layer_zip.size()}}}));
  EXPECT_EQ(error_of([&] {
              create("bad-layer", {{"Layers", {v1["LayerArn"].get<std::string>() + ":9"}}});
            }).code(),
            "InvalidParameterValueException");

  lambda().delete_layer_version({{"LayerName", "libs"}, {"VersionNumber", 1}});
  const auto gone = error_of([&] {
    lambda().get_layer_version({{"LayerName", "libs"}, {"VersionNumber", 1}});
  });
  EXPECT_EQ(gone.http_status(), 404);
  EXPECT_EQ(
      lambda().publish_layer_version(
          {{"LayerName", "libs"}, {"Content", {{"ZipFile", base64_encode(layer_zip)}}}})["Version"],
      3);  // numbers are never reused
}

TEST_F(LambdaServiceTest, StateSurvivesReopeningTheDataDir) {
  create("keep", {{"Environment", {{"Variables", {{"AA", "1"}}}}}});
  lambda().publish_version({{"FunctionName", "keep"}});
  lambda().create_alias({{"FunctionName", "keep"}, {"Name", "live"}, {"FunctionVersion", "1"}});
  const json url = lambda().create_function_url_config(
      {{"FunctionName", "keep"}, {"Qualifier", "live"}, {"AuthType", "NONE"}});
  lambda().add_permission({{"FunctionName", "keep"},
                           {"Qualifier", "live"},
                           {"StatementId", "url"},
                           {"Action", "lambda:InvokeFunctionUrl"},
                           {"Principal", "*"},
                           {"FunctionUrlAuthType", "NONE"}});
  lambda().add_permission({{"FunctionName", "keep"},
                           {"Qualifier", "live"},
                           {"StatementId", "invoke"},
                           {"Action", "lambda:InvokeFunction"},
                           {"Principal", "*"}});
  const json before = lambda().get_function_configuration("keep", "");

  endpoint.reset();
  open(std::chrono::milliseconds(0));

  const json after = lambda().get_function_configuration("keep", "");
  EXPECT_EQ(after, before);
  EXPECT_EQ(lambda().get_alias({{"FunctionName", "keep"}, {"Name", "live"}})["FunctionVersion"],
            "1");
  const std::string function_url = url["FunctionUrl"];
  const std::string id = function_url.substr(7, 32);
  auto target = endpoint->service->functions().url_target(id);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->qualifier, "live");
  EXPECT_TRUE(endpoint->service->functions().url_invocation_allowed("keep", "live"));
  std::string alias;
  const FunctionImage image = endpoint->service->functions().image_for("keep", "live", &alias);
  EXPECT_EQ(alias, "live");
  EXPECT_EQ(image.version, "1");
  EXPECT_EQ(image.environment.at("AA"), "1");
  EXPECT_TRUE(std::filesystem::exists(image.code_zip));
}

TEST_F(LambdaServiceTest, ListAliasesMatchesAwsShapesAndPages) {
  create("la");
  lambda().publish_version({{"FunctionName", "la"}});
  lambda().update_function_configuration({{"FunctionName", "la"}, {"Timeout", 8}});
  lambda().publish_version({{"FunctionName", "la"}});
  // The aliases of TestLambdaAlias::test_alias_lifecycle, made the same way.
  lambda().create_alias({{"FunctionName", "la"},
                         {"Name", "aliasname1_1"},
                         {"FunctionVersion", "1"},
                         {"Description", "custom-alias"},
                         {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 0.2}}}}}});
  lambda().create_alias({{"FunctionName", "la"},
                         {"Name", "aliasname1_2"},
                         {"FunctionVersion", "1"},
                         {"Description", "custom-alias"}});
  lambda().create_alias(
      {{"FunctionName", "la"}, {"Name", "aliasname1_3"}, {"FunctionVersion", "1"}});
  lambda().create_alias({{"FunctionName", "la"},
                         {"Name", "aliasname2"},
                         {"FunctionVersion", "2"},
                         {"Description", "custom-alias"}});

  const json listed = lambda().list_aliases({{"FunctionName", "la"}});
  const json aws = recording("TestLambdaAlias::test_alias_lifecycle", "list_aliases_for_fnname");
  EXPECT_EQ(keys_of(listed), keys_of(aws));
  ASSERT_EQ(listed["Aliases"].size(), aws["Aliases"].size());
  for (std::size_t i = 0; i < aws["Aliases"].size(); ++i) {
    const json& ours = listed["Aliases"][i];
    const json& theirs = aws["Aliases"][i];
    EXPECT_EQ(keys_of(ours), keys_of(theirs)) << ours.dump();
    for (const char* member : {"Name", "FunctionVersion", "Description", "RoutingConfig"})
      EXPECT_EQ(ours.value(member, json()), theirs.value(member, json())) << member;
    EXPECT_EQ(ours["AliasArn"], kArn + "la:" + theirs["Name"].get<std::string>());
    EXPECT_EQ(ours, lambda().get_alias({{"FunctionName", "la"}, {"Name", ours["Name"]}}));
  }

  auto names = [](const json& page) {
    std::vector<std::string> out;
    for (const auto& alias : page["Aliases"]) out.push_back(alias["Name"]);
    return out;
  };
  // Only the aliases whose version is the one asked for (list_aliases_for_version).
  EXPECT_EQ(names(lambda().list_aliases({{"FunctionName", "la"}, {"FunctionVersion", "1"}})),
            names(recording("TestLambdaAlias::test_alias_lifecycle", "list_aliases_for_version")));

  const json first = lambda().list_aliases({{"FunctionName", "la"}, {"MaxItems", 3}});
  EXPECT_EQ(names(first),
            (std::vector<std::string>{"aliasname1_1", "aliasname1_2", "aliasname1_3"}));
  ASSERT_TRUE(first.contains("NextMarker")) << first.dump();
  const json second =
      lambda().list_aliases({{"FunctionName", "la"}, {"Marker", first["NextMarker"]}});
  EXPECT_EQ(names(second), std::vector<std::string>{"aliasname2"});
  EXPECT_FALSE(second.contains("NextMarker"));
  EXPECT_EQ(lambda().list_all_aliases("la"), listed["Aliases"]);

  lambda().delete_alias({{"FunctionName", "la"}, {"Name", "aliasname1_1"}});
  EXPECT_EQ(names(lambda().list_aliases({{"FunctionName", "la"}})),
            names(recording("TestLambdaAlias::test_alias_lifecycle",
                            "list_aliases_for_fnname_afterdelete")));

  const auto missing = error_of([&] { lambda().list_aliases({{"FunctionName", "nope"}}); });
  EXPECT_EQ(missing.http_status(), 404);
  EXPECT_EQ(missing.message(), "Function not found: " + kArn + "nope");
  const auto zero = error_of([&] {
    lambda().list_aliases({{"FunctionName", "la"}, {"MaxItems", 0}});
  });
  EXPECT_EQ(zero.code(), "ValidationException");
}

// AWS's message with the recording's placeholders filled for function `name` here.
std::string local_message(std::string message, const std::string& name) {
  const std::string arn = "arn:<partition>:lambda:<region>:111111111111:function:";
  if (auto at = message.find(arn); at != std::string::npos) message.replace(at, arn.size(), kArn);
  if (auto at = message.find("<function-name:1>"); at != std::string::npos)
    message.replace(at, std::string("<function-name:1>").size(), name);
  return message;
}

TEST_F(LambdaServiceTest, ProvisionedConcurrencyErrorsAreAwss) {
  create("pc");
  lambda().publish_version({{"FunctionName", "pc"}});
  lambda().create_alias({{"FunctionName", "pc"}, {"Name", "LIVE"}, {"FunctionVersion", "1"}});
  auto put = [&](const std::string& function, const std::string& qualifier, int count) {
    return [=, this] {
      lambda().put_provisioned_concurrency_config({{"FunctionName", function},
                                                   {"Qualifier", qualifier},
                                                   {"ProvisionedConcurrentExecutions", count}});
    };
  };
  auto get = [&](const std::string& function, const std::string& qualifier) {
    return [=, this] {
      lambda().get_provisioned_concurrency_config(
          {{"FunctionName", function}, {"Qualifier", qualifier}});
    };
  };
  auto remove = [&](const std::string& function, const std::string& qualifier) {
    return [=, this] {
      lambda().delete_provisioned_concurrency_config(
          {{"FunctionName", function}, {"Qualifier", qualifier}});
    };
  };
  // TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions, case by case.
  struct Case {
    const char* recorded;
    int status;
    std::function<void()> call;
  };
  const std::vector<Case> cases = {
      {"get_provisioned_config_doesnotexist", 404, get("pc", "1")},
      {"get_provisioned_functionname_doesnotexist", 404, get("doesnotexist", "noalias")},
      {"get_provisioned_qualifier_doesnotexist", 404, get("pc", "noalias")},
      {"get_provisioned_version_doesnotexist", 404, get("pc", "10")},
      {"get_provisioned_latest", 400, get("pc", "$LATEST")},
      {"delete_provisioned_functionname_doesnotexist", 404, remove("doesnotexist", "1")},
      {"delete_provisioned_qualifier_doesnotexist", 404, remove("pc", "noalias")},
      {"delete_provisioned_version_doesnotexist", 404, remove("pc", "10")},
      {"delete_provisioned_latest", 400, remove("pc", "$LATEST")},
      {"put_provisioned_invalid_param_0", 400, put("pc", "1", 0)},
      {"put_provisioned_functionname_doesnotexist_alias", 404, put("doesnotexist", "noalias", 1)},
      {"put_provisioned_functionname_doesnotexist_version", 404, put("doesnotexist", "1", 1)},
      {"put_provisioned_qualifier_doesnotexist", 404, put("pc", "doesnotexist", 1)},
      {"put_provisioned_version_doesnotexist", 404, put("pc", "10", 1)},
      {"put_provisioned_latest", 400, put("pc", "$LATEST", 1)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.recorded);
    const json aws = recording(
        "TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions", c.recorded);
    const auto error = error_of(c.call);
    EXPECT_EQ(error.http_status(), c.status);
    EXPECT_EQ(error.code(), aws["Error"]["Code"]);
    EXPECT_EQ(error.message(), local_message(aws["Error"]["Message"], "pc"));
  }
  // Deleting a config that is not there answers 204 (delete_provisioned_config_doesnotexist).
  EXPECT_NO_THROW(remove("pc", "1")());
  // The client's convenience tells "no config" from other errors.
  EXPECT_FALSE(lambda().find_provisioned_concurrency_config("pc", "LIVE").has_value());
  EXPECT_EQ(
      error_of([&] { (void)lambda().find_provisioned_concurrency_config("pc", "nope"); }).code(),
      "ResourceNotFoundException");
  // Locally a function's configs may keep at most the executor's instances per function.
  const auto too_many = error_of(put("pc", "LIVE", 101));
  EXPECT_EQ(too_many.code(), "InvalidParameterValueException");
  EXPECT_EQ(too_many.message(),
            "Specified ConcurrentExecutions for function is greater than account's unreserved "
            "concurrency [100].");
  // An alias on $LATEST runs an unpublished version.
  lambda().create_alias({{"FunctionName", "pc"}, {"Name", "DEV"}, {"FunctionVersion", "$LATEST"}});
  EXPECT_EQ(error_of(put("pc", "DEV", 1)).message(),
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
}

TEST_F(LambdaSettlingTest, ProvisionedConcurrencyLifecycleAsAws) {
  create("pcl");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // Pending → Active
  lambda().publish_version({{"FunctionName", "pcl"}});
  lambda().create_alias({{"FunctionName", "pcl"}, {"Name", "LIVE"}, {"FunctionVersion", "1"}});
  const std::string lifecycle =
      "TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle";
  auto config = [](const std::string& qualifier, int count = 0) {
    json input = {{"FunctionName", "pcl"}, {"Qualifier", qualifier}};
    if (count > 0) input["ProvisionedConcurrentExecutions"] = count;
    return input;
  };

  const json on_version = lambda().put_provisioned_concurrency_config(config("1", 1));
  const json aws_put = recording(lifecycle, "put_provisioned_on_version");
  EXPECT_EQ(keys_of(on_version), keys_of(aws_put));
  for (const char* member :
       {"AllocatedProvisionedConcurrentExecutions", "AvailableProvisionedConcurrentExecutions",
        "RequestedProvisionedConcurrentExecutions", "Status"})
    EXPECT_EQ(on_version[member], aws_put[member]) << member;
  EXPECT_TRUE(std::regex_match(on_version["LastModified"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000)")))
      << on_version["LastModified"];
  EXPECT_EQ(executor->provisioned_counts("pcl"), (std::map<std::string, int>{{"1", 1}}));

  // A version and an alias on it cannot both have one.
  const auto alias_conflict =
      error_of([&] { lambda().put_provisioned_concurrency_config(config("LIVE", 1)); });
  EXPECT_EQ(alias_conflict.http_status(), 409);
  EXPECT_EQ(alias_conflict.message(),
            recording(lifecycle, "put_provisioned_on_alias_versionconflict")["Error"]["Message"]);
  lambda().delete_provisioned_concurrency_config(config("1"));
  const auto after_delete =
      error_of([&] { lambda().get_provisioned_concurrency_config(config("1")); });
  EXPECT_EQ(after_delete.http_status(), 404);
  EXPECT_EQ(after_delete.code(), "ProvisionedConcurrencyConfigNotFoundException");
  EXPECT_EQ(after_delete.message(), "No Provisioned Concurrency Config found for this function");
  EXPECT_TRUE(executor->provisioned_counts("pcl").empty());

  const json on_alias = lambda().put_provisioned_concurrency_config(config("LIVE", 2));
  EXPECT_EQ(on_alias["Status"], "IN_PROGRESS");
  EXPECT_EQ(on_alias["AllocatedProvisionedConcurrentExecutions"], 0);
  EXPECT_EQ(executor->provisioned_counts("pcl"), (std::map<std::string, int>{{"1", 2}}));
  const auto version_conflict =
      error_of([&] { lambda().put_provisioned_concurrency_config(config("1", 1)); });
  EXPECT_EQ(version_conflict.http_status(), 409);
  EXPECT_EQ(version_conflict.message(),
            recording(lifecycle, "put_provisioned_on_version_conflict")["Error"]["Message"]);

  // IN_PROGRESS for the settle delay, then READY with all of it allocated and available
  // (TestLambdaConcurrency::test_provisioned_concurrency_on_alias: prewait, postwait).
  EXPECT_EQ(lambda().get_provisioned_concurrency_config(config("LIVE"))["Status"], "IN_PROGRESS");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const json ready = lambda().get_provisioned_concurrency_config(config("LIVE"));
  EXPECT_EQ(ready, json({{"AllocatedProvisionedConcurrentExecutions", 2},
                         {"AvailableProvisionedConcurrentExecutions", 2},
                         {"RequestedProvisionedConcurrentExecutions", 2},
                         {"Status", "READY"},
                         {"LastModified", on_alias["LastModified"]}}));
  EXPECT_EQ(lambda().find_provisioned_concurrency_config("pcl", "LIVE"), ready);

  // Deleting the alias deletes its config (get_provisioned_alias_postaliasdelete).
  lambda().delete_alias({{"FunctionName", "pcl"}, {"Name", "LIVE"}});
  const auto alias_gone =
      error_of([&] { lambda().get_provisioned_concurrency_config(config("LIVE")); });
  EXPECT_EQ(alias_gone.code(), "ResourceNotFoundException");
  EXPECT_EQ(alias_gone.message(), "Cannot find alias arn: " + kArn + "pcl:LIVE");
  EXPECT_TRUE(executor->provisioned_counts("pcl").empty());
}

TEST_F(LambdaServiceTest, ProvisionedInstancesFollowTheAliasAndSurviveARestart) {
  create("pcw");
  lambda().publish_version({{"FunctionName", "pcw"}});
  lambda().update_function_configuration({{"FunctionName", "pcw"}, {"Timeout", 8}});
  lambda().publish_version({{"FunctionName", "pcw"}});
  lambda().create_alias({{"FunctionName", "pcw"},
                         {"Name", "LIVE"},
                         {"FunctionVersion", "1"},
                         {"RoutingConfig", {{"AdditionalVersionWeights", {{"2", 0.25}}}}}});
  lambda().put_provisioned_concurrency_config(
      {{"FunctionName", "pcw"}, {"Qualifier", "LIVE"}, {"ProvisionedConcurrentExecutions", 4}});
  // A canary alias shares its instances out by the weights.
  EXPECT_EQ(executor->provisioned_counts("pcw"), (std::map<std::string, int>{{"1", 3}, {"2", 1}}));
  ASSERT_EQ(executor->provisioned["pcw"].size(), 2u);
  EXPECT_EQ(executor->provisioned["pcw"][0].image.function_name, "pcw");
  EXPECT_EQ(executor->provisioned["pcw"][1].image.timeout_s, 8);

  // Promoted: all of them run the new version, and the config is brought up again.
  lambda().update_alias({{"FunctionName", "pcw"},
                         {"Name", "LIVE"},
                         {"FunctionVersion", "2"},
                         {"RoutingConfig", {{"AdditionalVersionWeights", json::object()}}}});
  EXPECT_EQ(executor->provisioned_counts("pcw"), (std::map<std::string, int>{{"2", 4}}));

  // A change of $LATEST retires the function's instances; the provisioned ones come back.
  lambda().update_function_configuration({{"FunctionName", "pcw"}, {"Timeout", 9}});
  EXPECT_EQ(executor->retired.back(), "pcw");
  EXPECT_EQ(executor->provisioned_counts("pcw"), (std::map<std::string, int>{{"2", 4}}));

  // After a restart the kept config asks for its instances again.
  executor->provisioned.clear();
  endpoint.reset();
  open(std::chrono::milliseconds(0));
  EXPECT_EQ(executor->provisioned_counts("pcw"), (std::map<std::string, int>{{"2", 4}}));
  EXPECT_EQ(lambda().get_provisioned_concurrency_config(
                {{"FunctionName", "pcw"}, {"Qualifier", "LIVE"}})["Status"],
            "READY");

  // Deleting the version the config names deletes the config; deleting the function, all.
  lambda().put_provisioned_concurrency_config(
      {{"FunctionName", "pcw"}, {"Qualifier", "1"}, {"ProvisionedConcurrentExecutions", 1}});
  lambda().delete_function({{"FunctionName", "pcw"}, {"Qualifier", "1"}});
  EXPECT_EQ(executor->provisioned_counts("pcw"), (std::map<std::string, int>{{"2", 4}}));
  lambda().delete_function({{"FunctionName", "pcw"}});
  EXPECT_TRUE(executor->provisioned_counts("pcw").empty());
}

}  // namespace
}  // namespace ld::local
