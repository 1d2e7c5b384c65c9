#pragma once
// The Runtime API (2018-06-01) one instance talks to: a listener on 127.0.0.1 of its own, served
// by one thread that polls the listener, every connection of the runtime and a wake-up eventfd.
// Why not cpp-httplib: an idle instance holds GET /invocation/next open for minutes; httplib
// gives each connection a blocking worker, while here a held long-poll costs nothing but an fd.
// Requests are parsed from the connection's buffer in order, so keep-alive and pipelining
// (POST …/response and the next GET in one write) work.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "local/runtime_request.hpp"

namespace ld::local {

// One answer of the Runtime API.
struct RuntimeReply {
  int status = 202;
  std::string body = R"({"status":"OK"})";
  std::vector<std::pair<std::string, std::string>> headers;
};

// What the instance decides for each Runtime API call. Called on the server's thread only.
class RuntimeApiHandler {
 public:
  virtual ~RuntimeApiHandler() = default;
  // GET /runtime/invocation/next: the invocation to hand over, or nullopt to hold the request
  // until wake() (the server asks again then).
  virtual std::optional<RuntimeReply> next() = 0;
  virtual RuntimeReply response(const std::string& request_id, std::string body) = 0;
  virtual RuntimeReply error(const std::string& request_id, const std::string& error_type,
                             std::string body) = 0;
  virtual RuntimeReply init_error(const std::string& error_type, std::string body) = 0;

  // A streamed response (POST …/response with Lambda-Runtime-Function-Response-Mode: streaming):
  // stream_begin when its head arrives and stream_part for the body as it arrives (a reply from
  // either refuses the rest: it is sent and the connection closed), stream_end with its
  // trailers' Lambda-Runtime-Function-Error-Type and -Error-Body (base64 JSON), if any.
  virtual std::optional<RuntimeReply> stream_begin(const std::string& request_id) = 0;
  virtual std::optional<RuntimeReply> stream_part(const std::string& request_id,
                                                  std::string_view bytes) = 0;
  virtual RuntimeReply stream_end(const std::string& request_id, const std::string& error_type,
                                  const std::string& error_body) = 0;
};

// Serialises a reply (Content-Length framing, keep-alive unless `close`).
std::string format_runtime_reply(const RuntimeReply& reply, bool close);

// The per-instance server. start() binds 127.0.0.1:0 and starts the thread; the destructor stops.
class RuntimeApiServer {
 public:
  explicit RuntimeApiServer(RuntimeApiHandler& handler);
  ~RuntimeApiServer();
  RuntimeApiServer(const RuntimeApiServer&) = delete;
  RuntimeApiServer& operator=(const RuntimeApiServer&) = delete;

  void start();
  int port() const { return port_; }
  // Makes the server ask the handler again for held GET /next requests. Thread-safe.
  void wake();
  // Answers a held GET /next from the calling thread, when one is held (a warm runtime waiting):
  // the invocation goes out without waking the server's thread. False when none is held (the
  // caller then wake()s). Thread-safe.
  bool deliver();
  void stop();

 private:
  struct Connection;
  void run();
  void serve(Connection& c);
  void dispatch(Connection& c, RuntimeRequest request);
  // A chunked request's head, then each piece of its body.
  void begin_chunked(Connection& c, RuntimeRequest request);
  void body_part(Connection& c, RuntimeBodyPart part);
  void send_reply(Connection& c, const RuntimeReply& reply, bool close);

  RuntimeApiHandler& handler_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex connections_m_;  // the connections' state: the server's thread and deliver()
  std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace ld::local
