// The local endpoint's HTTP front door against hostile and careless clients, through a real
// ld::local::Endpoint on loopback: slow clients that must not starve others, Hosts it does not
// serve (DNS rebinding), bodies refused from the request's head before they are read, AWS's
// 6 MB payload limit on Invoke and Function URLs, and query bodies larger than cpp-httplib's
// 8 KB form limit that the real AWS CLI sends.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/s3.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"
#include "deploy/package/zip_writer.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/aws_cli.hpp"
#include "support/conformance.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/script_function.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// A raw TCP connection to the endpoint, for what no well-behaved client sends.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool send(std::string_view text) const {
    return ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
  }
  // What the endpoint sent within `wait` (until it closed, or went quiet after answering).
  std::string receive(std::chrono::milliseconds wait) const {
    std::string got;
    const auto until = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < until) {
      pollfd p{fd_, POLLIN, 0};
      const int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            until - std::chrono::steady_clock::now())
                                            .count());
      if (::poll(&p, 1, std::max(1, left)) <= 0) break;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
      if (got.find("\r\n\r\n") != std::string::npos && wait > 500ms) {
        // The head is in; give the body a moment, then stop.
        pollfd more{fd_, POLLIN, 0};
        if (::poll(&more, 1, 200) <= 0) break;
      }
    }
    return got;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class HostileClients : public ::testing::Test {
 protected:
  void SetUp() override {
    EndpointOptions options = ld::test::loopback_endpoint_options(dir_.path() / "data");
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }

  aws::ClientConfig config() const { return test::client_config(endpoint_->url()); }
  aws::LambdaClient lambda() const { return aws::LambdaClient(config()); }

  // A GET of `path` with the given Host header, through the project's HTTP transport.
  HttpResponse get(const std::string& host, const std::string& path) const {
    HttpRequest request;
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = endpoint_->port();
    request.path = path;
    request.headers.set("Host", host);
    return transport_->send(request);
  }

  // Creates a function answering {"ok":true} with a public Function URL; returns the URL's host.
  std::string function_with_url(const std::string& name) {
    ld::test::create_script_function(lambda(), dir_.path(), name,
                                     test::tutorial_bootstrap("", "respond '{\"ok\":true}'"));
    return ld::test::function_url_host(ld::test::public_function_url(lambda(), name));
  }

  ld::test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
  std::shared_ptr<Transport> transport_ = make_socket_transport();
};

TEST_F(HostileClients, SlowClientsDoNotStarveTheHealthRouteOrOtherCallers) {
  // More slow clients than the 256 workers the endpoint used to have, each sending one header
  // line now and then: they must hold nothing another client needs.
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  const int wanted = 600;  // 1,200 descriptors in this one process (both ends)
  const int clients = static_cast<int>(
      std::min<rlim_t>(wanted, files.rlim_cur > 200 ? (files.rlim_cur - 200) / 2 : 0));
  ASSERT_GE(clients, 300) << "the descriptor limit (" << files.rlim_cur
                          << ") leaves too few for more slow clients than the old 256 workers";
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < clients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(endpoint_->port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->send("GET /_lambdeploy/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  std::this_thread::sleep_for(300ms);
  for (auto& c : slow) c->send("X-Slow: 1\r\n");

  const auto asked = std::chrono::steady_clock::now();
  HttpResponse health = get("127.0.0.1", "/_lambdeploy/health");
  const auto took = std::chrono::steady_clock::now() - asked;
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find("running"), std::string::npos);
  // Generous (a loaded CI machine); before, this request waited for as long as the slow
  // clients stayed connected.
  EXPECT_LT(took, 5s);
  // And an AWS API call goes through too (the function does not exist: an answer all the same).
  EXPECT_THROW(lambda().get_function({{"FunctionName", "absent"}}), aws::AwsError);
}

TEST_F(HostileClients, AnotherHostIsRefusedAndLoopbackNamesAreServed) {
  HttpResponse rebound = get("evil.example:4566", "/_lambdeploy/health");
  EXPECT_EQ(rebound.status, 403);
  EXPECT_NE(rebound.body.find("evil.example"), std::string::npos) << rebound.body;
  EXPECT_NE(rebound.body.find("--allow-host"), std::string::npos) << rebound.body;
  // A Function URL under a name that is not ours is refused before it reaches the function.
  EXPECT_EQ(get("abc.lambda-url.us-east-1.on.aws", "/").status, 403);
  for (const std::string host : {"localhost", "127.0.0.1", "[::1]", "s3.localhost"}) {
    EXPECT_EQ(get(host + ":" + std::to_string(endpoint_->port()), "/_lambdeploy/health").status,
              200)
        << host;
  }
}

TEST(HostileClientsAllowHost, ANameGivenToTheEndpointIsServed) {
  ld::test::TempDir dir;
  EndpointOptions options;
  options.server.port = 0;
  options.server.allowed_hosts = {"dev.example"};
  options.data_dir = dir.path() / "data";
  Endpoint endpoint(options);
  endpoint.start();
  auto transport = make_socket_transport();
  HttpRequest request;
  request.scheme = "http";
  request.host = "127.0.0.1";
  request.port = endpoint.port();
  request.path = "/_lambdeploy/health";
  request.headers.set("Host", "dev.example:" + std::to_string(endpoint.port()));
  EXPECT_EQ(transport->send(request).status, 200);
  request.headers.set("Host", "other.example");
  EXPECT_EQ(transport->send(request).status, 403);
}

TEST(HostileClientsBodies, BodiesPastWhatTheEndpointHoldsAtOnceAreThrottled) {
  // Held bodies are bounded together: a signed upload that would take them past the limit (1 MB
  // here, 1 GB by default) gets S3's SlowDown, which SDKs retry; one within it is stored.
  ld::test::TempDir dir;
  EndpointOptions options;
  options.server.port = 0;
  options.server.bodies_in_flight_limit = 1024 * 1024;
  options.data_dir = dir.path() / "data";
  Endpoint endpoint(options);
  endpoint.start();
  aws::ClientConfig config = test::client_config(endpoint.url());
  config.retry.max_attempts = 1;
  aws::S3Client s3(config);
  s3.create_bucket({{"Bucket", "held"}});
  EXPECT_NO_THROW(s3.put_object({{"Bucket", "held"}, {"Key", "small"}}, std::string(4096, 's')));
  try {
    s3.put_object({{"Bucket", "held"}, {"Key", "big"}}, std::string(2 * 1024 * 1024, 'b'));
    FAIL() << "a 2 MB body was held past a 1 MB limit";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "SlowDown");
    EXPECT_EQ(e.http_status(), 503);
  }
  // What it held is given back: the next small one goes through.
  EXPECT_NO_THROW(s3.put_object({{"Bucket", "held"}, {"Key", "again"}}, std::string(4096, 'a')));
}

TEST_F(HostileClients, AnUnsignedBigBodyIsRefusedBeforeItIsSent) {
  // A web page's cross-site POST: text/plain, no signature, a body announced at 500 MB. The
  // answer comes from the head alone; not a byte of the body is sent.
  RawConnection page(endpoint_->port());
  ASSERT_TRUE(page.connected());
  ASSERT_TRUE(
      page.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                "Content-Length: 524288000\r\n\r\n"));
  const std::string answer = page.receive(3s);
  ASSERT_FALSE(answer.empty()) << "no answer before the body";
  EXPECT_EQ(answer.rfind("HTTP/1.1 4", 0), 0u) << answer;
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer;

  // Also when it asks first (Expect: 100-continue): refused, never invited to send.
  RawConnection asking(endpoint_->port());
  ASSERT_TRUE(
      asking.send("PUT /bucket/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 524288000\r\n"
                  "Expect: 100-continue\r\n\r\n"));
  const std::string refused = asking.receive(3s);
  EXPECT_EQ(refused.rfind("HTTP/1.1 403", 0), 0u) << refused;
  EXPECT_EQ(refused.find("100 Continue"), std::string::npos) << refused;
}

TEST_F(HostileClients, AForgedSignatureOnABigBodyIsRefusedBeforeTheBody) {
  // Signed with a key the endpoint knows but the wrong secret: S3 signs the payload hash as a
  // header, so the head alone shows the signature is wrong.
  const std::string date = format_amz_date(system_now());
  const std::string credential = "test/" + date.substr(0, 8) + "/us-east-1/s3/aws4_request";
  RawConnection upload(endpoint_->port());
  ASSERT_TRUE(
      upload.send("PUT /bucket/big HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  "x-amz-date: " +
                  date +
                  "\r\n"
                  "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n"
                  "Authorization: AWS4-HMAC-SHA256 Credential=" +
                  credential + ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
                  std::string(64, '0') + "\r\nContent-Length: 524288000\r\n\r\n"));
  const std::string refused = upload.receive(3s);
  EXPECT_EQ(refused.rfind("HTTP/1.1 403", 0), 0u) << refused;
  EXPECT_NE(refused.find("SignatureDoesNotMatch"), std::string::npos) << refused;

  // Outside S3 the signature covers the body's hash, but an unknown key shows at once.
  RawConnection create(endpoint_->port());
  ASSERT_TRUE(
      create.send("POST /2015-03-31/functions HTTP/1.1\r\nHost: 127.0.0.1\r\nx-amz-date: " + date +
                  "\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDFORGED/" + date.substr(0, 8) +
                  "/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
                  std::string(64, '0') + "\r\nContent-Length: 60000000\r\n\r\n"));
  const std::string unknown = create.receive(3s);
  EXPECT_EQ(unknown.rfind("HTTP/1.1 403", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("UnrecognizedClientException"), std::string::npos) << unknown;
}

TEST_F(HostileClients, InvokeAndFunctionUrlPayloadsOverSixMegabytesAreRefusedAsAwsRefusesThem) {
  const std::string host = function_with_url("big");
  const std::string seven_mb = "\"" + std::string(7 * 1024 * 1024, 'x') + "\"";
  try {
    lambda().invoke({{"FunctionName", "big"}}, seven_mb);
    FAIL() << "a 7 MB payload was invoked";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.http_status(), 413);
    EXPECT_EQ(e.code(), "RequestTooLargeException");
    EXPECT_NE(std::string(e.what()).find("6291456"), std::string::npos) << e.what();
  }
  // Just under the limit still runs.
  EXPECT_EQ(
      lambda().invoke({{"FunctionName", "big"}}, "\"" + std::string(1 << 20, 'x') + "\"").status,
      200);

  HttpRequest post;
  post.method = "POST";
  post.scheme = "http";
  post.host = "127.0.0.1";
  post.port = endpoint_->port();
  post.path = "/";
  post.headers.set("Host", host + ":" + std::to_string(endpoint_->port()));
  post.body = seven_mb;
  HttpResponse response = transport_->send(post);
  EXPECT_EQ(response.status, 413) << response.body;
  EXPECT_NE(response.body.find("6291456"), std::string::npos) << response.body;
  post.body = "{}";
  EXPECT_EQ(transport_->send(post).status, 200);
}

TEST_F(HostileClients, QueryBodiesOverEightKilobytesFromTheAwsCliAreServed) {
  if (!test::aws_cli_available()) GTEST_SKIP() << "no /usr/bin/aws (Debian's awscli) here";
  const std::string url = endpoint_->url();
  const json trust = {{"Version", "2012-10-17"},
                      {"Statement",
                       {{{"Effect", "Allow"},
                         {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                         {"Action", "sts:AssumeRole"}}}}};
  ASSERT_EQ(test::run_aws_cli(url, {"iam", "create-role", "--role-name", "big-policy",
                                    "--assume-role-policy-document", trust.dump()})
                .exit_code,
            0);
  // A 5.5 KB inline policy: about 8 KB once form-encoded.
  json statements = json::array();
  for (int i = 0; i < 52; ++i) {
    statements.push_back({{"Effect", "Allow"},
                          {"Action", {"s3:GetObject", "s3:PutObject"}},
                          {"Resource", "arn:aws:s3:::bucket-number-" + std::to_string(i) + "/*"}});
  }
  const std::string policy = json{{"Version", "2012-10-17"}, {"Statement", statements}}.dump();
  ASSERT_GT(policy.size(), 5000u);
  test::AwsCliRun put =
      test::run_aws_cli(url, {"iam", "put-role-policy", "--role-name", "big-policy",
                              "--policy-name", "wide", "--policy-document", policy});
  EXPECT_EQ(put.exit_code, 0) << put.err;
  test::AwsCliRun got = test::run_aws_cli(
      url, {"iam", "get-role-policy", "--role-name", "big-policy", "--policy-name", "wide"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_EQ(got.json()["PolicyDocument"], json::parse(policy));

  // 100 data points in one PutMetricData (about 15 KB of form).
  json data = json::array();
  for (int i = 0; i < 100; ++i)
    data.push_back({{"MetricName", "Load"}, {"Value", i}, {"Unit", "Count"}});
  const fs::path file = dir_.path() / "metrics.json";
  std::ofstream(file) << data.dump();
  test::AwsCliRun metrics =
      test::run_aws_cli(url, {"cloudwatch", "put-metric-data", "--namespace", "Hostile",
                              "--metric-data", "file://" + file.string()});
  EXPECT_EQ(metrics.exit_code, 0) << metrics.err;
}

}  // namespace
}  // namespace ld::local
