#include "local/runtime_api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/strings.hpp"

namespace ld::local {

namespace {

constexpr const char* kPrefix = "/2018-06-01/runtime/";

RuntimeReply error_reply(int status, const std::string& type, const std::string& message) {
  RuntimeReply r;
  r.status = status;
  r.body = nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump();
  return r;
}

void write_all(int fd, const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the runtime went away; its connection is closed by the next read
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string format_runtime_reply(const RuntimeReply& reply, bool close) {
  std::string out =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + std::string(reason_phrase(reply.status)) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(reply.body.size()) +
      "\r\n";
  for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  out += reply.body;
  return out;
}

struct RuntimeApiServer::Connection {
  int fd = -1;
  RuntimeRequestParser parser;
  std::optional<RuntimeRequest> chunked;  // a chunked request whose body is being read
  std::string stream_id;                  // … a streamed response of this invocation
  std::string body;                       // … else its body so far
  std::vector<std::pair<std::string, std::string>> trailers;
  bool holding_next = false;  // a GET /next waits for an invocation
  bool close_after_next = false;
  bool closed = false;
};

RuntimeApiServer::RuntimeApiServer(RuntimeApiHandler& handler) : handler_(handler) {}

RuntimeApiServer::~RuntimeApiServer() {
  stop();
}

void RuntimeApiServer::start() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw Error(std::string("Runtime API socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 16) != 0)
    throw Error(std::string("Runtime API bind on 127.0.0.1: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw Error(std::string("Runtime API eventfd: ") + std::strerror(errno));
  thread_ = std::thread([this] { run(); });
}

void RuntimeApiServer::wake() {
  std::uint64_t one = 1;
  if (wake_fd_ >= 0) [[maybe_unused]]
    auto n = ::write(wake_fd_, &one, sizeof one);
}

bool RuntimeApiServer::deliver() {
  std::lock_guard lock(connections_m_);
  for (auto& c : connections_) {
    if (c->closed || !c->holding_next) continue;
    serve(*c);
    return !c->holding_next;
  }
  return false;
}

void RuntimeApiServer::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    wake();
    thread_.join();
  }
  std::lock_guard lock(connections_m_);
  for (auto& c : connections_)
    if (c->fd >= 0) ::close(c->fd);
  connections_.clear();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  listen_fd_ = wake_fd_ = -1;
}

void RuntimeApiServer::run() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    std::unique_lock lock(connections_m_);
    fds.clear();
    fds.push_back({listen_fd_, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    for (auto& c : connections_) fds.push_back({c->fd, POLLIN, 0});
    lock.unlock();
    int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (stopping_) return;
    lock.lock();  // only this thread adds or removes connections: fds still match them
    if (fds[1].revents & POLLIN) {
      std::uint64_t v;
      [[maybe_unused]] auto r = ::read(wake_fd_, &v, sizeof v);
    }
    for (std::size_t i = 2; i < fds.size(); ++i) {
      Connection& c = *connections_[i - 2];
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        c.closed = true;
        continue;
      }
      c.parser.feed(buf, static_cast<std::size_t>(got));
    }
    // Serve every connection: new requests, and held GET /next that may now be answered.
    for (auto& c : connections_)
      if (!c->closed) serve(*c);
    for (auto it = connections_.begin(); it != connections_.end();) {
      if ((*it)->closed) {
        ::close((*it)->fd);
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    if (fds[0].revents & POLLIN) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        connections_.push_back(std::move(c));
      }
    }
  }
}

void RuntimeApiServer::serve(Connection& c) {
  while (!c.closed) {
    if (c.holding_next) {
      std::optional<RuntimeReply> reply = handler_.next();
      if (!reply) return;
      c.holding_next = false;
      write_all(c.fd, format_runtime_reply(*reply, c.close_after_next));
      if (c.close_after_next) {
        c.closed = true;
        return;
      }
    }
    try {
      if (c.parser.in_body()) {
        std::optional<RuntimeBodyPart> part = c.parser.take_body();
        if (!part) return;
        body_part(c, std::move(*part));
        continue;
      }
      std::optional<RuntimeRequest> req = c.parser.take();
      if (c.parser.take_continue()) write_all(c.fd, "HTTP/1.1 100 Continue\r\n\r\n");
      if (!req) return;
      if (req->chunked) {
        begin_chunked(c, std::move(*req));
      } else {
        dispatch(c, std::move(*req));
      }
    } catch (const std::exception& e) {
      write_all(c.fd, format_runtime_reply(error_reply(400, "InvalidRequest", e.what()), true));
      c.closed = true;
      return;
    }
  }
}

namespace {

// The invocation id of POST /2018-06-01/runtime/invocation/{id}/response, or "".
std::string response_id(const RuntimeRequest& req) {
  if (req.method != "POST") return {};
  const std::string path = req.target.substr(0, req.target.find('?'));
  const std::string prefix = std::string(kPrefix) + "invocation/";
  const std::string suffix = "/response";
  if (path.size() <= prefix.size() + suffix.size() || path.rfind(prefix, 0) != 0 ||
      path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
    return {};
  std::string id = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  return id.find('/') == std::string::npos ? id : std::string();
}

// The response mode header checked: true for streaming, false when absent or refused (any other
// value: `refusal` is then the Runtime API's 400).
bool streaming_mode(const RuntimeRequest& req, RuntimeReply& refusal) {
  const std::string mode = req.header("Lambda-Runtime-Function-Response-Mode");
  if (mode.empty()) return false;
  if (iequals(mode, "streaming")) return true;
  refusal =
      error_reply(400, "InvalidFunctionResponseMode",
                  "Lambda-Runtime-Function-Response-Mode must be 'streaming', not '" + mode + "'");
  return false;
}

std::string trailer(const std::vector<std::pair<std::string, std::string>>& trailers,
                    const std::string& name) {
  for (const auto& [k, v] : trailers)
    if (iequals(k, name)) return v;
  return {};
}

}  // namespace

void RuntimeApiServer::send_reply(Connection& c, const RuntimeReply& answer, bool close) {
  write_all(c.fd, format_runtime_reply(answer, close));
  if (close) c.closed = true;
}

void RuntimeApiServer::begin_chunked(Connection& c, RuntimeRequest req) {
  c.body = {};
  c.chunked = std::move(req);
  c.stream_id.clear();
  const std::string id = response_id(*c.chunked);
  RuntimeReply refusal;
  const bool streaming = !id.empty() && streaming_mode(*c.chunked, refusal);
  if (refusal.status != 202) return send_reply(c, refusal, true);
  if (!streaming) return;  // a chunked body read whole, then dispatched as any request
  if (std::optional<RuntimeReply> refused = handler_.stream_begin(id)) {
    return send_reply(c, *refused, true);
  }
  c.stream_id = id;
}

void RuntimeApiServer::body_part(Connection& c, RuntimeBodyPart part) {
  if (!c.chunked) throw std::runtime_error("a body without a request");
  for (auto& t : part.trailers) c.trailers.push_back(std::move(t));
  if (!c.stream_id.empty()) {
    if (!part.bytes.empty()) {
      // Refused: the invocation is over, or the response is too large.
      if (std::optional<RuntimeReply> refused = handler_.stream_part(c.stream_id, part.bytes)) {
        c.chunked.reset();
        c.trailers.clear();
        return send_reply(c, *refused, true);
      }
    }
    if (!part.last) return;
    RuntimeReply answer =
        handler_.stream_end(c.stream_id, trailer(c.trailers, "Lambda-Runtime-Function-Error-Type"),
                            trailer(c.trailers, "Lambda-Runtime-Function-Error-Body"));
    const bool close = c.chunked->close;
    c.chunked.reset();
    c.trailers.clear();
    return send_reply(c, answer, close);
  }
  if (c.body.size() + part.bytes.size() > kRuntimeMaxBody) {
    c.chunked.reset();
    return send_reply(c, error_reply(413, "RequestEntityTooLarge", "body too large"), true);
  }
  c.body += part.bytes;
  if (!part.last) return;
  RuntimeRequest whole = std::move(*c.chunked);
  c.chunked.reset();
  c.trailers.clear();
  whole.body = std::move(c.body);
  c.body = {};
  dispatch(c, std::move(whole));
}

void RuntimeApiServer::dispatch(Connection& c, RuntimeRequest req) {
  std::string path = req.target.substr(0, req.target.find('?'));
  RuntimeReply reply;
  if (path.rfind(kPrefix, 0) != 0) {
    reply = error_reply(404, "NotFound", "no route " + path);
  } else {
    std::string rest = path.substr(std::strlen(kPrefix));
    if (rest == "invocation/next") {
      if (req.method != "GET") {
        reply = error_reply(405, "MethodNotAllowed", "GET only");
      } else {
        c.holding_next = true;
        c.close_after_next = req.close;
        return;  // answered by serve() once the handler has an invocation
      }
    } else if (rest == "init/error" && req.method == "POST") {
      reply = handler_.init_error(req.header("Lambda-Runtime-Function-Error-Type"),
                                  std::move(req.body));
    } else if (rest.rfind("invocation/", 0) == 0 && req.method == "POST") {
      std::string tail = rest.substr(11);
      std::size_t slash = tail.find('/');
      std::string id = tail.substr(0, slash);
      std::string what = slash == std::string::npos ? "" : tail.substr(slash + 1);
      RuntimeReply refusal;
      if (what == "response" && streaming_mode(req, refusal)) {
        // A streamed response sent with Content-Length: the whole stream at once.
        std::optional<RuntimeReply> refused = handler_.stream_begin(id);
        if (!refused && !req.body.empty()) refused = handler_.stream_part(id, req.body);
        reply = refused ? *refused : handler_.stream_end(id, {}, {});
      } else if (refusal.status != 202)
        reply = refusal;
      else if (what == "response")
        reply = handler_.response(id, std::move(req.body));
      else if (what == "error")
        reply = handler_.error(id, req.header("Lambda-Runtime-Function-Error-Type"),
                               std::move(req.body));
      else
        reply = error_reply(404, "NotFound", "no route " + path);
    } else {
      reply = error_reply(404, "NotFound", "no route " + path);
    }
  }
  write_all(c.fd, format_runtime_reply(reply, req.close));
  if (req.close) c.closed = true;
}

}  // namespace ld::local
