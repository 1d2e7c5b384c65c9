#pragma once
// Reading an HTTP/1.x response off a socket-transport connection.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http.hpp"
#include "core/http1_connection.hpp"

namespace ld {

// A final response and whether its connection may carry another request.
struct Http1Response {
  HttpResponse response;
  bool keep_alive = false;
};

// Reads one response: skips interim 1xx answers, then reads the body by its framing
// (Content-Length, chunked with trailers, or up to the close). Throws TransportError.
class Http1ResponseReader {
 public:
  static constexpr std::size_t kMaxHeadBytes = 64 * 1024;

  Http1ResponseReader(Http1Connection& connection, Http1Deadline deadline)
      : connection_(connection), deadline_(deadline) {}
  Http1Response read(bool head_request);
  // True once any byte of a response arrived (a failure before that may be retried).
  bool received_any() const { return received_any_; }

 private:
  bool fill();  // reads more bytes; false when the peer closed
  std::string read_head();
  std::string read_line(const char* what);
  void read_exact(std::uint64_t size, std::string& out);
  void read_chunked(Http1Response& out);
  void read_to_close(std::string& out);

  Http1Connection& connection_;
  Http1Deadline deadline_;
  std::string buffer_;
  std::size_t start_ = 0;  // unread bytes are buffer_[start_, end)
  bool received_any_ = false;
};

}  // namespace ld
