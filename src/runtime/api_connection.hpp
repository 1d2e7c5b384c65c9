#pragma once
// One kept-alive HTTP/1.1 connection to the Lambda Runtime API (AWS_LAMBDA_RUNTIME_API, a bare
// host:port): a tiny blocking client on POSIX sockets whose buffers live as long as the
// connection, so an invocation allocates nothing here once the buffers have grown to fit the
// largest payload seen. Not libcurl: its start-up cost shows in every cold start.
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ld::runtime {

// The Runtime API could not be reached, or dropped the connection, even after one reconnect.
class ApiUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using HeaderView = std::pair<std::string_view, std::string_view>;

// An answer from the Runtime API. Views stay valid until the next request on the connection.
struct ApiReply {
  int status = 0;
  std::vector<HeaderView> headers;  // into the connection's head buffer
  std::string_view body;            // into the connection's body buffer

  // First value of a header (case-insensitive name).
  std::optional<std::string_view> header(std::string_view name) const;
};

// The connection. Connects lazily on the first request; reconnects once when a request finds it
// dropped (a kept-alive connection the server closed, a reset), then gives up with ApiUnreachable.
class ApiConnection {
 public:
  // `host_port` is "host:port" ("127.0.0.1:9001", "localhost:9001", "[::1]:9001").
  explicit ApiConnection(std::string host_port);
  ~ApiConnection();
  ApiConnection(const ApiConnection&) = delete;
  ApiConnection& operator=(const ApiConnection&) = delete;

  // Sends one request and reads its answer (Content-Length, chunked, or until close). `headers`
  // are extra request header fields. Blocks without a time-out (GET /next waits for an event).
  const ApiReply& send(std::string_view method, std::string_view path, std::string_view body = {},
                       const std::vector<HeaderView>& headers = {});

  // What the Runtime API answered to a POST sent by post_then_get().
  struct PostAnswer {
    int status = 0;
    std::string body;  // at most 500 bytes, for messages
  };

  // Posts `body` to `post_path` and, in the same write, sends `GET get_path` behind it (HTTP/1.1
  // pipelining: the server answers both in order, so an invocation costs one round trip instead
  // of two). Returns the GET's answer; the POST's is in `posted`. When the connection drops
  // before the POST is answered, both are sent again once on a new connection, as send() does.
  const ApiReply& post_then_get(std::string_view post_path, std::string_view body,
                                const std::vector<HeaderView>& headers, std::string_view get_path,
                                PostAnswer& posted);

  const std::string& host_port() const { return host_port_; }
  // TCP connections opened so far.
  int connections_opened() const { return opened_; }

 private:
  bool attempt(std::string_view method, std::string_view path, std::string_view body,
               const std::vector<HeaderView>& headers);
  bool open();
  void close();
  void append_head(std::string_view method, std::string_view path, std::string_view body,
                   const std::vector<HeaderView>& headers);
  // Writes one request, and a bodiless GET of `then_get` behind it when that is not empty.
  bool write_request(std::string_view method, std::string_view path, std::string_view body,
                     const std::vector<HeaderView>& headers, std::string_view then_get = {});
  bool read_reply();
  // Reads until `in_` holds at least `size` bytes; false on EOF or error.
  bool fill(std::size_t size);
  bool read_chunked(std::size_t start);

  std::string host_port_;
  std::string host_;
  std::string port_;
  int fd_ = -1;
  int opened_ = 0;
  bool close_after_reply_ = false;
  std::string error_;              // why the last attempt failed
  std::string out_;                // request head being written
  std::string in_;                 // bytes read and not yet consumed
  std::string head_;               // the reply's status line and header fields
  std::string body_;               // the reply's body
  std::unique_ptr<char[]> chunk_;  // recv buffer
  ApiReply reply_;
};

}  // namespace ld::runtime
