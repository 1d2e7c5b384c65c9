// The per-instance Runtime API server: routing, long-poll hold and wake, keep-alive and
// pipelined requests read in order from one buffer.
#include "local/runtime_api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace ld::local {
namespace {

using namespace std::chrono_literals;

// Hands out one event when `ready`, records what the runtime posted.
class ScriptedHandler : public RuntimeApiHandler {
 public:
  std::optional<RuntimeReply> next() override {
    std::lock_guard lock(m);
    if (!ready) return std::nullopt;
    ready = false;
    RuntimeReply r;
    r.status = 200;
    r.body = R"({"n":)" + std::to_string(++handed) + "}";
    r.headers = {{"Lambda-Runtime-Aws-Request-Id", "id-" + std::to_string(handed)}};
    return r;
  }
  RuntimeReply response(const std::string& id, std::string body) override {
    std::lock_guard lock(m);
    posted += id + "=" + body + ";";
    return {};
  }
  RuntimeReply error(const std::string& id, const std::string& type, std::string) override {
    std::lock_guard lock(m);
    posted += id + "!" + type + ";";
    return {};
  }
  RuntimeReply init_error(const std::string& type, std::string) override {
    std::lock_guard lock(m);
    posted += "init!" + type + ";";
    return {};
  }
  std::optional<RuntimeReply> stream_begin(const std::string& id) override {
    std::lock_guard lock(m);
    posted += id + "<";
    return std::nullopt;
  }
  std::optional<RuntimeReply> stream_part(const std::string&, std::string_view bytes) override {
    std::lock_guard lock(m);
    posted += "[" + std::string(bytes) + "]";
    parts_seen.notify_all();
    return std::nullopt;
  }
  RuntimeReply stream_end(const std::string&, const std::string& type,
                          const std::string& body) override {
    std::lock_guard lock(m);
    posted += ">" + type + (body.empty() ? "" : ":" + body) + ";";
    return {};
  }
  std::condition_variable parts_seen;
  std::mutex m;
  bool ready = false;
  int handed = 0;
  std::string posted;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Reads until `count` complete replies (by Content-Length) have arrived.
std::string read_replies(int fd, int count) {
  std::string in;
  char buf[4096];
  auto complete = [&] {
    std::size_t pos = 0;
    for (int i = 0; i < count; ++i) {
      std::size_t end = in.find("\r\n\r\n", pos);
      if (end == std::string::npos) return false;
      std::size_t cl = in.find("Content-Length: ", pos);
      std::size_t len = std::stoul(in.substr(cl + 16));
      if (in.size() < end + 4 + len) return false;
      pos = end + 4 + len;
    }
    return true;
  };
  while (!complete()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return in;
}

void send_all(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), 0), static_cast<ssize_t>(s.size()));
}

const std::string kNext = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n";

TEST(RuntimeApiServer, HoldsNextUntilWokenThenAnswersPipelinedRequestsInOrder) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  send_all(fd, kNext);
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(handler.m);
    EXPECT_EQ(handler.handed, 0);  // held
    handler.ready = true;
  }
  server.wake();
  std::string first = read_replies(fd, 1);
  EXPECT_NE(first.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << first;
  EXPECT_NE(first.find("Lambda-Runtime-Aws-Request-Id: id-1\r\n"), std::string::npos);
  EXPECT_NE(first.find("\r\n\r\n{\"n\":1}"), std::string::npos);

  // The response and the next GET in one write, as our runtime sends them.
  {
    std::lock_guard lock(handler.m);
    handler.ready = true;
  }
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-1/response HTTP/1.1\r\nContent-Length: 4\r\n"
           "\r\nabcd" +
               kNext);
  std::string both = read_replies(fd, 2);
  std::size_t accepted = both.find("HTTP/1.1 202 Accepted");
  std::size_t event = both.find("HTTP/1.1 200 OK");
  ASSERT_NE(accepted, std::string::npos) << both;
  ASSERT_NE(event, std::string::npos) << both;
  EXPECT_LT(accepted, event);
  EXPECT_NE(both.find(R"({"status":"OK"})"), std::string::npos);
  EXPECT_NE(both.find("id-2"), std::string::npos);
  {
    std::lock_guard lock(handler.m);
    EXPECT_EQ(handler.posted, "id-1=abcd;");
  }
  ::close(fd);
}

TEST(RuntimeApiServer, RoutesErrorsAndInitErrorsAndRejectsUnknownPaths) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-9/error HTTP/1.1\r\n"
           "Lambda-Runtime-Function-Error-Type: Oops\r\nContent-Length: 2\r\n\r\n{}"
           "POST /2018-06-01/runtime/init/error HTTP/1.1\r\n"
           "Lambda-Runtime-Function-Error-Type: Bad\r\nContent-Length: 0\r\n\r\n"
           "GET /2018-06-01/nowhere HTTP/1.1\r\n\r\n");
  std::string replies = read_replies(fd, 3);
  EXPECT_NE(replies.find("404"), std::string::npos) << replies;
  {
    std::lock_guard lock(handler.m);
    EXPECT_EQ(handler.posted, "id-9!Oops;init!Bad;");
  }
  ::close(fd);
}

TEST(RuntimeApiServer, AMalformedRequestGets400AndTheConnectionClosed) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  send_all(fd, "NONSENSE\r\n\r\n");
  std::string reply = read_replies(fd, 1);
  EXPECT_NE(reply.find("HTTP/1.1 400"), std::string::npos) << reply;
  EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  ::close(fd);
}

std::string posted(ScriptedHandler& handler) {
  std::lock_guard lock(handler.m);
  return handler.posted;
}

TEST(RuntimeApiServer, AStreamedResponseReachesTheHandlerAsItArrivesWithItsTrailers) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  // The head and the first chunk, then a pause: the first chunk is handed on before the rest.
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-1/response HTTP/1.1\r\n"
           "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
           "Transfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type\r\n\r\n"
           "5\r\nfirst\r\n");
  {
    std::unique_lock lock(handler.m);
    ASSERT_TRUE(handler.parts_seen.wait_for(lock, 2s, [&] { return handler.posted.size() > 6; }));
    EXPECT_EQ(handler.posted, "id-1<[first]");
  }
  // The rest split mid-size-line, mid-data and mid-trailer.
  for (const std::string piece :
       {"a", ";ext=1\r\n0123456", "789\r\n0\r\nLambda-Runtime-Fun",
        "ction-Error-Type: Boom\r\nLambda-Runtime-Function-Error-Body: e30=", "\r\n\r\n"}) {
    send_all(fd, piece);
    std::this_thread::sleep_for(10ms);
  }
  const std::string reply = read_replies(fd, 1);
  EXPECT_NE(reply.find("HTTP/1.1 202"), std::string::npos) << reply;
  // However the pieces were read, every byte came once, in order, and the trailers at the end.
  std::string all = posted(handler);
  for (std::size_t at; (at = all.find("][")) != std::string::npos;) all.erase(at, 2);
  EXPECT_EQ(all, "id-1<[first0123456789]>Boom:e30=;");
  ::close(fd);
}

TEST(RuntimeApiServer, ExpectContinueIsAnsweredAndChunkedBuffersAreReadWhole) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  // curl sends Expect: 100-continue for a body of unknown size and waits a second for the 100.
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-2/response HTTP/1.1\r\n"
           "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_NE(read_replies(fd, 1).find("HTTP/1.1 202"), std::string::npos);
  EXPECT_EQ(posted(handler), "id-2=abcde;");  // not streamed: one response, whole

  // With Content-Length too.
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-3/response HTTP/1.1\r\n"
           "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  const ssize_t m = ::recv(fd, buf, sizeof buf, 0);
  ASSERT_GT(m, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(m)), "HTTP/1.1 100 Continue\r\n\r\n");
  send_all(fd, "ok");
  EXPECT_NE(read_replies(fd, 1).find("HTTP/1.1 202"), std::string::npos);
  EXPECT_EQ(posted(handler), "id-2=abcde;id-3=ok;");
  ::close(fd);
}

TEST(RuntimeApiServer, RefusesAnUnknownResponseModeAndMalformedChunks) {
  ScriptedHandler handler;
  RuntimeApiServer server(handler);
  server.start();
  int fd = connect_to(server.port());
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-4/response HTTP/1.1\r\n"
           "Lambda-Runtime-Function-Response-Mode: buffered\r\nContent-Length: 0\r\n\r\n");
  const std::string mode = read_replies(fd, 1);
  EXPECT_NE(mode.find("HTTP/1.1 400"), std::string::npos) << mode;
  EXPECT_NE(mode.find("InvalidFunctionResponseMode"), std::string::npos) << mode;
  ::close(fd);

  fd = connect_to(server.port());
  send_all(fd,
           "POST /2018-06-01/runtime/invocation/id-5/response HTTP/1.1\r\n"
           "Lambda-Runtime-Function-Response-Mode: streaming\r\n"
           "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
  const std::string bad = read_replies(fd, 1);
  EXPECT_NE(bad.find("HTTP/1.1 400"), std::string::npos) << bad;
  EXPECT_NE(bad.find("bad chunk size: zz"), std::string::npos) << bad;
  EXPECT_NE(bad.find("Connection: close"), std::string::npos) << bad;
  ::close(fd);
  EXPECT_EQ(posted(handler), "id-5<");
}

}  // namespace
}  // namespace ld::local
