// InvokeWithResponseStream through the whole local endpoint: a function that answers buffered,
// one that streams (sh + curl, chunked, as a streaming runtime posts), one that reports a
// mid-stream error in trailers; bytes reach the caller while the function still runs; limits,
// timeouts, errors before the stream, DryRun, and a caller that goes away.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "aws/error.hpp"
#include "aws/services/lambda.hpp"
#include "core/encoding.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/script_function.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Streams with curl (-T -: a chunked upload of what it reads, as it reads it), or answers.
const std::string kStreamer = test::tutorial_bootstrap(R"SH(
stream() {
  curl -sS -X POST -T - -H 'Lambda-Runtime-Function-Response-Mode: streaming' \
    -H 'Content-Type: application/octet-stream' "$API/invocation/$ID/response" >/dev/null
}
# A mid-stream error: chunked with trailers, which curl cannot send, so python3 writes the HTTP.
stream_then_fail() {
  python3 - "$ID" <<'PY'
import base64, json, os, socket, sys
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
s = socket.create_connection((host, int(port)))
body = base64.b64encode(json.dumps({"errorType": "StreamBroke", "errorMessage": "half way"}).encode()).decode()
s.sendall(("POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: rapi\r\n"
           "Lambda-Runtime-Function-Response-Mode: streaming\r\nTransfer-Encoding: chunked\r\n"
           "Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n\r\n"
           "4\r\nhalf\r\n0\r\nLambda-Runtime-Function-Error-Type: StreamBroke\r\n"
           "Lambda-Runtime-Function-Error-Body: %s\r\n\r\n" % (sys.argv[1], body)).encode())
s.recv(1000)
PY
}
)SH",
                                                       R"SH(
  case "$EVENT" in
    *pause*) { printf 'one'; sleep 2; printf 'two'; } | stream ;;
    *big*) head -c 8000000 /dev/zero | tr '\0' 'x' | stream ;;
    *overtime*) { printf 'early'; sleep 30; } | stream ;;
    *midfail*) stream_then_fail ;;
    *fail*) fail MyError "it broke" ;;
    *) echo "buffered answer"; respond 'buffered' ;;
  esac)SH");

class ResponseStream : public ::testing::Test {
 protected:
  void SetUp() override {
    endpoint_ = std::make_unique<Endpoint>(test::loopback_endpoint_options(dir_.path() / "data"));
    endpoint_->start();
    test::create_script_function(lambda(), dir_.path(), "streamer", kStreamer, {{"Timeout", 3}});
  }

  aws::LambdaClient lambda() const { return aws::LambdaClient(test::client_config(url())); }
  std::string url() const { return endpoint_->url(); }

  aws::ResponseStream stream(const std::string& event, json input = json::object()) const {
    input["FunctionName"] = "streamer";
    return lambda().invoke_with_response_stream(input, event);
  }

  // A connected socket with a signed InvokeWithResponseStream of `event` written to it.
  int send_raw(const std::string& event) const {
    HttpRequest request;
    request.method = "POST";
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = endpoint_->port();
    request.path = "/2021-11-15/functions/streamer/response-streaming-invocations";
    request.body = event;
    request.headers.set("Host", "127.0.0.1:" + std::to_string(endpoint_->port()));
    ld::test::sign_with_test_key(request, "lambda");
    std::string wire = "POST " + request.path + " HTTP/1.1\r\n";
    for (const auto& field : request.headers.fields())
      wire += field.name + ": " + field.value + "\r\n";
    wire += "Content-Length: " + std::to_string(event.size()) + "\r\n\r\n" + event;
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(endpoint_->port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(::send(fd, wire.data(), wire.size(), 0), static_cast<ssize_t>(wire.size()));
    return fd;
  }

  ld::test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
};

TEST_F(ResponseStream, ABufferedAnswerComesAsOneChunkThenInvokeComplete) {
  const aws::ResponseStream got = stream("{}", {{"LogType", "Tail"}});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.content_type, "application/vnd.amazon.eventstream");
  EXPECT_EQ(got.executed_version, "$LATEST");
  ASSERT_EQ(got.chunks.size(), 1u);
  EXPECT_EQ(got.chunks[0], "buffered");
  ASSERT_TRUE(got.complete.has_value());
  EXPECT_EQ(got.error_code(), "");
  const std::string log = base64_decode(got.complete->value("LogResult", "")).value_or("");
  EXPECT_NE(log.find("START RequestId"), std::string::npos) << log;
  EXPECT_NE(log.find("buffered answer"), std::string::npos) << log;
}

TEST_F(ResponseStream, StreamedBytesReachTheCallerWhileTheFunctionRuns) {
  const int fd = send_raw("pause");
  std::string in;
  Clock::time_point one{}, two{};
  char buf[4096];
  while (two == Clock::time_point{}) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
    if (one == Clock::time_point{} && in.find("one") != std::string::npos) one = Clock::now();
    if (in.find("two") != std::string::npos) two = Clock::now();
  }
  ::close(fd);
  ASSERT_NE(one, Clock::time_point{}) << in;
  ASSERT_NE(two, Clock::time_point{}) << in;
  // The function sleeps 2 s between the two: the first was not held back until the end.
  EXPECT_GT(two - one, 1500ms);
  EXPECT_NE(in.find("Transfer-Encoding: chunked"), std::string::npos) << in;
  EXPECT_NE(in.find(":event-type"), std::string::npos);

  const aws::ResponseStream got = stream("pause");
  EXPECT_GE(got.chunks.size(), 2u);
  EXPECT_EQ(got.payload(), "onetwo");
  EXPECT_EQ(got.error_code(), "");
  // Invoke reads the same function's streamed answer whole.
  aws::Result whole = lambda().invoke({{"FunctionName", "streamer"}}, "pause");
  EXPECT_EQ(whole.body, "onetwo");
  EXPECT_FALSE(whole.output.contains("FunctionError"));
}

TEST_F(ResponseStream, AStreamMayPassTheBufferedLimitThatInvokeKeeps) {
  const aws::ResponseStream got = stream("big");
  EXPECT_EQ(got.payload(), std::string(8000000, 'x'));
  EXPECT_EQ(got.error_code(), "");

  aws::Result whole = lambda().invoke({{"FunctionName", "streamer"}}, "big");
  EXPECT_EQ(whole.output.value("FunctionError", ""), "Unhandled");
  EXPECT_NE(whole.body.find("Function.ResponseSizeTooLarge"), std::string::npos) << whole.body;
}

TEST_F(ResponseStream, ErrorsAfterTheFirstByteEndTheStreamInInvokeComplete) {
  const aws::ResponseStream midfail = stream("midfail");
  EXPECT_EQ(midfail.payload(), "half");
  EXPECT_EQ(midfail.error_code(), "StreamBroke");
  EXPECT_NE(midfail.complete->value("ErrorDetails", "").find("half way"), std::string::npos);

  const aws::ResponseStream failed = stream("fail");
  EXPECT_TRUE(failed.chunks.empty());
  EXPECT_EQ(failed.error_code(), "MyError");
  EXPECT_NE(failed.complete->value("ErrorDetails", "").find("it broke"), std::string::npos);

  const aws::ResponseStream overtime = stream("overtime");
  EXPECT_EQ(overtime.payload(), "early");
  EXPECT_EQ(overtime.error_code(), "Sandbox.Timedout");
  EXPECT_NE(overtime.complete->value("ErrorDetails", "").find("Task timed out"), std::string::npos);
}

TEST_F(ResponseStream, ErrorsBeforeTheStreamAreAnsweredAsErrors) {
  try {
    lambda().invoke_with_response_stream({{"FunctionName", "nobody"}}, "{}");
    ADD_FAILURE() << "a missing function streamed";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "ResourceNotFoundException");
    EXPECT_EQ(e.http_status(), 404);
  }
  try {
    stream("{}", {{"InvocationType", "Event"}});
    ADD_FAILURE() << "an Event invocation streamed";
  } catch (const aws::AwsError& e) {
    EXPECT_EQ(e.code(), "ValidationException");
    EXPECT_NE(e.message().find("[RequestResponse, DryRun]"), std::string::npos) << e.message();
  }
  const aws::ResponseStream dry = stream("{}", {{"InvocationType", "DryRun"}});
  EXPECT_EQ(dry.status, 204);
  EXPECT_TRUE(dry.chunks.empty());
  EXPECT_FALSE(dry.complete.has_value());
}

TEST_F(ResponseStream, ACallerThatGoesAwayLeavesTheFunctionToFinish) {
  const int fd = send_raw("pause");
  std::string in;
  char buf[4096];
  while (in.find("one") == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);  // mid-stream
  // The instance finishes the invocation (2 s) and serves the next one.
  const aws::ResponseStream next = stream("{}");
  EXPECT_EQ(next.payload(), "buffered");
  aws::Result plain = lambda().invoke({{"FunctionName", "streamer"}}, "{}");
  EXPECT_EQ(plain.body, "buffered");
}

}  // namespace
}  // namespace ld::local
