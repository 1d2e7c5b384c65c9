#pragma once
// How the Runtime API reads HTTP/1.1 requests from a connection's buffer: in order (keep-alive
// and pipelining), bodies by Content-Length or chunked (a streamed response arrives in pieces,
// with its trailers), and Expect: 100-continue.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ld::local {

// Largest request body accepted (the payload limit of 6 MiB + 100 is checked by the handler).
inline constexpr std::size_t kRuntimeMaxBody = 16 * 1024 * 1024;

// One HTTP/1.1 request as the Runtime API reads it.
struct RuntimeRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // Connection: close (or HTTP/1.0 without keep-alive)
  // Transfer-Encoding: chunked: the request is taken at its head, its body comes from take_body().
  bool chunked = false;
  std::string header(const std::string& name) const;
};

// A piece of a chunked body, decoded; `last` with the trailers once the final chunk is read.
struct RuntimeBodyPart {
  std::string bytes;
  bool last = false;
  std::vector<std::pair<std::string, std::string>> trailers;
};

// Incremental request parser over a connection's buffer: feed bytes, take complete requests.
class RuntimeRequestParser {
 public:
  void feed(const char* data, std::size_t n) { buffer_.append(data, n); }
  // The next complete request (a chunked one at its head), nullopt when more bytes are needed or
  // a chunked body is being read; throws std::runtime_error for a malformed request or a body
  // over kRuntimeMaxBody.
  std::optional<RuntimeRequest> take();
  // While a chunked body is read: what has been decoded since the last call, nullopt when
  // nothing has. Throws std::runtime_error for malformed chunks.
  std::optional<RuntimeBodyPart> take_body();
  bool in_body() const { return in_body_; }
  // True once for each request that sent Expect: 100-continue and waits for its body.
  bool take_continue();

 private:
  std::string buffer_;
  bool in_body_ = false;
  std::size_t chunk_left_ = 0;  // bytes of the current chunk still to come
  bool chunk_crlf_ = false;     // the CRLF after a chunk's data is due
  bool trailers_ = false;       // the final chunk is read: trailers and the empty line are due
  bool continue_due_ = false;   // the head asked for 100 Continue and it is not yet sent
  bool continue_sent_ = false;  // for the request at the front of the buffer
};

}  // namespace ld::local
