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

}  // namespace
}  // namespace ld::local
