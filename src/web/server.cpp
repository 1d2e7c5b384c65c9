#include "web/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <functional>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "web/http_parser.hpp"

namespace ld::web {
namespace {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxPendingOutput = 1024 * 1024;  // stop reading until written
constexpr std::size_t kStreamWatermark = 256 * 1024;    // queued bytes a streamed body keeps
constexpr auto kLingerTime = std::chrono::milliseconds(2000);
constexpr auto kSweepInterval = std::chrono::milliseconds(100);

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  (void)ec;
  out.append(buf, static_cast<std::size_t>(end - buf));
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// A growable byte buffer read from the front and written at the back (no zero-filling).
class ByteBuffer {
 public:
  std::string_view view() const { return {data_.get() + begin_, end_ - begin_}; }
  std::size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  void consume(std::size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Free space of at least `n` bytes at the back.
  char* prepare(std::size_t n) {
    if (capacity_ - end_ >= n) return data_.get() + end_;
    if (begin_ > 0) {
      std::memmove(data_.get(), data_.get() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (capacity_ - end_ < n) {
      std::size_t cap = std::max(capacity_ * 2, end_ + n);
      auto bigger = std::make_unique<char[]>(cap);
      if (end_ > 0) std::memcpy(bigger.get(), data_.get(), end_);
      data_ = std::move(bigger);
      capacity_ = cap;
    }
    return data_.get() + end_;
  }
  std::size_t free_space() const { return capacity_ - end_; }
  void commit(std::size_t n) { end_ += n; }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0, begin_ = 0, end_ = 0;
};

// One accepted socket, with its buffers and the request being read.
struct Connection {
  Connection(int socket, std::string ip, RequestParser::Limits limits, TimePoint now)
      : fd(socket), source_ip(std::move(ip)), parser(limits), last_read(now), last_write(now) {}

  int fd;
  std::string source_ip;
  ByteBuffer in;
  std::string out;
  std::size_t out_sent = 0;
  RequestParser parser;
  Request request;
  bool request_started = false;
  bool sent_continue = false;
  bool close_after_flush = false;  // answer what is queued, then close
  bool peer_closed = false;        // the client half-closed (read returned 0)
  bool lingering = false;          // our side shut down; draining input before close
  bool paused = false;             // stopped parsing because too much output is queued
  bool dead = false;
  std::uint32_t events = 0;
  // A streamed body still being produced; requests behind it wait until it ends.
  std::function<bool(std::string&)> stream;
  bool stream_chunked = false;  // HTTP/1.1 chunks; HTTP/1.0 gets the bytes, then a close
  std::string piece;            // the stream's latest piece
  TimePoint request_start{};
  TimePoint last_read;
  TimePoint last_write;
  TimePoint linger_until{};

  std::size_t pending() const { return out.size() - out_sent; }
};

struct Accepted {
  int fd;
  std::string source_ip;
};

std::string peer_address(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
  } else if (addr.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
    inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

void wake(int event_fd) {
  std::uint64_t one = 1;
  ssize_t n = ::write(event_fd, &one, sizeof one);
  (void)n;
}

void drain_event(int event_fd) {
  std::uint64_t value = 0;
  ssize_t n = ::read(event_fd, &value, sizeof value);
  (void)n;
}

// One worker thread: an epoll loop over the connections the acceptor gives it.
class Worker {
 public:
  Worker(const Handler& handler, const ServerOptions& options, const std::atomic<bool>& stopping)
      : handler_(handler), options_(options), stopping_(stopping) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0)
      throw Error(std::string("local server: cannot create an epoll loop: ") +
                  std::strerror(errno));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
    std::random_device rd;
    rng_state_ = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    limits_.max_header_bytes = options.max_header_bytes;
    limits_.max_body_bytes = options.max_body_bytes;
  }

  ~Worker() {
    if (thread_.joinable()) thread_.join();
    for (auto& [ptr, conn] : connections_) ::close(conn->fd);
    std::lock_guard lock(incoming_mutex_);
    for (auto& a : incoming_) ::close(a.fd);
    ::close(wake_fd_);
    ::close(epoll_fd_);
  }

  void start() {
    thread_ = std::thread([this] { run(); });
  }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  void wake_up() { wake(wake_fd_); }
  int load() const { return load_.load(std::memory_order_relaxed); }

  // Called by the acceptor thread.
  void adopt(int fd, std::string source_ip) {
    load_.fetch_add(1, std::memory_order_relaxed);
    {
      std::lock_guard lock(incoming_mutex_);
      incoming_.push_back({fd, std::move(source_ip)});
    }
    wake(wake_fd_);
  }

 private:
  void run() {
    epoll_event events[128];
    bool draining = false;
    TimePoint drain_deadline{};
    TimePoint last_sweep = SteadyClock::now();
    for (;;) {
      int n = epoll_wait(epoll_fd_, events, 128, static_cast<int>(kSweepInterval.count()));
      now_ = SteadyClock::now();
      for (int i = 0; i < n; ++i) {
        if (events[i].data.ptr == nullptr) {
          drain_event(wake_fd_);
          take_incoming();
          continue;
        }
        auto* conn = static_cast<Connection*>(events[i].data.ptr);
        if (conn->dead) continue;
        on_event(*conn, events[i].events);
      }
      if (stopping_.load(std::memory_order_acquire) && !draining) {
        draining = true;
        drain_deadline = now_ + options_.stop_timeout;
        take_incoming();
        for (auto& [ptr, conn] : connections_) {
          if (conn->dead) continue;
          if (conn->pending() > 0 && !conn->lingering) {
            conn->close_after_flush = true;
            update_interest(*conn);
          } else {
            kill(*conn);
          }
        }
      }
      bury();
      if (draining) {
        if (connections_.empty()) return;
        if (now_ >= drain_deadline) {
          for (auto& [ptr, conn] : connections_) kill(*conn);
          bury();
          return;
        }
      }
      if (now_ - last_sweep >= kSweepInterval) {
        last_sweep = now_;
        sweep();
        bury();
      }
    }
  }

  void take_incoming() {
    std::vector<Accepted> batch;
    {
      std::lock_guard lock(incoming_mutex_);
      batch.swap(incoming_);
    }
    for (auto& a : batch) {
      if (stopping_.load(std::memory_order_acquire)) {
        ::close(a.fd);
        load_.fetch_sub(1, std::memory_order_relaxed);
        continue;
      }
      auto conn = std::make_unique<Connection>(a.fd, std::move(a.source_ip), limits_, now_);
      Connection* raw = conn.get();
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = raw;
      if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, a.fd, &ev) != 0) {
        ::close(a.fd);
        load_.fetch_sub(1, std::memory_order_relaxed);
        continue;
      }
      raw->events = EPOLLIN;
      connections_.emplace(raw, std::move(conn));
    }
  }

  void on_event(Connection& conn, std::uint32_t events) {
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(conn);
    if (!conn.dead && (events & EPOLLOUT)) flush(conn);
    if (!conn.dead) update_interest(conn);
  }

  void on_readable(Connection& conn) {
    if (conn.lingering) {
      char sink[4096];
      ssize_t n = ::recv(conn.fd, sink, sizeof sink, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) kill(conn);
      return;
    }
    if (conn.close_after_flush || conn.peer_closed || conn.paused) return;
    char* space = conn.in.prepare(kReadChunk);
    ssize_t n = ::recv(conn.fd, space, conn.in.free_space(), 0);
    if (n < 0) {
      if (errno != EAGAIN && errno != EINTR) kill(conn);
      return;
    }
    if (n == 0) {
      conn.peer_closed = true;
      process(conn);
      if (conn.pending() == 0) {
        kill(conn);
      } else {
        conn.close_after_flush = true;
      }
      return;
    }
    conn.in.commit(static_cast<std::size_t>(n));
    conn.last_read = now_;
    process(conn);
    if (!conn.dead) flush(conn);
  }

  // Answers every complete request in the input, in order.
  void process(Connection& conn) {
    while (!conn.close_after_flush && !conn.dead) {
      if (conn.pending() > kMaxPendingOutput) {
        conn.paused = true;
        return;
      }
      std::size_t used = 0;
      auto status = conn.parser.parse(conn.in.view(), used, conn.request);
      conn.in.consume(used);
      if (status == RequestParser::Status::Incomplete) {
        if (conn.parser.in_request() && !conn.request_started) {
          conn.request_started = true;
          conn.request_start = now_;
        }
        if (conn.parser.wants_continue() && !conn.sent_continue && !conn.peer_closed) {
          conn.out.append("HTTP/1.1 100 Continue\r\n\r\n");
          conn.sent_continue = true;
        }
        return;
      }
      if (status == RequestParser::Status::Error) {
        send_error(conn, conn.parser.error_status(), conn.parser.error_reason());
        return;
      }
      bool keep_alive = answer(conn);
      conn.parser.reset();
      reset_request(conn.request);
      conn.request_started = false;
      conn.sent_continue = false;
      if (!keep_alive) conn.close_after_flush = true;
      if (conn.stream) {
        conn.paused = true;  // the next request waits for the end of this body
        return;
      }
    }
  }

  static void reset_request(Request& r) {
    r.method.clear();
    r.raw_path.clear();
    r.path.clear();
    r.raw_query.clear();
    r.query.clear();
    r.headers = Headers{};
    r.cookies.clear();
    r.body.clear();
    r.request_id.clear();
    r.path_params.clear();
  }

  // Calls the handler and queues its response; returns whether the connection stays open.
  bool answer(Connection& conn) {
    Request& req = conn.request;
    req.path = uri_decode(req.raw_path);
    req.query = parse_query(req.raw_query);
    for (const auto& field : req.headers) {
      if (!iequals(field.name, "cookie")) continue;
      auto more = parse_cookie_header(field.value);
      req.cookies.insert(req.cookies.end(), std::make_move_iterator(more.begin()),
                         std::make_move_iterator(more.end()));
    }
    req.source_ip = conn.source_ip;
    next_request_id(req.request_id);
    bool head = req.method == "HEAD";
    Response res;
    try {
      res = handler_(req);
    } catch (const std::exception& e) {
      std::cerr << "web server: " << req.method << ' ' << req.raw_path
                << ": unhandled error: " << e.what() << '\n';
      res = internal_error();
    } catch (...) {
      std::cerr << "web server: " << req.method << ' ' << req.raw_path << ": unhandled error\n";
      res = internal_error();
    }
    // Decided after the handler: a stop() that came meanwhile closes the connection.
    bool keep_alive = conn.parser.keep_alive() && !stopping_.load(std::memory_order_acquire);
    // An HTTP/1.0 client learns where a streamed body ends only from the close.
    if (res.stream && !head && conn.parser.http10()) keep_alive = false;
    write_response(conn, res, head, keep_alive, conn.parser.http10());
    return keep_alive;
  }

  static Response internal_error() {
    return Response::json(500, {{"data", nullptr},
                                {"error", nullptr},
                                {"message", "Internal Server Error"},
                                {"status", "error"}});
  }

  void send_error(Connection& conn, int status, std::string_view reason) {
    Response res = Response::json(status, {{"detail", reason}});
    write_response(conn, res, false, false, false);
    conn.close_after_flush = true;
  }

  void write_response(Connection& conn, Response& res, bool head, bool keep_alive, bool http10) {
    std::string& out = conn.out;
    if (conn.out_sent == out.size()) {
      out.clear();
      conn.out_sent = 0;
    }
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<std::uint64_t>(res.status));
    out.push_back(' ');
    out.append(reason_phrase(res.status));
    out.append("\r\n");
    bool has_date = false;
    for (const auto& field : res.headers) {
      if (iequals(field.name, "content-length") || iequals(field.name, "transfer-encoding") ||
          iequals(field.name, "connection"))
        continue;
      if (has_line_break(field.name) || has_line_break(field.value)) continue;
      if (iequals(field.name, "date")) has_date = true;
      out.append(field.name);
      out.append(": ");
      out.append(field.value);
      out.append("\r\n");
    }
    if (!has_date) {
      out.append("Date: ");
      out.append(http_date());
      out.append("\r\n");
    }
    for (const auto& cookie : res.cookies) {
      if (has_line_break(cookie)) continue;
      out.append("Set-Cookie: ");
      out.append(cookie);
      out.append("\r\n");
    }
    bool bodiless = res.status < 200 || res.status == 204 || res.status == 304;
    const bool streamed = res.stream && !bodiless;
    if (streamed) {
      if (!http10) out.append("Transfer-Encoding: chunked\r\n");
    } else if (!bodiless) {
      out.append("Content-Length: ");
      append_number(out, res.body.size());
      out.append("\r\n");
    }
    if (!keep_alive) {
      out.append("Connection: close\r\n");
    } else if (http10) {
      out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
    if (streamed && !head) {
      conn.stream = std::move(res.stream);
      conn.stream_chunked = !http10;
      pump(conn);
      return;
    }
    if (!head && !bodiless && !streamed) out.append(res.body);
  }

  // Queues the streamed body's next pieces until kStreamWatermark bytes wait to be sent, and its
  // end once the stream has no more. A stream that throws leaves the body cut short: the
  // connection is closed after what is queued, so the client sees an incomplete response.
  void pump(Connection& conn) {
    std::string& out = conn.out;
    if (conn.out_sent > 0) {  // keep the buffer to what is still unsent
      out.erase(0, conn.out_sent);
      conn.out_sent = 0;
    }
    while (conn.stream && conn.pending() < kStreamWatermark) {
      conn.piece.clear();
      bool more = false;
      try {
        more = conn.stream(conn.piece);
      } catch (const std::exception& e) {
        std::cerr << "web server: a streamed response failed part-way: " << e.what() << '\n';
        end_stream(conn, false);
        return;
      } catch (...) {
        std::cerr << "web server: a streamed response failed part-way\n";
        end_stream(conn, false);
        return;
      }
      if (!conn.piece.empty()) {
        if (conn.stream_chunked) {
          char size[24];
          auto [end, ec] = std::to_chars(size, size + sizeof size, conn.piece.size(), 16);
          (void)ec;
          out.append(size, static_cast<std::size_t>(end - size)).append("\r\n");
          out.append(conn.piece).append("\r\n");
        } else {
          out.append(conn.piece);
        }
      }
      if (!more) end_stream(conn, true);
    }
    if (conn.piece.capacity() > kStreamWatermark) std::string().swap(conn.piece);
  }

  void end_stream(Connection& conn, bool complete) {
    conn.stream = nullptr;
    if (complete && conn.stream_chunked) {
      conn.out.append("0\r\n\r\n");
    } else if (!complete) {
      conn.close_after_flush = true;
    }
  }

  void flush(Connection& conn) {
    for (;;) {
      if (conn.stream) pump(conn);
      if (conn.pending() == 0) break;
      ssize_t n = ::send(conn.fd, conn.out.data() + conn.out_sent, conn.pending(), MSG_NOSIGNAL);
      if (n > 0) {
        conn.out_sent += static_cast<std::size_t>(n);
        conn.last_write = now_;
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      kill(conn);
      return;
    }
    conn.out.clear();
    conn.out_sent = 0;
    if (conn.close_after_flush) {
      if (conn.peer_closed) {
        kill(conn);
      } else if (stopping_.load(std::memory_order_relaxed)) {
        ::shutdown(conn.fd, SHUT_WR);  // stopping: no lingering
        kill(conn);
      } else if (!conn.lingering) {
        // Half-close and read what the client still sends, so it gets the answer, not a reset.
        ::shutdown(conn.fd, SHUT_WR);
        conn.lingering = true;
        conn.linger_until = now_ + kLingerTime;
      }
      return;
    }
    if (conn.paused) {
      conn.paused = false;
      process(conn);
      if (!conn.dead && conn.pending() > 0) flush(conn);
    }
  }

  void update_interest(Connection& conn) {
    std::uint32_t want = 0;
    if (conn.lingering || (!conn.close_after_flush && !conn.peer_closed && !conn.paused))
      want |= EPOLLIN;
    if (conn.pending() > 0) want |= EPOLLOUT;
    if (want == conn.events) return;
    epoll_event ev{};
    ev.events = want;
    ev.data.ptr = &conn;
    epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, conn.fd, &ev);
    conn.events = want;
  }

  void sweep() {
    for (auto& [ptr, c] : connections_) {
      Connection& conn = *c;
      if (conn.dead) continue;
      if (conn.lingering) {
        if (now_ >= conn.linger_until) kill(conn);
        continue;
      }
      if (conn.pending() > 0) {
        if (now_ - conn.last_write > options_.write_timeout) kill(conn);
        continue;
      }
      if (conn.request_started) {
        bool stalled = now_ - conn.last_read > options_.read_timeout;
        bool slow_head =
            !conn.parser.headers_done() && now_ - conn.request_start > options_.read_timeout;
        if (stalled || slow_head) {
          send_error(conn, 408, "the request was not received in time");
          flush(conn);
          if (!conn.dead) update_interest(conn);
        }
        continue;
      }
      if (now_ - conn.last_read > options_.idle_timeout) kill(conn);
    }
  }

  void kill(Connection& conn) {
    if (conn.dead) return;
    conn.dead = true;
    ::close(conn.fd);
    load_.fetch_sub(1, std::memory_order_relaxed);
    graveyard_.push_back(&conn);
  }

  void bury() {
    for (Connection* c : graveyard_) connections_.erase(c);
    graveyard_.clear();
  }

  std::string_view http_date() {
    std::time_t now = std::time(nullptr);
    if (now != date_second_) {
      date_second_ = now;
      date_ = format_http_date(Timestamp(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(now))));
    }
    return date_;
  }

  // 16 hex characters from a per-thread splitmix64 sequence.
  void next_request_id(std::string& out) {
    std::uint64_t z = (rng_state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    static constexpr char kHex[] = "0123456789abcdef";
    out.resize(16);
    for (int i = 15; i >= 0; --i) {
      out[static_cast<std::size_t>(i)] = kHex[z & 0xf];
      z >>= 4;
    }
  }

  const Handler& handler_;
  const ServerOptions& options_;
  const std::atomic<bool>& stopping_;
  RequestParser::Limits limits_;
  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  std::atomic<int> load_{0};
  std::mutex incoming_mutex_;
  std::vector<Accepted> incoming_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> graveyard_;
  TimePoint now_{};
  std::time_t date_second_ = 0;
  std::string date_;
  std::uint64_t rng_state_ = 0;
};

}  // namespace

struct Server::Impl {
  Handler handler;
  ServerOptions options;
  int listen_fd = -1;
  int stop_fd = -1;
  std::uint16_t port = 0;
  std::atomic<bool> stopping{false};
  bool started = false;
  bool stopped = false;
  std::mutex lifecycle;
  std::vector<std::unique_ptr<Worker>> workers;
  std::thread acceptor;

  std::string where() const { return options.host + ":" + std::to_string(options.port); }

  void listen_on_address() {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    std::string service = std::to_string(options.port);
    const char* node = options.host.empty() ? nullptr : options.host.c_str();
    int rc = getaddrinfo(node, service.c_str(), &hints, &found);
    if (rc != 0)
      throw Error("local server: cannot resolve host '" + options.host + "': " + gai_strerror(rc));
    std::string last_error = "no address";
    for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
      int fd =
          ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
      if (fd < 0) {
        last_error = std::strerror(errno);
        continue;
      }
      int one = 1;
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || ::listen(fd, 4096) != 0) {
        last_error = std::strerror(errno);
        ::close(fd);
        continue;
      }
      listen_fd = fd;
      break;
    }
    freeaddrinfo(found);
    if (listen_fd < 0) throw Error("local server: cannot listen on " + where() + ": " + last_error);
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &len);
    if (bound.ss_family == AF_INET)
      port = ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    else
      port = ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
  }

  void accept_loop() {
    std::size_t next = 0;
    for (;;) {
      pollfd fds[2] = {{listen_fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
      int n = ::poll(fds, 2, -1);
      if (n < 0 && errno != EINTR) return;
      if (stopping.load(std::memory_order_acquire)) return;
      if (n <= 0 || !(fds[0].revents & POLLIN)) continue;
      for (int i = 0; i < 64; ++i) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        int fd = ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&addr), &len,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          break;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        // The least loaded worker, ties broken round-robin.
        std::size_t best = next % workers.size();
        for (std::size_t k = 0; k < workers.size(); ++k) {
          std::size_t w = (next + k) % workers.size();
          if (workers[w]->load() < workers[best]->load()) best = w;
        }
        ++next;
        workers[best]->adopt(fd, peer_address(addr));
      }
    }
  }
};

Server::Server(Handler handler, ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->options = std::move(options);
}

Server::~Server() {
  stop();
}

void Server::start() {
  std::lock_guard lock(impl_->lifecycle);
  if (impl_->started) throw Error("local server: already started");
  impl_->listen_on_address();
  impl_->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  unsigned threads = impl_->options.threads;
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < threads; ++i)
    impl_->workers.push_back(
        std::make_unique<Worker>(impl_->handler, impl_->options, impl_->stopping));
  for (auto& w : impl_->workers) w->start();
  impl_->acceptor = std::thread([impl = impl_.get()] { impl->accept_loop(); });
  impl_->started = true;
}

std::uint16_t Server::port() const {
  return impl_->port;
}

void Server::stop() {
  std::lock_guard lock(impl_->lifecycle);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping.store(true, std::memory_order_release);
  wake(impl_->stop_fd);
  if (impl_->acceptor.joinable()) impl_->acceptor.join();
  ::close(impl_->listen_fd);
  for (auto& w : impl_->workers) w->wake_up();
  for (auto& w : impl_->workers) w->join();
  impl_->workers.clear();
  ::close(impl_->stop_fd);
}

}  // namespace ld::web
