#pragma once
// A real HTTP/1.1 server on 127.0.0.1 for tests: answers from a script (or a handler), can
// reset, close or hang a connection instead of answering, and records every request it got.
//
//   ld::test::LoopbackServer server;                       // listening on a port the OS chose
//   server.script({Step::respond(503), Step::reset(), Step::respond(200, R"({"ok":true})")});
//   ... point a client at server.url() ...
//   EXPECT_EQ(server.requests().size(), 3u);
//   EXPECT_EQ(server.requests()[0].header("x-amz-date"), "20150830T123600Z");
//
// Each request takes the next scripted step; when the script is empty, the handler (if any)
// decides; with neither, the answer is 501 "nothing scripted". Connections are kept alive
// (HTTP/1.1) unless the request or the step's headers say "Connection: close".
// A plain POSIX socket server rather than cpp-httplib: a test needs to reset or hang a socket
// mid-script, count TCP connections, and hash a large upload without keeping it in memory.
//
// Note for clients that reuse connections (libcurl, so ld::aws transports): a reset or close on a
// kept-alive connection, before any byte of answer, makes libcurl send the request again once on
// a new connection (it cannot tell it from an idle connection the server dropped). To see the
// client's own reaction, put {"Connection", "close"} on the answer before a reset or close step.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace ld::test {

using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// What the server does with one request.
struct Step {
  enum class Action {
    Respond,  // send status, headers, body
    Reset,    // read the request, then close the socket with a TCP reset, no answer
    Close,    // read the request, then close the socket normally (FIN), no answer
    Hang,     // read the request and never answer; the connection stays open until the client
              // gives up or the server stops
  };
  Action action = Action::Respond;
  int status = 200;
  HeaderFields headers;  // sent as given; Content-Length and Date are added when missing
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before acting

  static Step respond(int status, std::string body = {}, HeaderFields headers = {});
  static Step reset();
  static Step close();
  static Step hang();
  // Same step, acted on after `d`.
  Step after(std::chrono::milliseconds d) &&;
};

// One request as the server received it.
struct ReceivedRequest {
  std::string method;
  std::string target;    // as on the request line: path?query, still percent-encoded
  std::string path;      // target before '?', still percent-encoded
  std::string query;     // target after '?', raw ("" when none)
  HeaderFields headers;  // in order, case kept, repeats kept
  std::string body;      // empty when longer than the body limit (see body_size, body_sha256)
  std::uint64_t body_size = 0;
  std::string body_sha256;                        // lower-case hex of the whole body, however long
  std::chrono::steady_clock::time_point arrived;  // when the request's head was complete
  int connection = 0;                             // 1-based number of the TCP connection it came on

  // First value of a header (case-insensitive name).
  std::optional<std::string> header(std::string_view name) const;
  // How many times a header appears.
  std::size_t header_count(std::string_view name) const;
  // First value of a query parameter, percent-decoded.
  std::optional<std::string> query_param(std::string_view name) const;
};

// The server. Starts listening in the constructor; stops (and joins its threads) in the
// destructor or stop(). Every method is thread-safe.
class LoopbackServer {
 public:
  // Decides the answer when the script is empty. Calls are serialized (never concurrent).
  using Handler = std::function<Step(const ReceivedRequest&)>;

  LoopbackServer();
  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Appends steps to the script; each request consumes one, in order.
  void script(std::vector<Step> steps);
  void set_handler(Handler handler);
  // Bodies longer than this are hashed and counted but not kept (default 8 MiB).
  void set_body_limit(std::size_t bytes);

  std::vector<ReceivedRequest> requests() const;
  std::size_t request_count() const;
  // TCP connections accepted so far.
  int connections() const;
  // Waits until at least `n` requests arrived; false on time-out.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

  void stop();

 private:
  struct Connection {
    int fd = -1;  // -1 once closed; guarded by mu_
    int id = 0;
    std::thread thread;
  };

  void accept_loop();
  void serve(Connection* connection);
  Step next_step(const ReceivedRequest& request);
  void close_connection(Connection* connection, bool reset);

  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  mutable std::mutex mu_;
  mutable std::condition_variable arrived_;
  bool stopping_ = false;
  std::list<Connection> connections_;
  int accepted_ = 0;
  std::vector<Step> script_;
  std::size_t next_ = 0;
  std::size_t body_limit_ = 8u << 20;
  std::vector<ReceivedRequest> requests_;
  std::mutex handler_mu_;
  Handler handler_;
};

}  // namespace ld::test
