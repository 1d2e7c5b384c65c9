#include "core/http1_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/transport.hpp"

namespace ld {
namespace {

using Kind = TransportError::Kind;

// Keeps SIGPIPE from killing the process while OpenSSL writes to a socket the peer closed
// (OpenSSL uses write(), which cannot be told MSG_NOSIGNAL). Blocks it on this thread and eats
// any SIGPIPE raised meanwhile.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old);
    was_blocked_ = sigismember(&old, SIGPIPE) == 1;
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      timespec zero{};
      while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {
      }
    }
    if (!was_blocked_) pthread_sigmask(SIG_UNBLOCK, &pipe_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  bool was_pending_ = false;
  bool was_blocked_ = false;
};

bool is_ip_literal(const std::string& host) {
  in6_addr any{};
  return inet_pton(AF_INET, host.c_str(), &any) == 1 ||
         inet_pton(AF_INET6, host.c_str(), &any) == 1;
}

int poll_timeout_ms(Http1Deadline deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Http1Clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

std::string errno_text(int err) {
  return std::strerror(err);
}

// The reason OpenSSL gave for the last failure, or `fallback`.
std::string openssl_reason(const std::string& fallback) {
  unsigned long code = ERR_get_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

}  // namespace

std::unique_ptr<Http1Connection> Http1Connection::open(const Http1Endpoint& endpoint,
                                                       Http1Deadline deadline,
                                                       bool deadline_is_request) {
  std::string where = endpoint.host + " port " + std::to_string(endpoint.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(endpoint.port);
  int rc = getaddrinfo(endpoint.host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    throw TransportError(Kind::Dns, "cannot resolve host " + endpoint.host + ": " +
                                        (rc == EAI_SYSTEM ? errno_text(errno) : gai_strerror(rc)));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);

  int last_error = ECONNREFUSED;
  for (addrinfo* a = addresses.get(); a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      last_error = errno;
      continue;
    }
    std::unique_ptr<Http1Connection> connection(new Http1Connection(fd, nullptr));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last_error = errno;
        continue;
      }
      if (!connection->wait(POLLOUT, deadline)) {
        throw TransportError(
            Kind::Timeout,
            std::string(deadline_is_request ? "request timed out" : "connect time-out reached") +
                " while connecting to " + where);
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) {
        last_error = err;
        continue;
      }
    }
    int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    if (endpoint.tls) connection->handshake(endpoint, deadline, deadline_is_request);
    return connection;
  }
  throw TransportError(Kind::Connect, "cannot connect to " + where + ": " + errno_text(last_error));
}

void Http1Connection::handshake(const Http1Endpoint& endpoint, Http1Deadline deadline,
                                bool deadline_is_request) {
  SigpipeGuard guard;
  ssl_ = SSL_new(endpoint.tls);
  if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) {
    throw TransportError(Kind::Tls, "cannot set up TLS: " + openssl_reason("SSL_new failed"));
  }
  bool ip = is_ip_literal(endpoint.host);
  if (!ip) {
    // SSL_set_tlsext_host_name, without the macro's C cast.
    SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(endpoint.host.c_str()));
  }
  if (endpoint.verify_tls) {
    int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), endpoint.host.c_str())
                : SSL_set1_host(ssl_, endpoint.host.c_str());
    if (ok != 1) throw TransportError(Kind::Tls, "cannot verify host name " + endpoint.host);
    SSL_set_verify(ssl_, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_set_verify(ssl_, SSL_VERIFY_NONE, nullptr);
  }
  std::string where = " with " + endpoint.host + " port " + std::to_string(endpoint.port);
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(ssl_);
    if (rc == 1) return;
    int err = SSL_get_error(ssl_, rc);
    int sys = errno;
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
        throw TransportError(
            Kind::Timeout,
            std::string(deadline_is_request ? "request timed out" : "connect time-out reached") +
                " during the TLS handshake" + where);
      }
      continue;
    }
    long verify = SSL_get_verify_result(ssl_);
    if (endpoint.verify_tls && verify != X509_V_OK) {
      ERR_clear_error();
      throw TransportError(Kind::Tls, "TLS handshake" + where +
                                          " failed: certificate verify failed: " +
                                          X509_verify_cert_error_string(verify));
    }
    std::string reason =
        err == SSL_ERROR_SYSCALL
            ? (sys != 0 ? errno_text(sys) : std::string("the server closed the connection"))
            : openssl_reason("SSL_connect failed");
    throw TransportError(Kind::Tls, "TLS handshake" + where + " failed: " + reason);
  }
}

Http1Connection::~Http1Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
}

bool Http1Connection::wait(short events, Http1Deadline deadline) const {
  for (;;) {
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, poll_timeout_ms(deadline));
    if (rc > 0) return true;  // ready, or an error the next call will report
    if (rc == 0) return false;
    if (errno != EINTR) return true;
  }
}

void Http1Connection::write_all(std::string_view data, Http1Deadline deadline) {
  while (!data.empty()) {
    if (ssl_) {
      SigpipeGuard guard;
      ERR_clear_error();
      std::size_t sent = 0;
      int rc = SSL_write_ex(ssl_, data.data(), data.size(), &sent);
      if (rc == 1) {
        data.remove_prefix(sent);
        continue;
      }
      int err = SSL_get_error(ssl_, rc);
      int sys = errno;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
          throw TransportError(Kind::Timeout, "request timed out while sending");
        }
        continue;
      }
      throw TransportError(Kind::Reset, "sending the request failed: " +
                                            (err == SSL_ERROR_SYSCALL && sys != 0
                                                 ? errno_text(sys)
                                                 : openssl_reason("the connection was closed")));
    }
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait(POLLOUT, deadline)) {
        throw TransportError(Kind::Timeout, "request timed out while sending");
      }
      continue;
    }
    throw TransportError(Kind::Reset, "sending the request failed: " + errno_text(errno));
  }
}

std::size_t Http1Connection::read_some(char* buffer, std::size_t size, Http1Deadline deadline) {
  for (;;) {
    if (ssl_) {
      SigpipeGuard guard;
      ERR_clear_error();
      std::size_t got = 0;
      int rc = SSL_read_ex(ssl_, buffer, size, &got);
      if (rc == 1) return got;
      int err = SSL_get_error(ssl_, rc);
      int sys = errno;
      if (err == SSL_ERROR_ZERO_RETURN) return 0;
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
          throw TransportError(Kind::Timeout, "request timed out while waiting for the response");
        }
        continue;
      }
      if (err == SSL_ERROR_SYSCALL && sys == 0) return 0;
      throw TransportError(
          Kind::Reset,
          "receiving the response failed: " +
              (err == SSL_ERROR_SYSCALL ? errno_text(sys) : openssl_reason("TLS read error")));
    }
    ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait(POLLIN, deadline)) {
        throw TransportError(Kind::Timeout, "request timed out while waiting for the response");
      }
      continue;
    }
    throw TransportError(Kind::Reset, "receiving the response failed: " + errno_text(errno));
  }
}

bool Http1Connection::still_open() const {
  pollfd p{fd_, POLLIN, 0};
  int rc = ::poll(&p, 1, 0);
  return rc == 0;  // readable on an idle connection means closed (or a stray byte): not reusable
}

}  // namespace ld
