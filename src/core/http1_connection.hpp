#pragma once
// One client connection for the socket transport: TCP, optionally wrapped in OpenSSL TLS, with
// every read and write bounded by a deadline. Errors are TransportErrors without the request's
// name (the transport adds it).
#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ld {

using Http1Clock = std::chrono::steady_clock;
using Http1Deadline = std::optional<Http1Clock::time_point>;  // nullopt = no limit

// Where a connection goes and how it is secured.
struct Http1Endpoint {
  std::string host;  // name or IP literal, without brackets
  int port = 0;
  SSL_CTX* tls = nullptr;  // null for plain HTTP
  bool verify_tls = true;
};

// An open TCP (or TLS) connection to one endpoint; not thread-safe, used by one request at a time.
class Http1Connection {
 public:
  // Resolves, connects (each address in turn) and, for TLS, handshakes and verifies the peer, all
  // before `deadline`. `deadline_is_request` says which limit that is, for the error's kind.
  static std::unique_ptr<Http1Connection> open(const Http1Endpoint& endpoint,
                                               Http1Deadline deadline, bool deadline_is_request);
  ~Http1Connection();
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  // Sends every byte; throws Timeout when the deadline passes, Reset when the peer is gone.
  void write_all(std::string_view data, Http1Deadline deadline);
  // Reads what is there (waiting for at least one byte); 0 means the peer closed.
  std::size_t read_some(char* buffer, std::size_t size, Http1Deadline deadline);
  // True when the idle connection still looks usable: nothing to read and no hang-up.
  bool still_open() const;

 private:
  Http1Connection(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  // Waits for `events` on the socket; false when the deadline passed first.
  bool wait(short events, Http1Deadline deadline) const;
  void handshake(const Http1Endpoint& endpoint, Http1Deadline deadline, bool deadline_is_request);

  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

}  // namespace ld
