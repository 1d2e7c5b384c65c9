// The client's call loop against a real HTTP server on loopback: retries, back-off, clock skew,
// signing on every attempt, and where requests go (S3 virtual-hosted or path style).
#include "aws/client.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "aws/error.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"
#include "support/loopback_server.hpp"

namespace ld::aws {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;
using test::Step;

// A tiny rest-json service of our own.
const ServiceInfo kToy{.id = "Toy",
                       .endpoint_prefix = "toy",
                       .signing_name = "toy",
                       .api_version = "2020-01-01",
                       .protocol = Protocol::RestJson,
                       .env_name = "TOY",
                       .config_key = "toy"};

const Operation kGetThing{.name = "GetThing",
                          .method = "GET",
                          .uri = "/2020-01-01/things/{Name}",
                          .input = {{"Name", Location::Uri}}};

const Operation kPutThing{.name = "PutThing",
                          .method = "PUT",
                          .uri = "/2020-01-01/things/{Name}",
                          .input = {{"Name", Location::Uri}}};

// A rest-xml service shaped like S3, for addressing.
const ServiceInfo kBlobs{.id = "S3",
                         .endpoint_prefix = "s3",
                         .signing_name = "s3",
                         .api_version = "2006-03-01",
                         .protocol = Protocol::RestXml,
                         .env_name = "S3",
                         .config_key = "s3"};

const Operation kPutObject{
    .name = "PutObject",
    .method = "PUT",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri}, {"Key", Location::Uri}, {"Body", Location::Payload}}};

const Operation kListBuckets{.name = "ListBuckets", .method = "GET", .uri = "/"};

// Fixed keys; counts how often the client asked.
class FixedKeys : public CredentialsProvider {
 public:
  Credentials credentials() override {
    ++calls;
    return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt, "test"};
  }
  int calls = 0;
};

// Passes requests on and counts them (for failures no server sees).
class CountingTransport : public Transport {
 public:
  explicit CountingTransport(std::shared_ptr<Transport> inner) : inner_(std::move(inner)) {}
  HttpResponse send(const HttpRequest& request) override {
    ++sends;
    return inner_->send(request);
  }
  std::atomic<int> sends{0};

 private:
  std::shared_ptr<Transport> inner_;
};

// A clock that moves one second each time it is read, from a whole second near now.
NowFn ticking_clock(Timestamp start) {
  auto t = std::make_shared<Timestamp>(start);
  return [t] {
    *t += 1s;
    return *t;
  };
}

Timestamp whole_second_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(system_now());
}

ClientConfig config_for(const LoopbackServer& server, int max_attempts) {
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = Endpoint::parse(server.url());
  c.custom_endpoint = true;
  c.credentials = std::make_shared<FixedKeys>();
  c.transport = make_curl_transport();
  c.retry.max_attempts = max_attempts;
  c.retry.base_delay = 10ms;
  c.retry.max_backoff = 40ms;
  return c;
}

test::HeaderFields error_type(const std::string& code) {
  return {{"X-Amzn-ErrorType", code}, {"Content-Type", "application/json"}};
}

Call thing(const std::string& name) {
  Call c;
  c.input = {{"Name", name}};
  return c;
}

std::string header_or_empty(const test::ReceivedRequest& r, std::string_view name) {
  return r.header(name).value_or("");
}

TEST(ClientRetry, RetriesThrottlingServerErrorsResetAndConflictUntilSuccess) {
  LoopbackServer server;
  server.script({
      Step::respond(429, R"({"message":"Rate exceeded"})", error_type("TooManyRequestsException")),
      Step::respond(500, R"({"message":"oops"})", error_type("ServiceException")),
      // The connection is closed after this answer so that the reset below lands on a new one
      // (libcurl resends by itself when a reused connection is reset, see loopback_server.hpp).
      Step::respond(503, "", {{"Connection", "close"}}),
      Step::reset(),
      Step::respond(
          409,
          R"({"message":"The operation cannot be performed at this time. An update is )"
          R"(in progress for resource: arn:aws:lambda:us-east-1:123456789012:function:f"})",
          error_type("ResourceConflictException")),
      Step::respond(200, R"({"Name":"widget","Size":3})", {{"x-amzn-RequestId", "rid-6"}}),
  });
  ClientConfig config = config_for(server, 6);
  config.now = ticking_clock(whole_second_now());
  auto keys = std::static_pointer_cast<FixedKeys>(config.credentials);
  Client client(kToy, config);

  auto start = std::chrono::steady_clock::now();
  Result result = client.call(kGetThing, thing("widget"));
  auto elapsed = std::chrono::steady_clock::now() - start;

  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.output["Name"], "widget");
  EXPECT_EQ(result.output["Size"], 3);
  auto got = server.requests();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(keys->calls, 6);  // credentials asked for on every attempt

  std::set<std::string> signatures, dates;
  const std::string invocation = header_or_empty(got[0], "amz-sdk-invocation-id");
  EXPECT_TRUE(std::regex_match(
      invocation,
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
      << invocation;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto& r = got[i];
    EXPECT_EQ(r.path, "/2020-01-01/things/widget");
    EXPECT_EQ(header_or_empty(r, "User-Agent"), "lambdeploy/0.1");
    EXPECT_EQ(header_or_empty(r, "amz-sdk-invocation-id"), invocation);
    EXPECT_EQ(header_or_empty(r, "amz-sdk-request"),
              "attempt=" + std::to_string(i + 1) + "; max=6");
    std::string auth = header_or_empty(r, "Authorization");
    EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")) << auth;
    EXPECT_NE(auth.find("/us-east-1/toy/aws4_request"), std::string::npos) << auth;
    EXPECT_EQ(r.header_count("Authorization"), 1u);
    signatures.insert(auth);
    dates.insert(header_or_empty(r, "X-Amz-Date"));
  }
  EXPECT_EQ(signatures.size(), 6u);  // signed again for every attempt
  EXPECT_EQ(dates.size(), 6u);       // with that attempt's time

  // Back-off between attempts: full jitter under min(40 ms, 10 ms * 2^(n-1)), plus the round
  // trip (loopback, a loaded machine: generous slack).
  const long long ceilings[] = {10, 20, 40, 40, 40};
  long long total_cap = 0;
  for (std::size_t i = 1; i < got.size(); ++i) {
    auto gap =
        std::chrono::duration_cast<std::chrono::milliseconds>(got[i].arrived - got[i - 1].arrived);
    EXPECT_GE(gap.count(), 0);
    EXPECT_LE(gap.count(), ceilings[i - 1] + 150) << "between attempts " << i << " and " << i + 1;
    total_cap += ceilings[i - 1];
  }
  EXPECT_LT(elapsed, std::chrono::milliseconds(total_cap + 500));
}

TEST(ClientRetry, LastFailureIsThrownWhenAttemptsRunOut) {
  LoopbackServer server;
  server.script({
      Step::respond(500, R"({"message":"one"})", error_type("ServiceException")),
      Step::respond(429, R"({"message":"two"})", error_type("TooManyRequestsException")),
      Step::respond(503, R"({"message":"three"})", error_type("ServiceUnavailableException")),
      Step::respond(200, "{}"),
  });
  Client client(kToy, config_for(server, 3));
  try {
    client.call(kGetThing, thing("w"));
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ServiceUnavailableException");
    EXPECT_EQ(e.message(), "three");
    EXPECT_EQ(e.http_status(), 503);
    EXPECT_EQ(e.operation(), "GetThing");
  }
  EXPECT_EQ(server.request_count(), 3u);
}

TEST(ClientRetry, ValidationErrorIsNotRetried) {
  LoopbackServer server;
  server.script({
      Step::respond(400, R"({"message":"1 validation error detected"})",
                    error_type("ValidationException")),
      Step::respond(200, "{}"),
  });
  Client client(kToy, config_for(server, 6));
  try {
    client.call(kGetThing, thing("w"));
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationException");
    EXPECT_EQ(e.http_status(), 400);
  }
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ClientRetry, ResourceConflictThatAlreadyExistsIsNotRetried) {
  LoopbackServer server;
  server.script({
      Step::respond(409, R"({"message":"Function already exist: f"})",
                    error_type("ResourceConflictException")),
      Step::respond(200, "{}"),
  });
  Client client(kToy, config_for(server, 6));
  EXPECT_THROW(client.call(kGetThing, thing("f")), AwsError);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(ClientRetry, ClockSkewIsCorrectedFromTheServerDateAndRetriedOnce) {
  LoopbackServer server;
  const Timestamp local = whole_second_now();
  const Timestamp server_time = local + 1h;
  server.script({
      Step::respond(403, R"({"message":"Signature expired"})",
                    {{"X-Amzn-ErrorType", "InvalidSignatureException"},
                     {"Date", format_http_date(server_time)}}),
      Step::respond(200, R"({"Name":"w"})"),
      Step::respond(200, R"({"Name":"w"})"),
  });
  ClientConfig config = config_for(server, 3);
  config.now = [local] { return local; };
  Client client(kToy, config);

  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.call(kGetThing, thing("w")).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(client.clock_offset(), std::chrono::milliseconds(1h));
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].header("X-Amz-Date"), format_amz_date(local));
  EXPECT_EQ(got[1].header("X-Amz-Date"), format_amz_date(server_time));
  EXPECT_NE(got[0].header("Authorization"), got[1].header("Authorization"));

  // The next call starts from the corrected clock.
  client.call(kGetThing, thing("w"));
  ASSERT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.requests()[2].header("X-Amz-Date"), format_amz_date(server_time));
}

TEST(ClientRetry, SignatureErrorWithAgreeingClocksIsNotRetried) {
  LoopbackServer server;
  const Timestamp now = whole_second_now();
  server.script({
      Step::respond(403, R"({"message":"The request signature we calculated does not match"})",
                    {{"X-Amzn-ErrorType", "InvalidSignatureException"},
                     {"Date", format_http_date(now + 30s)}}),
      Step::respond(200, "{}"),
  });
  ClientConfig config = config_for(server, 3);
  config.now = [now] { return now; };
  Client client(kToy, config);
  try {
    client.call(kGetThing, thing("w"));
    FAIL() << "expected an AwsError";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "InvalidSignatureException");
  }
  EXPECT_EQ(server.request_count(), 1u);
  EXPECT_EQ(client.clock_offset(), 0ms);
}

TEST(ClientRetry, RepeatedClockSkewIsCorrectedOnlyOnce) {
  LoopbackServer server;
  const Timestamp local = whole_second_now();
  server.script({
      Step::respond(403, "{}",
                    {{"X-Amzn-ErrorType", "InvalidSignatureException"},
                     {"Date", format_http_date(local + 1h)}}),
      Step::respond(403, "{}",
                    {{"X-Amzn-ErrorType", "InvalidSignatureException"},
                     {"Date", format_http_date(local - 1h)}}),
      Step::respond(200, "{}"),
  });
  ClientConfig config = config_for(server, 5);
  config.now = [local] { return local; };
  Client client(kToy, config);
  EXPECT_THROW(client.call(kGetThing, thing("w")), AwsError);
  EXPECT_EQ(server.request_count(), 2u);
}

TEST(ClientRetry, RetryAfterIsWaitedFor) {
  LoopbackServer server;
  server.script({
      Step::respond(503, R"({"message":"slow down"})",
                    {{"X-Amzn-ErrorType", "ServiceUnavailableException"}, {"Retry-After", "1"}}),
      Step::respond(200, "{}"),
  });
  ClientConfig config = config_for(server, 3);
  config.retry.base_delay = 1ms;
  config.retry.max_backoff = 5s;
  Client client(kToy, config);
  EXPECT_EQ(client.call(kGetThing, thing("w")).status, 200);
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  auto gap = got[1].arrived - got[0].arrived;
  EXPECT_GE(gap, 1000ms);
  EXPECT_LT(gap, 1500ms);
}

TEST(ClientRetry, RefusedConnectionsAreRetriedThenThrown) {
  std::string url;
  {
    LoopbackServer gone;
    url = gone.url();
  }  // stopped: nothing listens on that port any more
  ClientConfig config;
  config.region = "us-east-1";
  config.endpoint = Endpoint::parse(url);
  config.custom_endpoint = true;
  auto counting = std::make_shared<CountingTransport>(make_curl_transport());
  config.transport = counting;
  config.retry.max_attempts = 4;
  config.retry.base_delay = 10ms;
  config.retry.max_backoff = 40ms;
  Client client(kToy, config);
  try {
    client.call(kGetThing, thing("w"));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Connect) << e.what();
  }
  EXPECT_EQ(counting->sends.load(), 4);
}

TEST(ClientRetry, UnsignedWithoutCredentials) {
  LoopbackServer server;
  server.script({Step::respond(200, "{}")});
  ClientConfig config = config_for(server, 3);
  config.credentials = nullptr;
  Client client(kToy, config);
  client.call(kGetThing, thing("w"));
  auto r = server.requests().at(0);
  EXPECT_FALSE(r.header("Authorization"));
  EXPECT_FALSE(r.header("X-Amz-Date"));
  EXPECT_EQ(r.header("User-Agent"), "lambdeploy/0.1");
  EXPECT_EQ(r.header("amz-sdk-request"), "attempt=1; max=3");
}

TEST(ClientRetry, EachCallHasItsOwnInvocationId) {
  LoopbackServer server;
  server.script({Step::respond(200, "{}"), Step::respond(200, "{}")});
  Client client(kToy, config_for(server, 3));
  client.call(kGetThing, thing("a"));
  client.call(kGetThing, thing("b"));
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].header("amz-sdk-invocation-id"), got[1].header("amz-sdk-invocation-id"));
}

TEST(ClientRetry, RetriedUploadSendsTheWholeBodyEachTime) {
  LoopbackServer server;
  server.script({Step::respond(500, "{}"), Step::respond(200, "{}")});
  Client client(kToy, config_for(server, 3));
  Call call = thing("w");
  call.input["Config"] = {{"Memory", 512}};
  client.call(kPutThing, call);
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, R"({"Config":{"Memory":512}})");
  EXPECT_EQ(got[1].body, got[0].body);
  EXPECT_EQ(got[1].method, "PUT");
}

// --- Where requests go ---

ClientConfig s3_config(std::string url, bool custom) {
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = Endpoint::parse(url);
  c.custom_endpoint = custom;
  c.transport = make_curl_transport();
  return c;
}

Call object(const std::string& bucket, const std::string& key) {
  Call c;
  c.input = {{"Bucket", bucket}, {"Key", key}};
  c.body = "data";
  return c;
}

TEST(ClientBuild, S3UsesVirtualHostedStyleForDnsCompatibleBuckets) {
  Client client(kBlobs, s3_config("https://s3.us-east-1.amazonaws.com", false));
  HttpRequest r = client.build(kPutObject, object("my-bucket", "lambda-code/f/abc.zip"));
  EXPECT_EQ(r.scheme, "https");
  EXPECT_EQ(r.host, "my-bucket.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.path, "/lambda-code/f/abc.zip");
  EXPECT_EQ(r.method, "PUT");

  r = client.build(kPutObject, object("b12", "k"));
  EXPECT_EQ(r.host, "b12.s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.path, "/k");

  r = client.build(kListBuckets, Call{});
  EXPECT_EQ(r.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.path, "/");
}

TEST(ClientBuild, S3UsesPathStyleWhenTheBucketCannotBeAHostLabel) {
  Client client(kBlobs, s3_config("https://s3.us-east-1.amazonaws.com", false));
  for (const std::string& bucket :
       std::vector<std::string>{"my.bucket", "MyBucket", "ab", std::string(64, 'a'), "-bucket",
                                "bucket-", "my_bucket", "192.168.1.10"}) {
    HttpRequest r = client.build(kPutObject, object(bucket, "k"));
    EXPECT_EQ(r.host, "s3.us-east-1.amazonaws.com") << bucket;
    EXPECT_TRUE(r.path.ends_with("/k")) << bucket;
    EXPECT_EQ(r.path.find("/k"), r.path.size() - 2) << bucket;
  }
  // Dots are fine over plain http (no wildcard certificate to match), but not an IP address.
  Client plain(kBlobs, s3_config("http://s3.example.internal", false));
  EXPECT_EQ(plain.build(kPutObject, object("my.bucket", "k")).host,
            "my.bucket.s3.example.internal");
  EXPECT_EQ(plain.build(kPutObject, object("10.0.0.1", "k")).host, "s3.example.internal");
}

TEST(ClientBuild, S3UsesPathStyleForCustomEndpointsAndWhenForced) {
  Client local(kBlobs, s3_config("http://127.0.0.1:4566/prefix", true));
  HttpRequest r = local.build(kPutObject, object("my-bucket", "a/b.zip"));
  EXPECT_EQ(r.host, "127.0.0.1");
  EXPECT_EQ(r.port, 4566);
  EXPECT_EQ(r.path, "/prefix/my-bucket/a/b.zip");

  ClientConfig forced = s3_config("https://s3.us-east-1.amazonaws.com", false);
  forced.s3_force_path_style = true;
  Client client(kBlobs, forced);
  r = client.build(kPutObject, object("my-bucket", "k"));
  EXPECT_EQ(r.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(r.path, "/my-bucket/k");
}

TEST(ClientBuild, RestJsonPathIsPrefixedWithTheEndpointBasePath) {
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = Endpoint::parse("http://localhost:4566/aws/");
  c.transport = make_curl_transport();
  Client client(kToy, c);
  HttpRequest r = client.build(kGetThing, thing("a b"));
  EXPECT_EQ(r.scheme, "http");
  EXPECT_EQ(r.host, "localhost");
  EXPECT_EQ(r.port, 4566);
  EXPECT_EQ(r.path, "/aws/2020-01-01/things/a%20b");
  EXPECT_FALSE(r.headers.has("Authorization"));  // build() does not sign
}

TEST(ClientBuild, MissingEndpointIsAClearError) {
  ClientConfig c;
  c.region = "us-east-1";
  c.transport = make_curl_transport();
  Client client(kToy, c);
  try {
    client.build(kGetThing, thing("a"));
    FAIL() << "expected an ld::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Toy"), std::string::npos) << e.what();
  }
}

TEST(ClientS3, StreamedUploadOverHttpSignsTheFileHash) {
  auto path =
      std::filesystem::temp_directory_path() / ("ld-client-upload-" + std::to_string(::getpid()));
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 100000; ++i) out << "line " << i << "\n";
  }
  std::string expected = hex_encode(as_chars(sha256_file(path)));
  LoopbackServer server;
  server.script({Step::respond(200, "", {{"ETag", "\"abc\""}})});
  ClientConfig config = s3_config(server.url(), true);
  config.credentials = std::make_shared<FixedKeys>();
  Client client(kBlobs, config);
  Call call;
  call.input = {{"Bucket", "deps"}, {"Key", "lambda-dependencies/dev/libs.zip"}};
  call.body_file = path;
  Result result = client.call(kPutObject, call);
  std::filesystem::remove(path);

  EXPECT_EQ(result.status, 200);
  auto r = server.requests().at(0);
  EXPECT_EQ(r.path, "/deps/lambda-dependencies/dev/libs.zip");
  EXPECT_EQ(r.body_sha256, expected);
  EXPECT_EQ(r.header("x-amz-content-sha256"), expected);  // http: the real hash, not unsigned
  EXPECT_NE(header_or_empty(r, "Authorization").find("/us-east-1/s3/aws4_request"),
            std::string::npos);
}

}  // namespace
}  // namespace ld::aws
