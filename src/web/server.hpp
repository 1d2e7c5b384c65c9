#pragma once
// The local HTTP/1.1 server: serves a web::Handler on a loopback (or any) address, for
// `github-digest serve`, demos and tests.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "web/handler.hpp"

namespace ld::web {

struct ServerOptions {
  std::string host = "127.0.0.1";                // numeric address or a name ("localhost")
  std::uint16_t port = 0;                        // 0: the system picks one; see Server::port()
  unsigned threads = 0;                          // worker threads; 0: one per core
  std::size_t max_header_bytes = 16 * 1024;      // request line + headers, else 431
  std::size_t max_body_bytes = 6 * 1024 * 1024;  // like a Function URL's payload limit, else 413
  // A started request must arrive in full, and its body must keep moving, within this.
  std::chrono::milliseconds read_timeout{10000};
  // A response that cannot be written for this long closes the connection.
  std::chrono::milliseconds write_timeout{10000};
  // An idle keep-alive connection is closed after this.
  std::chrono::milliseconds idle_timeout{60000};
  // stop() waits this long for in-flight responses to be written.
  std::chrono::milliseconds stop_timeout{5000};
};

// Serves a Handler over HTTP/1.1: keep-alive, pipelining, chunked request bodies, HEAD, size
// limits and time-outs. A fixed pool of worker threads, each running an epoll loop over its own
// connections, so idle keep-alive connections cost no thread. The handler runs on the worker
// threads, several at once.
class Server {
 public:
  explicit Server(Handler handler, ServerOptions options = {});
  ~Server();  // stops
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Throws ld::Error naming the address when it cannot.
  void start();
  // The port listened on (the chosen one when options.port was 0); 0 before start().
  std::uint16_t port() const;
  // Stops accepting, finishes in-flight requests (up to stop_timeout), closes every connection
  // and joins the threads. Safe to call more than once and from any thread but a handler's.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ld::web
