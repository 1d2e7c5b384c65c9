#include "support/loopback_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "web/response.hpp"

namespace ld::test {
namespace {

constexpr std::size_t kMaxHead = 64 * 1024;
constexpr std::size_t kChunk = 64 * 1024;

std::optional<std::string> find_header(const HeaderFields& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return v;
  return std::nullopt;
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Buffered reads from one socket.
class SocketReader {
 public:
  explicit SocketReader(int fd) : fd_(fd) {}
  std::string& buffer() { return buffer_; }

  // Reads more bytes into the buffer; false when the peer closed or the socket failed.
  bool fill() {
    char tmp[kChunk];
    for (;;) {
      ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buffer_.append(tmp, static_cast<std::size_t>(n));
      return true;
    }
  }

  // One CRLF-terminated line, without the CRLF.
  std::optional<std::string> line() {
    std::size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
      if (buffer_.size() > kMaxHead || !fill()) return std::nullopt;
    }
    std::string out = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return out;
  }

  // Passes exactly `n` bytes to `sink`, in pieces; false when the connection ended first.
  template <typename Sink>
  bool take(std::uint64_t n, Sink&& sink) {
    while (n > 0) {
      if (buffer_.empty() && !fill()) return false;
      std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(n, buffer_.size()));
      sink(std::string_view(buffer_).substr(0, piece));
      buffer_.erase(0, piece);
      n -= piece;
    }
    return true;
  }

 private:
  int fd_;
  std::string buffer_;
};

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

}  // namespace

Step Step::respond(int status, std::string body, HeaderFields headers) {
  Step s;
  s.status = status;
  s.body = std::move(body);
  s.headers = std::move(headers);
  return s;
}

Step Step::reset() {
  Step s;
  s.action = Action::Reset;
  return s;
}

Step Step::close() {
  Step s;
  s.action = Action::Close;
  return s;
}

Step Step::hang() {
  Step s;
  s.action = Action::Hang;
  return s;
}

Step Step::after(std::chrono::milliseconds d) && {
  delay = d;
  return std::move(*this);
}

std::optional<std::string> ReceivedRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

std::size_t ReceivedRequest::header_count(std::string_view name) const {
  std::size_t n = 0;
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) ++n;
  return n;
}

std::optional<std::string> ReceivedRequest::query_param(std::string_view name) const {
  for (const auto& pair : split(query, '&')) {
    auto eq = pair.find('=');
    std::string key = uri_decode(std::string_view(pair).substr(0, eq));
    if (key == name) return eq == std::string::npos ? "" : uri_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

LoopbackServer::LoopbackServer() : LoopbackServer(Handler{}) {}

LoopbackServer::LoopbackServer(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0)
    throw std::runtime_error("loopback server: socket: " + std::string(strerror(errno)));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0 ||
      ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string why = strerror(errno);
    ::close(listen_fd_);
    throw std::runtime_error("loopback server: cannot listen on 127.0.0.1: " + why);
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread(&LoopbackServer::accept_loop, this);
}

LoopbackServer::~LoopbackServer() {
  stop();
}

std::string LoopbackServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void LoopbackServer::script(std::vector<Step> steps) {
  std::lock_guard lock(mu_);
  for (auto& s : steps) script_.push_back(std::move(s));
}

void LoopbackServer::set_handler(Handler handler) {
  std::lock_guard lock(handler_mu_);
  handler_ = std::move(handler);
}

void LoopbackServer::set_body_limit(std::size_t bytes) {
  std::lock_guard lock(mu_);
  body_limit_ = bytes;
}

std::vector<ReceivedRequest> LoopbackServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::size_t LoopbackServer::request_count() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

int LoopbackServer::connections() const {
  std::lock_guard lock(mu_);
  return accepted_;
}

bool LoopbackServer::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void LoopbackServer::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    for (auto& c : connections_)
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);  // wakes recv()
  }
  arrived_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  for (auto& c : connections_)  // no new ones: the acceptor has ended
    if (c.thread.joinable()) c.thread.join();
  for (auto& c : connections_)
    if (c.fd >= 0) ::close(c.fd);
  ::close(listen_fd_);
}

void LoopbackServer::accept_loop() {
  for (;;) {
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    int error = errno;
    std::lock_guard lock(mu_);
    if (stopping_) {
      if (fd >= 0) ::close(fd);
      return;
    }
    if (fd < 0) {
      if (error == EINTR || error == ECONNABORTED) continue;
      return;
    }
    Connection& c = connections_.emplace_back();
    c.fd = fd;
    c.id = ++accepted_;
    c.thread = std::thread(&LoopbackServer::serve, this, &c);
  }
}

void LoopbackServer::close_connection(Connection* connection, bool reset) {
  std::lock_guard lock(mu_);
  if (connection->fd < 0) return;
  if (reset) {
    linger hard{1, 0};  // close() then sends RST instead of FIN
    ::setsockopt(connection->fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  }
  ::close(connection->fd);
  connection->fd = -1;
}

Step LoopbackServer::next_step(const ReceivedRequest& request) {
  {
    std::lock_guard lock(mu_);
    if (next_ < script_.size()) return script_[next_++];
  }
  std::lock_guard lock(handler_mu_);
  if (handler_) return handler_(request);
  return Step::respond(
      501, "loopback server: nothing scripted for " + request.method + " " + request.target + "\n");
}

void LoopbackServer::serve(Connection* connection) {
  int fd = connection->fd;  // stays valid until this thread closes it (or stop() does, after)
  SocketReader in(fd);
  auto refuse = [&](int status) {
    send_all(fd, "HTTP/1.1 " + std::to_string(status) + " " +
                     std::string(web::reason_phrase(status)) +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    close_connection(connection, false);
  };

  for (;;) {
    // The head: request line and header fields.
    std::size_t head_end;
    while ((head_end = in.buffer().find("\r\n\r\n")) == std::string::npos) {
      // Not HTTP at all (a TLS hello, say): say so at once rather than wait for a CRLF.
      if (!in.buffer().empty() && !is_token_char(in.buffer().front())) return refuse(400);
      if (in.buffer().size() > kMaxHead) return refuse(431);
      if (!in.fill()) return close_connection(connection, false);
    }
    ReceivedRequest r;
    r.arrived = std::chrono::steady_clock::now();
    r.connection = connection->id;
    std::string head = in.buffer().substr(0, head_end + 2);
    in.buffer().erase(0, head_end + 4);
    auto lines = split(head, '\n');
    std::string request_line(trim(lines.front()));
    auto parts = split(request_line, ' ');
    if (parts.size() != 3 || !parts[2].starts_with("HTTP/1.")) return refuse(400);
    r.method = parts[0];
    r.target = parts[1];
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
    for (std::size_t i = 1; i < lines.size(); ++i) {
      std::string_view l = lines[i];
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      if (l.empty()) continue;
      auto colon = l.find(':');
      if (colon == std::string_view::npos) return refuse(400);
      r.headers.emplace_back(std::string(l.substr(0, colon)),
                             std::string(trim(l.substr(colon + 1))));
    }
    bool http10 = parts[2] == "HTTP/1.0";
    auto conn_header = to_lower(r.header("Connection").value_or(""));
    bool close_after = conn_header == "close" || (http10 && conn_header != "keep-alive");

    if (iequals(r.header("Expect").value_or(""), "100-continue")) {
      if (!send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"))
        return close_connection(connection, false);
    }

    // The body: Content-Length or chunked; hashed whole, kept up to the limit.
    std::size_t limit;
    {
      std::lock_guard lock(mu_);
      limit = body_limit_;
    }
    Sha256 digest;
    bool keep = true;
    auto sink = [&](std::string_view piece) {
      digest.update(piece);
      r.body_size += piece.size();
      if (keep && r.body_size <= limit) {
        r.body.append(piece);
      } else {
        keep = false;
        r.body.clear();
        r.body.shrink_to_fit();
      }
    };
    if (iequals(r.header("Transfer-Encoding").value_or(""), "chunked")) {
      for (;;) {
        auto size_line = in.line();
        if (!size_line) return close_connection(connection, false);
        std::uint64_t size = 0;
        auto [p, ec] =
            std::from_chars(size_line->data(), size_line->data() + size_line->size(), size, 16);
        if (ec != std::errc() || p == size_line->data()) return refuse(400);
        if (size == 0) {
          for (;;) {  // trailers up to the empty line
            auto trailer = in.line();
            if (!trailer) return close_connection(connection, false);
            if (trailer->empty()) break;
          }
          break;
        }
        if (!in.take(size, sink) || !in.line()) return close_connection(connection, false);
      }
    } else if (auto length = r.header("Content-Length")) {
      std::uint64_t n = 0;
      auto [p, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
      if (ec != std::errc() || p != length->data() + length->size()) return refuse(400);
      if (!in.take(n, sink)) return close_connection(connection, false);
    }
    r.body_sha256 = hex_encode(as_chars(digest.finish()));

    Step step = next_step(r);
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r);
    }
    arrived_.notify_all();

    if (step.delay.count() > 0) {
      std::unique_lock lock(mu_);
      arrived_.wait_for(lock, step.delay, [&] { return stopping_; });
    }
    switch (step.action) {
      case Step::Action::Reset:
        return close_connection(connection, true);
      case Step::Action::Close:
        return close_connection(connection, false);
      case Step::Action::Hang:
        while (in.fill()) in.buffer().clear();  // until the client closes or stop() shuts down
        return close_connection(connection, false);
      case Step::Action::Respond:
        break;
    }

    if (iequals(find_header(step.headers, "Connection").value_or(""), "close")) close_after = true;
    bool no_body = r.method == "HEAD" || step.status == 204 || step.status == 304 ||
                   (step.status >= 100 && step.status < 200);
    std::string out = "HTTP/1.1 " + std::to_string(step.status) + " " +
                      std::string(web::reason_phrase(step.status)) + "\r\n";
    for (const auto& [k, v] : step.headers) out += k + ": " + v + "\r\n";
    if (!find_header(step.headers, "Content-Length") && step.status != 204 && step.status != 304 &&
        step.status >= 200) {
      out += "Content-Length: " + std::to_string(step.body.size()) + "\r\n";
    }
    if (!find_header(step.headers, "Date"))
      out += "Date: " + format_http_date(system_now()) + "\r\n";
    if (close_after && !find_header(step.headers, "Connection")) out += "Connection: close\r\n";
    out += "\r\n";
    if (!no_body) out += step.body;
    if (!send_all(fd, out) || close_after) return close_connection(connection, false);
  }
}

}  // namespace ld::test
