// web::Server over real loopback sockets: the libcurl client and hand-written raw requests.
#include "web/server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "aws/transport.hpp"
#include "core/error.hpp"

namespace ld::web {
namespace {

using namespace std::chrono_literals;

// What a raw client reads back: one HTTP response.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool has(std::string_view header_line) const {
    return head.find(std::string(header_line) + "\r\n") != std::string::npos;
  }
};

// A plain TCP client for what libcurl will not send: pipelining, chunked bodies, bad requests.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      data.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  // Reads one response; a HEAD response has no body whatever its Content-Length says.
  RawResponse read_response(bool head_request = false) {
    RawResponse r;
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
      if (!fill()) throw std::runtime_error("connection closed before a response: " + buffer_);
    r.head = buffer_.substr(0, end + 2);
    buffer_.erase(0, end + 4);
    r.status = std::stoi(r.head.substr(9, 3));
    if (!head_request && r.has("Transfer-Encoding: chunked")) {
      read_chunks(r.body);
      return r;
    }
    std::size_t length = 0;
    if (auto pos = r.head.find("Content-Length: "); pos != std::string::npos)
      length = std::stoul(r.head.substr(pos + 16));
    if (head_request) length = 0;
    while (buffer_.size() < length)
      if (!fill()) throw std::runtime_error("connection closed inside a body");
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // Everything up to the server's close (an HTTP/1.0 body without a length).
  std::string read_to_close() {
    while (fill()) {
    }
    return std::exchange(buffer_, {});
  }

  // Whether the server closes the connection (EOF) with nothing more to read.
  bool closed_by_server() {
    if (!buffer_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool fill() {
    char buf[8192];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  // A chunked body; throws when the connection closes before its last chunk.
  void read_chunks(std::string& body) {
    for (;;) {
      std::size_t line_end;
      while ((line_end = buffer_.find("\r\n")) == std::string::npos)
        if (!fill()) throw std::runtime_error("connection closed inside a chunked body");
      const std::size_t size = std::stoul(buffer_.substr(0, line_end), nullptr, 16);
      while (buffer_.size() < line_end + 2 + size + 2)
        if (!fill()) throw std::runtime_error("connection closed inside a chunked body");
      body.append(buffer_, line_end + 2, size);
      buffer_.erase(0, line_end + 2 + size + 2);
      if (size == 0) return;
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

// The body /stream answers: `pieces` pieces of 10,000 bytes, each filled with its number.
std::string streamed_body(int pieces) {
  std::string body;
  for (int i = 0; i < pieces; ++i) body.append(10000, static_cast<char>('a' + i % 26));
  return body;
}

// A handler that records what it saw and answers by path.
struct Recorder {
  std::mutex mutex;
  std::vector<Request> seen;
  std::atomic<int> calls{0};

  Handler handler() {
    return [this](Request& req) {
      calls.fetch_add(1);
      {
        std::lock_guard lock(mutex);
        seen.push_back(req);
      }
      if (req.path == "/throw") throw std::runtime_error("boom");
      if (req.path == "/slow") std::this_thread::sleep_for(300ms);
      if (req.path == "/cookie") {
        Response res = Response::text(200, "set");
        res.cookies.push_back("a=1; Path=/");
        res.cookies.push_back("b=2; HttpOnly");
        res.headers.set("X-Bad", "x\r\nInjected: yes");
        return res;
      }
      if (req.path == "/stream" || req.path == "/stream-fail") {
        Response res = Response::text(200, "");
        const bool fail = req.path == "/stream-fail";
        res.stream = [fail, next = 0](std::string& out) mutable {
          if (fail && next == 3) throw std::runtime_error("the source broke");
          if (next == 300) return false;
          out.append(10000, static_cast<char>('a' + next++ % 26));
          return true;
        };
        return res;
      }
      if (req.method == "POST") return Response::text(200, req.body);
      return Response::text(200, "path=" + req.path);
    };
  }
};

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}) {
    options.threads = options.threads ? options.threads : 2;
    server_ = std::make_unique<Server>(recorder_.handler(), options);
    server_->start();
    port_ = server_->port();
  }

  HttpResponse curl(HttpRequest req) {
    req.scheme = "http";
    req.host = "127.0.0.1";
    req.port = port_;
    return transport_->send(req);
  }

  Recorder recorder_;
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::shared_ptr<Transport> transport_ = make_curl_transport();
};

TEST_F(ServerTest, PortZeroPicksAPort) {
  start();
  EXPECT_GT(port_, 0);
}

TEST_F(ServerTest, GetWithQueryAndCookiesReachesTheHandlerDecoded) {
  start();
  HttpRequest req;
  req.path = "/a%20b/c";
  req.query = {{"x", "1 2"}, {"y", "caf\xc3\xa9"}, {"x", "3"}};
  req.headers.add("Cookie", "session=abc; theme=\"dark\"");
  req.headers.add("X-Custom", "value");
  HttpResponse res = curl(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "path=/a b/c");
  EXPECT_TRUE(res.headers.has("Date"));
  EXPECT_EQ(res.headers.get("Content-Length"), "11");

  ASSERT_EQ(recorder_.seen.size(), 1U);
  const Request& seen = recorder_.seen[0];
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.raw_path, "/a%20b/c");
  EXPECT_EQ(seen.path, "/a b/c");
  EXPECT_EQ(seen.raw_query, "x=1%202&y=caf%C3%A9&x=3");
  EXPECT_EQ(seen.query_params("x"), (std::vector<std::string>{"1 2", "3"}));
  EXPECT_EQ(seen.query_param("y"), "caf\xc3\xa9");
  EXPECT_EQ(seen.cookie("session"), "abc");
  EXPECT_EQ(seen.cookie("theme"), "dark");
  EXPECT_EQ(seen.headers.get("x-custom"), "value");
  EXPECT_EQ(seen.source_ip, "127.0.0.1");
  EXPECT_EQ(seen.request_id.size(), 16U);
  EXPECT_EQ(seen.request_id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(ServerTest, RequestIdsDiffer) {
  start();
  curl({});
  curl({});
  ASSERT_EQ(recorder_.seen.size(), 2U);
  EXPECT_NE(recorder_.seen[0].request_id, recorder_.seen[1].request_id);
}

TEST_F(ServerTest, PostWithContentLengthBody) {
  start();
  HttpRequest req;
  req.method = "POST";
  req.path = "/echo";
  req.body = std::string(200000, 'z') + "end";
  HttpResponse res = curl(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, req.body);
}

TEST_F(ServerTest, PostWithChunkedBody) {
  start();
  RawClient c(port_);
  c.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6;name=value\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello world");
}

TEST_F(ServerTest, ChunkedBodyArrivingByteByByte) {
  start();
  RawClient c(port_);
  std::string wire =
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n";
  for (char ch : wire) c.send(std::string_view(&ch, 1));
  RawResponse r = c.read_response();
  EXPECT_EQ(r.body, "abc0123456789");
}

TEST_F(ServerTest, ExpectContinueGetsA100BeforeTheBody) {
  start();
  RawClient c(port_);
  c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  RawResponse interim = c.read_response();
  EXPECT_EQ(interim.status, 100);
  c.send("data");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "data");
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  start();
  RawClient c(port_);
  for (int i = 0; i < 50; ++i) {
    c.send("GET /n" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    RawResponse r = c.read_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "path=/n" + std::to_string(i));
    EXPECT_FALSE(r.has("Connection: close"));
  }
  EXPECT_EQ(recorder_.calls.load(), 50);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  RawClient c(port_);
  c.send(
      "GET /first HTTP/1.1\r\nHost: x\r\n\r\n"
      "POST /second HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
      "GET /third HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/first");
  EXPECT_EQ(c.read_response().body, "second");
  EXPECT_EQ(c.read_response().body, "path=/third");
}

TEST_F(ServerTest, ManyPipelinedRequestsFromAClientThatReadsLate) {
  start();
  RawClient c(port_);
  constexpr int kCount = 20000;  // ~2.5 MB of responses: the server must pause and resume
  std::thread writer([&] {
    std::string batch;
    for (int i = 0; i < kCount; ++i) batch += "GET /p" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
    c.send(batch);
  });
  std::this_thread::sleep_for(200ms);
  int in_order = 0;
  for (int i = 0; i < kCount; ++i)
    if (c.read_response().body == "path=/p" + std::to_string(i)) ++in_order;
  writer.join();
  EXPECT_EQ(in_order, kCount);
}

TEST_F(ServerTest, StreamedBodyGoesChunkedAndTheRequestBehindItWaits) {
  start();
  RawClient c(port_);
  c.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);  // the client reads late: the server must hold back
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.has("Content-Length: 0"));
  EXPECT_EQ(r.body.size(), 3'000'000u);
  EXPECT_EQ(r.body, streamed_body(300));
  EXPECT_EQ(c.read_response().body, "path=/after");
  // libcurl decodes it too.
  HttpRequest req;
  req.method = "GET";
  req.path = "/stream";
  const auto response = curl(req);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, streamed_body(300));
}

TEST_F(ServerTest, StreamedBodyToHttp10EndsWithTheClose) {
  start();
  RawClient c(port_);
  c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const std::string all = c.read_to_close();
  const auto end = all.find("\r\n\r\n");
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(all.find("Transfer-Encoding"), std::string::npos);
  EXPECT_NE(all.substr(0, end).find("Connection: close"), std::string::npos);
  EXPECT_EQ(all.substr(end + 4), streamed_body(300));
}

TEST_F(ServerTest, AStreamThatFailsPartWayCutsTheResponseShort) {
  start();
  {
    RawClient c(port_);
    c.send("GET /stream-fail HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\n\r\n");
    EXPECT_THROW(c.read_response(), std::runtime_error);  // no last chunk: visibly incomplete
  }
  RawClient c(port_);
  c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/next");
}

TEST_F(ServerTest, AbsoluteFormTargetIsReducedToItsPath) {
  start();
  RawClient c(port_);
  c.send("GET http://example.com/abs?k=v HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/abs");
  ASSERT_EQ(recorder_.seen.size(), 1U);
  EXPECT_EQ(recorder_.seen[0].raw_query, "k=v");
}

TEST_F(ServerTest, HundredConcurrentClients) {
  start();
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 100; ++t) {
    clients.emplace_back([&, t] {
      try {
        RawClient c(port_);
        for (int i = 0; i < 5; ++i) {
          std::string path = "/c" + std::to_string(t) + "/" + std::to_string(i);
          c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
          if (c.read_response().body == "path=" + path) ok.fetch_add(1);
        }
      } catch (const std::exception&) {
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 500);
}

TEST_F(ServerTest, CurlClientFromManyThreads) {
  start();
  const std::string path = "/x";
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        HttpRequest req{};
        req.path = path;
        if (curl(req).body == "path=/x") ok.fetch_add(1);
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 160);
}

TEST_F(ServerTest, MalformedRequestGets400AndTheConnectionCloses) {
  start();
  for (std::string bad :
       {"GARBAGE\r\n\r\n", "GET /x HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "GET x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\n folded: header\r\n\r\n",
        "POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    RawClient c(port_);
    c.send(bad);
    RawResponse r = c.read_response();
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(r.has("Connection: close")) << bad;
    EXPECT_NE(r.body.find("detail"), std::string::npos);
    EXPECT_TRUE(c.closed_by_server()) << bad;
  }
  EXPECT_EQ(recorder_.calls.load(), 0);
}

TEST_F(ServerTest, UnsupportedVersionAndCoding) {
  start();
  {
    RawClient c(port_);
    c.send("GET / HTTP/2.0\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 505);
  }
  {
    RawClient c(port_);
    c.send("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 501);
  }
}

TEST_F(ServerTest, OversizedBodyGets413) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  start(options);
  {
    RawClient c(port_);
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
           std::string(5000, 'a'));
    RawResponse r = c.read_response();
    EXPECT_EQ(r.status, 413);
    EXPECT_TRUE(c.closed_by_server());
  }
  {
    RawClient c(port_);
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3E8\r\n" +
           std::string(1000, 'a') + "\r\n1\r\nb\r\n0\r\n\r\n");
    EXPECT_EQ(c.read_response().status, 413);
  }
  HttpRequest req;
  req.method = "POST";
  req.body = std::string(1000, 'a');
  EXPECT_EQ(curl(req).status, 200);
  EXPECT_EQ(recorder_.calls.load(), 1);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  start(options);
  RawClient c(port_);
  c.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4000, 'h') + "\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 431);
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, HeadHasContentLengthButNoBody) {
  start();
  RawClient c(port_);
  c.send("HEAD /abc HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse head = c.read_response(/*head_request=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.has("Content-Length: 9"));  // "path=/abc"
  RawResponse next = c.read_response();
  EXPECT_EQ(next.body, "path=/next");  // nothing was left between the two
}

TEST_F(ServerTest, SetCookiesAreWrittenAndHeaderInjectionIsDropped) {
  start();
  RawClient c(port_);
  c.send("GET /cookie HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_TRUE(r.has("Set-Cookie: a=1; Path=/"));
  EXPECT_TRUE(r.has("Set-Cookie: b=2; HttpOnly"));
  EXPECT_EQ(r.head.find("Injected"), std::string::npos);
}

TEST_F(ServerTest, HandlerThrowingGives500AndTheServerKeepsServing) {
  start();
  RawClient c(port_);
  c.send("GET /throw HTTP/1.1\r\nHost: x\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("Internal Server Error"), std::string::npos);
  c.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/after");
  EXPECT_EQ(curl({}).status, 200);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start();
  RawClient c(port_);
  c.send("GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_EQ(r.body, "path=/a");
  EXPECT_TRUE(r.has("Connection: close"));
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_EQ(recorder_.calls.load(), 1);
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  start();
  {
    RawClient c(port_);
    c.send("GET /a HTTP/1.0\r\n\r\n");
    EXPECT_EQ(c.read_response().body, "path=/a");
    EXPECT_TRUE(c.closed_by_server());
  }
  RawClient c(port_);
  c.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  RawResponse r = c.read_response();
  EXPECT_TRUE(r.has("Connection: keep-alive"));
  c.send("GET /b HTTP/1.0\r\n\r\n");
  EXPECT_EQ(c.read_response().body, "path=/b");
}

TEST_F(ServerTest, SlowClientGets408) {
  ServerOptions options;
  options.read_timeout = 200ms;
  start(options);
  RawClient c(port_);
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n");  // never finishes its headers
  auto started = std::chrono::steady_clock::now();
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 408);
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 200ms;
  start(options);
  RawClient c(port_);
  c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  c.read_response();
  EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, StopReturnsPromptlyWithIdleKeepAliveConnections) {
  start();
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 10; ++i) {
    idle.push_back(std::make_unique<RawClient>(port_));
    idle.back()->send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    idle.back()->read_response();
  }
  auto started = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  for (auto& c : idle) EXPECT_TRUE(c->closed_by_server());
  server_->stop();  // twice is fine
}

TEST_F(ServerTest, StopFinishesTheRequestInFlight) {
  start();
  RawClient c(port_);
  c.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  while (recorder_.calls.load() == 0) std::this_thread::sleep_for(5ms);
  server_->stop();
  RawResponse r = c.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "path=/slow");
  EXPECT_TRUE(r.has("Connection: close"));
}

TEST_F(ServerTest, ListeningOnABusyPortFailsWithTheAddress) {
  start();
  ServerOptions options;
  options.port = port_;
  Server second([](Request&) { return Response::text(200, ""); }, options);
  try {
    second.start();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(port_)), std::string::npos);
  }
}

}  // namespace
}  // namespace ld::web
