// The Runtime API loop against a real Runtime API on loopback (a scripted socket server).
#include "runtime/runtime.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "runtime/http_event.hpp"
#include "support/loopback_server.hpp"

namespace ld::runtime {
namespace {

using ld::test::LoopbackServer;
using ld::test::ReceivedRequest;
using ld::test::Step;
using nlohmann::json;
using ::testing::HasSubstr;

// One queued invocation as GET /next hands it out.
struct QueuedEvent {
  std::string request_id;
  std::string payload;
  std::string trace_id;
};

// A Runtime API: GET /next hands out the queued events, then closes the connection (as if the
// Runtime API went away); every POST is accepted with 202.
class FakeRuntimeApi {
 public:
  explicit FakeRuntimeApi(std::vector<QueuedEvent> events)
      : events_(events.begin(), events.end()),
        server_([this](const ReceivedRequest& r) { return answer(r); }) {}

  std::string address() const { return "127.0.0.1:" + std::to_string(server_.port()); }
  LoopbackServer& server() { return server_; }

 private:
  Step answer(const ReceivedRequest& r) {
    if (r.method == "POST") return Step::respond(202, R"({"status":"OK"})");
    std::lock_guard lock(mu_);
    if (events_.empty()) return Step::close();
    QueuedEvent e = events_.front();
    events_.pop_front();
    ld::test::HeaderFields headers = {
        {"Content-Type", "application/json"},
        {"Lambda-Runtime-Aws-Request-Id", e.request_id},
        {"Lambda-Runtime-Deadline-Ms", "4102444800000"},  // 2100-01-01
        {"Lambda-Runtime-Invoked-Function-Arn",
         "arn:aws:lambda:us-east-1:123456789012:function:digest__dev:LIVE"}};
    if (!e.trace_id.empty()) headers.emplace_back("Lambda-Runtime-Trace-Id", e.trace_id);
    return Step::respond(200, e.payload, headers);
  }

  std::mutex mu_;
  std::deque<QueuedEvent> events_;
  LoopbackServer server_;
};

std::string http_event(std::string_view path, std::string_view body = "") {
  web::Request request;
  request.method = "POST";
  request.raw_path = std::string(path);
  request.raw_query = "a=1&a=2";
  request.headers.add("content-type", "text/plain");
  request.cookies = {{"session", "abc"}};
  request.body = std::string(body);
  request.request_id = "url-request";
  return event_from_request(request).dump();
}

// Records what the handler saw and answers with an echo, or throws on /boom.
struct RecordingHandler {
  std::vector<std::string> trace_ids;
  std::vector<std::string> invocation_ids;
  std::vector<std::string> arns;
  std::vector<std::string> paths;
  std::vector<long long> remaining_ms;

  web::Handler handler() {
    return [this](web::Request& request) {
      const char* trace = std::getenv("_X_AMZN_TRACE_ID");
      trace_ids.push_back(trace ? trace : "<unset>");
      const Invocation* invocation = current_invocation();
      invocation_ids.push_back(invocation ? invocation->request_id : "<none>");
      arns.push_back(invocation ? invocation->function_arn : "<none>");
      remaining_ms.push_back(invocation ? invocation->remaining().count() : -1);
      paths.push_back(request.path);
      if (request.path == "/boom") throw std::runtime_error("boom: the handler failed");
      web::Response response = web::Response::text(200, "echo:" + request.body);
      response.headers.add("X-Query", request.raw_query);
      response.cookies.push_back("seen=" + request.cookie("session").value_or(""));
      return response;
    };
  }
};

TEST(RuntimeLoop, ServesResponsesAndErrorsOnOneConnection) {
  FakeRuntimeApi api({{"req-1", http_event("/echo", "hello"), "Root=1-5e1b4151-abc;Sampled=1"},
                      {"req-2", "{}", ""},
                      {"req-3", http_event("/boom"), "Root=1-5e1b4151-def"}});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = api.address();
  options.max_invocations = 3;
  EXPECT_EQ(run(recorder.handler(), options), 0);

  auto requests = api.server().requests();
  ASSERT_EQ(requests.size(), 6u);
  EXPECT_EQ(api.server().connections(), 1);
  for (const auto& r : requests) EXPECT_EQ(r.connection, 1) << r.target;
  for (std::size_t i : {0u, 2u, 4u}) {
    EXPECT_EQ(requests[i].method, "GET");
    EXPECT_EQ(requests[i].path, "/2018-06-01/runtime/invocation/next");
  }

  // 1: the HTTP event's result.
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].path, "/2018-06-01/runtime/invocation/req-1/response");
  json result = json::parse(requests[1].body);
  EXPECT_EQ(result["statusCode"], 200);
  EXPECT_EQ(result["body"], "echo:hello");
  EXPECT_EQ(result["isBase64Encoded"], false);
  EXPECT_EQ(result["headers"]["X-Query"], "a=1&a=2");
  EXPECT_EQ(result["cookies"], json::array({"seen=abc"}));

  // 2: `{}` is not an HTTP event: a function error that says so.
  EXPECT_EQ(requests[3].path, "/2018-06-01/runtime/invocation/req-2/error");
  EXPECT_EQ(requests[3].header("Lambda-Runtime-Function-Error-Type"), "Runtime.UnsupportedEvent");
  json unsupported = json::parse(requests[3].body);
  EXPECT_EQ(unsupported["errorType"], "Runtime.UnsupportedEvent");
  EXPECT_THAT(unsupported["errorMessage"].get<std::string>(),
              HasSubstr("not an HTTP request event"));
  EXPECT_THAT(unsupported["errorMessage"].get<std::string>(), HasSubstr("no keys"));
  EXPECT_EQ(unsupported["stackTrace"], json::array());

  // 3: the handler threw.
  EXPECT_EQ(requests[5].path, "/2018-06-01/runtime/invocation/req-3/error");
  EXPECT_EQ(requests[5].header("Lambda-Runtime-Function-Error-Type"), "Runtime.HandlerError");
  json thrown = json::parse(requests[5].body);
  EXPECT_EQ(thrown["errorType"], "Runtime.HandlerError");
  EXPECT_EQ(thrown["errorMessage"], "boom: the handler failed");
  EXPECT_EQ(thrown["stackTrace"], json::array());

  // The handler ran for the two HTTP events, with the invocation's trace id and context.
  EXPECT_EQ(recorder.paths, (std::vector<std::string>{"/echo", "/boom"}));
  EXPECT_EQ(recorder.trace_ids,
            (std::vector<std::string>{"Root=1-5e1b4151-abc;Sampled=1", "Root=1-5e1b4151-def"}));
  EXPECT_EQ(recorder.invocation_ids, (std::vector<std::string>{"req-1", "req-3"}));
  EXPECT_EQ(recorder.arns[0], "arn:aws:lambda:us-east-1:123456789012:function:digest__dev:LIVE");
  EXPECT_GT(recorder.remaining_ms[0], 0);
  EXPECT_EQ(current_invocation(), nullptr);
}

TEST(RuntimeLoop, ExitsNonZeroWhenTheRuntimeApiGoesAway) {
  FakeRuntimeApi api({{"req-1", http_event("/echo"), ""}});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = api.address();
  ::testing::internal::CaptureStderr();
  int code = run(recorder.handler(), options);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(code, 0);
  EXPECT_THAT(err, HasSubstr("Runtime API at " + api.address() + " is gone"));
  auto requests = api.server().requests();
  // GET, POST, GET (closed), then one reconnect: GET (closed again).
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[2].connection, 1);
  EXPECT_EQ(requests[3].connection, 2);
  EXPECT_EQ(requests[3].path, "/2018-06-01/runtime/invocation/next");
}

// The result is posted with the next GET right behind it; when the Runtime API closes the
// connection after answering the POST, the GET it never read goes out again on a new one.
TEST(RuntimeLoop, AsksForTheNextInvocationAgainWhenThePostClosesTheConnection) {
  LoopbackServer server;
  server.script({Step::respond(200, http_event("/a"), {{"Lambda-Runtime-Aws-Request-Id", "r1"}}),
                 Step::respond(202, R"({"status":"OK"})", {{"Connection", "close"}}),
                 Step::respond(200, http_event("/b"), {{"Lambda-Runtime-Aws-Request-Id", "r2"}}),
                 Step::respond(202, R"({"status":"OK"})")});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = "127.0.0.1:" + std::to_string(server.port());
  options.max_invocations = 2;
  EXPECT_EQ(run(recorder.handler(), options), 0);
  EXPECT_EQ(recorder.paths, (std::vector<std::string>{"/a", "/b"}));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].path, "/2018-06-01/runtime/invocation/r1/response");
  EXPECT_EQ(requests[1].connection, 1);
  EXPECT_EQ(requests[2].path, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(requests[2].connection, 2);
  EXPECT_EQ(requests[3].path, "/2018-06-01/runtime/invocation/r2/response");
}

TEST(RuntimeLoop, ReconnectsOnceWhenTheConnectionDrops) {
  LoopbackServer server;
  server.script({Step::reset(),
                 Step::respond(200, http_event("/x"), {{"Lambda-Runtime-Aws-Request-Id", "r1"}}),
                 Step::respond(202, R"({"status":"OK"})")});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = "127.0.0.1:" + std::to_string(server.port());
  options.max_invocations = 1;
  EXPECT_EQ(run(recorder.handler(), options), 0);
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].connection, 2);
  EXPECT_EQ(requests[2].path, "/2018-06-01/runtime/invocation/r1/response");
  EXPECT_EQ(requests[2].connection, 2);
}

TEST(RuntimeLoop, ReadsChunkedEventsAndRejectsNonJsonPayloads) {
  std::string event = http_event("/chunked", "payload");
  std::string chunked = "5\r\n" + event.substr(0, 5) + "\r\n" +
                        [&] {
                          char size[16];
                          std::snprintf(size, sizeof size, "%zx", event.size() - 5);
                          return std::string(size);
                        }() +
                        "\r\n" + event.substr(5) + "\r\n0\r\n\r\n";
  LoopbackServer server;
  server.script(
      {Step::respond(200, chunked,
                     {{"Transfer-Encoding", "chunked"}, {"Lambda-Runtime-Aws-Request-Id", "c1"}}),
       Step::respond(202),
       Step::respond(200, "not json at all", {{"Lambda-Runtime-Aws-Request-Id", "c2"}}),
       Step::respond(202)});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = "127.0.0.1:" + std::to_string(server.port());
  options.max_invocations = 2;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run(recorder.handler(), options), 0);
  std::string err = ::testing::internal::GetCapturedStderr();
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(json::parse(requests[1].body)["body"], "echo:payload");
  EXPECT_EQ(requests[3].path, "/2018-06-01/runtime/invocation/c2/error");
  EXPECT_THAT(json::parse(requests[3].body)["errorMessage"].get<std::string>(),
              HasSubstr("not JSON"));
  EXPECT_THAT(err, HasSubstr("ERROR c2 Runtime.UnsupportedEvent"));
}

TEST(RuntimeLoop, CarriesLargePayloadsBothWays) {
  std::string big(3u << 20, 'x');  // 3 MiB: many reads and partial writes
  big[12345] = 'y';
  FakeRuntimeApi api(
      {{"big-1", http_event("/big", big), ""}, {"big-2", http_event("/s", "s"), ""}});
  RecordingHandler recorder;
  RuntimeOptions options;
  options.api = api.address();
  options.max_invocations = 2;
  EXPECT_EQ(run(recorder.handler(), options), 0);
  auto requests = api.server().requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(json::parse(requests[1].body)["body"], "echo:" + big);
  EXPECT_EQ(json::parse(requests[3].body)["body"], "echo:s");
  EXPECT_EQ(api.server().connections(), 1);
}

TEST(RuntimeLoop, NeedsTheRuntimeApiAddress) {
  RuntimeOptions options;
  options.env = [](const std::string&) { return std::optional<std::string>(); };
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(run([](web::Request&) { return web::Response(); }, options), 1);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("AWS_LAMBDA_RUNTIME_API"));
}

TEST(RuntimeLoop, ReadsTheAddressFromTheEnvironment) {
  FakeRuntimeApi api({{"env-1", http_event("/e"), ""}});
  RuntimeOptions options;
  std::string address = api.address();
  options.env = [address](const std::string& name) {
    return name == "AWS_LAMBDA_RUNTIME_API" ? std::optional<std::string>(address) : std::nullopt;
  };
  options.max_invocations = 1;
  RecordingHandler recorder;
  EXPECT_EQ(run(recorder.handler(), options), 0);
  EXPECT_EQ(recorder.trace_ids, std::vector<std::string>{"<unset>"});
  EXPECT_EQ(api.server().requests().at(1).path, "/2018-06-01/runtime/invocation/env-1/response");
}

TEST(RuntimeLoop, UnreachableRuntimeApiIsAClearError) {
  int port = 0;
  {
    LoopbackServer gone;
    port = gone.port();
  }
  RuntimeOptions options;
  options.api = "127.0.0.1:" + std::to_string(port);
  ::testing::internal::CaptureStderr();
  EXPECT_NE(run([](web::Request&) { return web::Response(); }, options), 0);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(err, HasSubstr("is gone"));
  EXPECT_THAT(err, HasSubstr("connect"));
}

TEST(RuntimeInitError, PostsTheErrorToTheRuntimeApi) {
  LoopbackServer server;
  server.script({Step::respond(202, R"({"status":"OK"})")});
  RuntimeOptions options;
  options.api = "127.0.0.1:" + std::to_string(server.port());
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(
      report_init_error("Runtime.ConfigError", "FAST_API__AUTH__API_KEY__NAME is empty", options),
      0);
  EXPECT_THAT(::testing::internal::GetCapturedStderr(), HasSubstr("Runtime.ConfigError"));
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(requests[0].header("Lambda-Runtime-Function-Error-Type"), "Runtime.ConfigError");
  json body = json::parse(requests[0].body);
  EXPECT_EQ(body["errorType"], "Runtime.ConfigError");
  EXPECT_EQ(body["errorMessage"], "FAST_API__AUTH__API_KEY__NAME is empty");
  EXPECT_EQ(body["stackTrace"], json::array());
}

}  // namespace
}  // namespace ld::runtime
