// The libcurl transport against a real HTTP server on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "aws/transport.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/http.hpp"
#include "support/loopback_server.hpp"

namespace ld {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;
using test::Step;

HttpRequest request_to(const LoopbackServer& server, std::string method, std::string path) {
  HttpRequest r;
  r.method = std::move(method);
  r.scheme = "http";
  r.host = "127.0.0.1";
  r.port = server.port();
  r.path = std::move(path);
  return r;
}

// Peak resident set size of this process, in bytes (VmHWM).
std::uint64_t peak_rss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

// Resets VmHWM to the current RSS (Linux 4.0+), so a peak from an earlier test cannot hide one.
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// A temporary file removed when the test ends.
struct TempFile {
  std::filesystem::path path;
  explicit TempFile(const std::string& name)
      : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {}
  ~TempFile() { std::filesystem::remove(path); }
};

TEST(CurlTransport, GetReturnsStatusHeadersAndBody) {
  LoopbackServer server;
  server.script({Step::respond(200, "hello",
                               {{"X-Amzn-RequestId", "req-1"},
                                {"X-Multi", "one"},
                                {"x-multi", "two"},
                                {"Content-Type", "text/plain"}})});
  auto transport = make_curl_transport();
  HttpRequest req = request_to(server, "GET", "/2015-03-31/functions/f%3A1");
  req.query = {{"Qualifier", "LIVE"}, {"a b", "c/d"}};
  req.headers.add("X-Custom-Header", "Value With Case");
  req.headers.add("X-Repeated", "1");
  req.headers.add("X-Repeated", "2");
  HttpResponse resp = transport->send(req);

  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "hello");
  EXPECT_EQ(resp.headers.get("x-amzn-requestid"), "req-1");
  // Case and repeats kept, in order.
  std::vector<std::string> multi;
  for (const auto& f : resp.headers)
    if (f.name == "X-Multi" || f.name == "x-multi") multi.push_back(f.name + "=" + f.value);
  EXPECT_EQ(multi, (std::vector<std::string>{"X-Multi=one", "x-multi=two"}));

  ASSERT_EQ(server.request_count(), 1u);
  auto got = server.requests()[0];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/2015-03-31/functions/f%3A1");  // sent as is, not re-encoded
  EXPECT_EQ(got.query, "Qualifier=LIVE&a%20b=c%2Fd");
  EXPECT_EQ(got.query_param("a b"), "c/d");
  EXPECT_EQ(got.header("X-Custom-Header"), "Value With Case");
  EXPECT_EQ(got.header_count("X-Repeated"), 2u);
  EXPECT_EQ(got.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  // Nothing curl would add by itself that a signature does not cover.
  EXPECT_FALSE(got.header("Accept"));
  EXPECT_FALSE(got.header("Content-Type"));
  EXPECT_FALSE(got.header("User-Agent"));
  EXPECT_FALSE(got.header("Expect"));
  EXPECT_EQ(got.body_size, 0u);
}

TEST(CurlTransport, PathIsSentWithoutDotSegmentRemoval) {
  LoopbackServer server;
  server.script({Step::respond(200)});
  auto transport = make_curl_transport();
  transport->send(request_to(server, "GET", "/bucket/a/../b/./c"));
  ASSERT_EQ(server.request_count(), 1u);
  EXPECT_EQ(server.requests()[0].path, "/bucket/a/../b/./c");
}

TEST(CurlTransport, PostSendsBodyWithExactLengthAndNoAddedHeaders) {
  LoopbackServer server;
  server.script({Step::respond(201, R"({"ok":true})", {{"Content-Type", "application/json"}})});
  auto transport = make_curl_transport();
  HttpRequest req = request_to(server, "POST", "/2015-03-31/functions");
  req.body = std::string(2 * 1024 * 1024, 'x');  // above curl's 1 MiB "Expect" threshold
  req.body[7] = '\0';                            // bytes, not a C string
  HttpResponse resp = transport->send(req);

  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, R"({"ok":true})");
  auto got = server.requests().at(0);
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.header("Content-Length"), std::to_string(req.body.size()));
  EXPECT_EQ(got.body, req.body);
  EXPECT_FALSE(got.header("Content-Type"));  // curl's form Content-Type is not added
  EXPECT_FALSE(got.header("Expect"));
  EXPECT_FALSE(got.header("Transfer-Encoding"));
}

TEST(CurlTransport, PostWithContentTypeAndEmptyBodySendsZeroLength) {
  LoopbackServer server;
  server.script({Step::respond(200, "{}")});
  auto transport = make_curl_transport();
  HttpRequest req = request_to(server, "POST", "/");
  req.headers.add("Content-Type", "application/x-amz-json-1.1");
  req.headers.add("X-Amz-Target", "Logs_20140328.DescribeLogGroups");
  transport->send(req);
  auto got = server.requests().at(0);
  EXPECT_EQ(got.header("Content-Length"), "0");
  EXPECT_EQ(got.header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(got.header("X-Amz-Target"), "Logs_20140328.DescribeLogGroups");
}

TEST(CurlTransport, PutAndDeleteUseTheirMethods) {
  LoopbackServer server;
  server.script({Step::respond(200), Step::respond(204)});
  auto transport = make_curl_transport();
  HttpRequest put = request_to(server, "PUT", "/bucket/key");
  put.body = "data";
  EXPECT_EQ(transport->send(put).status, 200);
  EXPECT_EQ(transport->send(request_to(server, "DELETE", "/bucket/key")).status, 204);
  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].method, "PUT");
  EXPECT_EQ(got[0].body, "data");
  EXPECT_EQ(got[1].method, "DELETE");
  EXPECT_EQ(got[1].body_size, 0u);
}

TEST(CurlTransport, HeadReturnsHeadersWithoutBody) {
  LoopbackServer server;
  server.script({Step::respond(200, std::string(1000, 'z'), {{"x-amz-meta-sha256", "abc"}})});
  auto transport = make_curl_transport();
  HttpResponse resp = transport->send(request_to(server, "HEAD", "/bucket/key"));
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "");
  EXPECT_EQ(resp.headers.get("Content-Length"), "1000");
  EXPECT_EQ(resp.headers.get("x-amz-meta-sha256"), "abc");
  EXPECT_EQ(server.requests().at(0).method, "HEAD");
}

TEST(CurlTransport, ErrorStatusesAreResponsesNotExceptions) {
  LoopbackServer server;
  server.script({Step::respond(404, R"({"Message":"nope"})",
                               {{"X-Amzn-ErrorType", "ResourceNotFoundException"}})});
  auto transport = make_curl_transport();
  HttpResponse resp = transport->send(request_to(server, "GET", "/missing"));
  EXPECT_EQ(resp.status, 404);
  EXPECT_EQ(resp.headers.get("X-Amzn-ErrorType"), "ResourceNotFoundException");
  EXPECT_EQ(resp.body, R"({"Message":"nope"})");
}

TEST(CurlTransport, StreamsAFileUploadWithoutHoldingItInMemory) {
  constexpr std::size_t kSize = 20 * 1024 * 1024;
  TempFile file("ld-transport-upload");
  {
    std::ofstream out(file.path, std::ios::binary);
    std::mt19937_64 rng(42);
    std::string block(1024 * 1024, '\0');
    for (std::size_t written = 0; written < kSize; written += block.size()) {
      for (auto& c : block) c = static_cast<char>(rng());
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
  }
  ASSERT_EQ(std::filesystem::file_size(file.path), kSize);
  std::string expected = hex_encode(as_chars(sha256_file(file.path)));

  LoopbackServer server;
  server.set_body_limit(0);  // the server hashes, it does not keep the bytes
  server.script({Step::respond(200)});
  auto transport = make_curl_transport();
  HttpRequest req = request_to(server, "PUT", "/bucket/big.zip");
  req.body_file = file.path;

  reset_peak_rss();
  std::uint64_t before = peak_rss();
  HttpResponse resp = transport->send(req);
  std::uint64_t after = peak_rss();

  EXPECT_EQ(resp.status, 200);
  auto got = server.requests().at(0);
  EXPECT_EQ(got.header("Content-Length"), std::to_string(kSize));
  EXPECT_EQ(got.body_size, kSize);
  EXPECT_EQ(got.body_sha256, expected);
  ASSERT_GT(before, 0u);
  EXPECT_LT(after - before, kSize / 2) << "peak RSS grew by " << (after - before) << " bytes";
}

TEST(CurlTransport, MissingBodyFileIsAnIoErrorNamingTheFile) {
  LoopbackServer server;
  auto transport = make_curl_transport();
  HttpRequest req = request_to(server, "PUT", "/bucket/key");
  req.body_file = "/nonexistent/dir/code.zip";
  try {
    transport->send(req);
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/code.zip"), std::string::npos);
  }
  EXPECT_EQ(server.request_count(), 0u);
}

TEST(CurlTransport, ReusesOneConnectionForSequentialRequests) {
  LoopbackServer server;
  server.script({Step::respond(200, "a"), Step::respond(200, "b"), Step::respond(200, "c"),
                 Step::respond(200, "d")});
  auto transport = make_curl_transport();
  for (const char* body : {"a", "b", "c"}) {
    EXPECT_EQ(transport->send(request_to(server, "GET", "/")).body, body);
  }
  HttpRequest post = request_to(server, "POST", "/");
  post.body = "x";
  EXPECT_EQ(transport->send(post).body, "d");
  EXPECT_EQ(server.request_count(), 4u);
  EXPECT_EQ(server.connections(), 1);
  for (const auto& r : server.requests()) EXPECT_EQ(r.connection, 1);
}

TEST(CurlTransport, ServerClosingAKeptConnectionMeansANewOneNextTime) {
  LoopbackServer server;
  server.script({Step::respond(200, "a", {{"Connection", "close"}}), Step::respond(200, "b")});
  auto transport = make_curl_transport();
  EXPECT_EQ(transport->send(request_to(server, "GET", "/")).body, "a");
  EXPECT_EQ(transport->send(request_to(server, "GET", "/")).body, "b");
  EXPECT_EQ(server.connections(), 2);
}

TEST(CurlTransport, ConnectionRefusedIsConnect) {
  // A socket bound but not listening: connecting to its port is refused, with no race.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);

  auto transport = make_curl_transport();
  HttpRequest req;
  req.scheme = "http";
  req.host = "127.0.0.1";
  req.port = port;
  req.path = "/secret/path";
  req.query = {{"X-Amz-Signature", "deadbeef"}};
  try {
    transport->send(req);
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Connect) << e.what();
    std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(port) + "/secret/path"), std::string::npos)
        << what;
    EXPECT_EQ(what.find("deadbeef"), std::string::npos) << "query leaked into: " << what;
  }
  ::close(fd);
}

TEST(CurlTransport, HangingServerIsTimeoutWithinBounds) {
  LoopbackServer server;
  server.script({Step::hang()});
  TransportOptions options;
  options.request_timeout = 300ms;
  auto transport = make_curl_transport(options);
  auto start = std::chrono::steady_clock::now();
  try {
    transport->send(request_to(server, "GET", "/slow"));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Timeout) << e.what();
    EXPECT_NE(std::string(e.what()).find("/slow"), std::string::npos) << e.what();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 290ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(CurlTransport, ConnectTimeoutIsTimeoutAndUsesTheConnectLimit) {
  // A listener that never accepts, with its queue filled: further SYNs are dropped, so a new
  // connection neither succeeds nor is refused.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 3; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(50ms);

  TransportOptions options;
  options.connect_timeout = 200ms;
  options.request_timeout = 5s;
  auto transport = make_curl_transport(options);
  HttpRequest req;
  req.scheme = "http";
  req.host = "127.0.0.1";
  req.port = ntohs(addr.sin_port);
  auto start = std::chrono::steady_clock::now();
  try {
    transport->send(req);
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Timeout) << e.what();
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 1500ms);  // the connect limit, not the request's 5 s
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST(CurlTransport, ResetConnectionIsReset) {
  LoopbackServer server;
  server.script({Step::reset()});
  auto transport = make_curl_transport();
  try {
    transport->send(request_to(server, "GET", "/"));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Reset) << e.what();
  }
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(CurlTransport, ClosedWithoutAnswerIsReset) {
  LoopbackServer server;
  server.script({Step::close()});
  auto transport = make_curl_transport();
  try {
    transport->send(request_to(server, "POST", "/"));
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Reset) << e.what();
  }
}

TEST(CurlTransport, ResetOnAReusedConnectionIsResentOnceOnANewOne) {
  // libcurl cannot tell a reset kept-alive connection from an idle one the server dropped, so it
  // sends the request again on a new connection; the body is rewound for it.
  LoopbackServer server;
  server.script({Step::respond(200, "first"), Step::reset(), Step::respond(200, "second")});
  auto transport = make_curl_transport();
  EXPECT_EQ(transport->send(request_to(server, "GET", "/")).body, "first");
  HttpRequest post = request_to(server, "POST", "/again");
  post.body = "payload";
  EXPECT_EQ(transport->send(post).body, "second");
  auto got = server.requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].body, "payload");
  EXPECT_EQ(got[2].body, "payload");
  EXPECT_EQ(got[2].connection, 2);
}

TEST(CurlTransport, TlsToAPlainHttpServerIsTls) {
  LoopbackServer server;
  TransportOptions options;
  options.request_timeout = 2s;
  auto transport = make_curl_transport(options);
  HttpRequest req = request_to(server, "GET", "/");
  req.scheme = "https";
  try {
    transport->send(req);
    FAIL() << "expected a TransportError";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.kind(), TransportError::Kind::Tls) << e.what();
    EXPECT_NE(std::string(e.what()).find("https://127.0.0.1"), std::string::npos) << e.what();
  }
}

TEST(CurlTransport, ConcurrentSendsFromManyThreads) {
  LoopbackServer server([](const test::ReceivedRequest& r) { return Step::respond(200, r.path); });
  auto transport = make_curl_transport();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        if (transport->send(request_to(server, "GET", path)).body == path) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(server.request_count(), 40u);
  EXPECT_LE(server.connections(), 4);  // at most one handle (and connection) per thread
}

// Sets (or, with nullptr, unsets) environment variables for one test; restores them after.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(std::vector<std::pair<std::string, const char*>> values) {
    for (auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) {
        ::setenv(name.c_str(), value, 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
  ~ScopedEnvironment() {
    for (auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// Every proxy variable libcurl reads, unset, then `set` on top.
std::vector<std::pair<std::string, const char*>> only_proxy_variables(
    std::vector<std::pair<std::string, const char*>> set) {
  std::vector<std::pair<std::string, const char*>> all;
  for (const char* name : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY"}) {
    all.emplace_back(name, nullptr);
  }
  all.insert(all.end(), set.begin(), set.end());
  return all;
}

// Plain HTTP goes through the proxy in http_proxy (libcurl reads only the lower-case name for
// http://, as a defence against "httpoxy"), with the absolute URL on the request line.
TEST(CurlTransport, HttpRequestsGoThroughTheEnvironmentsProxy) {
  LoopbackServer proxy;
  proxy.script({Step::respond(200, "via proxy")});
  std::string proxy_url = proxy.url();
  ScopedEnvironment env(only_proxy_variables({{"http_proxy", proxy_url.c_str()}}));
  auto transport = make_curl_transport();
  HttpRequest req;
  req.method = "GET";
  req.scheme = "http";
  req.host = "lambda.example.invalid";
  req.port = 8080;
  req.path = "/2015-03-31/functions";
  HttpResponse resp = transport->send(req);

  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "via proxy");
  ASSERT_EQ(proxy.request_count(), 1u);
  auto got = proxy.requests()[0];
  EXPECT_EQ(got.target, "http://lambda.example.invalid:8080/2015-03-31/functions");
  EXPECT_EQ(got.header("Host"), "lambda.example.invalid:8080");
}

// HTTPS goes through HTTPS_PROXY as a CONNECT tunnel: the proxy sees only host and port.
TEST(CurlTransport, HttpsRequestsTunnelThroughHttpsProxy) {
  LoopbackServer proxy;
  proxy.script({Step::respond(403, "no tunnels today")});
  std::string proxy_url = proxy.url();
  ScopedEnvironment env(only_proxy_variables({{"HTTPS_PROXY", proxy_url.c_str()}}));
  TransportOptions options;
  options.request_timeout = 5s;
  auto transport = make_curl_transport(options);
  HttpRequest req;
  req.method = "GET";
  req.scheme = "https";
  req.host = "lambda.example.invalid";
  req.path = "/";
  EXPECT_THROW(transport->send(req), TransportError);
  ASSERT_EQ(proxy.request_count(), 1u);
  EXPECT_EQ(proxy.requests()[0].method, "CONNECT");
  EXPECT_EQ(proxy.requests()[0].target, "lambda.example.invalid:443");
}

TEST(CurlTransport, NoProxyHostsAreReachedDirectly) {
  LoopbackServer proxy;
  LoopbackServer direct;
  direct.script({Step::respond(200, "direct")});
  std::string proxy_url = proxy.url();
  ScopedEnvironment env(only_proxy_variables(
      {{"http_proxy", proxy_url.c_str()}, {"NO_PROXY", "example.invalid,127.0.0.1"}}));
  auto transport = make_curl_transport();
  EXPECT_EQ(transport->send(request_to(direct, "GET", "/")).body, "direct");
  EXPECT_EQ(direct.request_count(), 1u);
  EXPECT_EQ(proxy.request_count(), 0u);
}

}  // namespace
}  // namespace ld
