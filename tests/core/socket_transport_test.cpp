// The socket transport (HTTP/1.1 over sockets and OpenSSL, no libcurl) against real loopback
// servers: scripted plain HTTP, raw byte-for-byte answers, and a small OpenSSL TLS server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/hash.hpp"
#include "core/http.hpp"
#include "core/transport.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"

namespace ld {
namespace {

using namespace std::chrono_literals;
using test::LoopbackServer;
using test::Step;
using Kind = TransportError::Kind;

HttpRequest request_to(int port, std::string method, std::string path,
                       std::string host = "127.0.0.1", std::string scheme = "http") {
  HttpRequest r;
  r.method = std::move(method);
  r.scheme = std::move(scheme);
  r.host = std::move(host);
  r.port = port;
  r.path = std::move(path);
  return r;
}

TransportOptions fast_options(std::chrono::milliseconds request_timeout = 800ms) {
  TransportOptions o;
  o.connect_timeout = 500ms;
  o.request_timeout = request_timeout;
  return o;
}

// The error a send raises (fails the test when it succeeds).
TransportError send_error(Transport& transport, const HttpRequest& request) {
  try {
    HttpResponse r = transport.send(request);
    ADD_FAILURE() << "expected a TransportError, got status " << r.status;
  } catch (const TransportError& e) {
    return e;
  }
  return TransportError(Kind::Other, "none");
}

// A listening socket on loopback (IPv4 or IPv6) accepting on a thread; each connection is given
// to `serve`. Stops and joins in the destructor.
class Listener {
 public:
  using Serve = std::function<void(int fd)>;
  explicit Listener(Serve serve, int family = AF_INET) : serve_(std::move(serve)) {
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&addr);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      len = sizeof *a;
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&addr);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof *a;
    }
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                     : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~Listener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  int port() const { return port_; }
  int connections() const { return connections_; }
  bool stopping() const { return stop_; }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++connections_;
      serve_(c);
    }
  }
  Serve serve_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// Reads a request head (up to the blank line) from a plain socket; false when the peer closed.
bool read_head(int fd, std::string* head = nullptr) {
  std::string in;
  char c;
  while (in.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0 || ::recv(fd, &c, 1, 0) != 1) return false;
    in.push_back(c);
  }
  if (head) *head = in;
  return true;
}

void reset_socket(int fd) {
  linger hard{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  ::close(fd);
}

// How a raw server ends each connection after its answer.
enum class Ending { Close, Reset, KeepOpen };

// A server that answers every request of a connection with the same bytes, for framings
// LoopbackServer does not write (no Content-Length, raw chunks, partial bodies, HTTP/1.0).
std::unique_ptr<Listener> raw_server(std::string answer, Ending ending, int family = AF_INET) {
  auto listener = std::make_unique<Listener>(
      [answer, ending](int fd) {
        while (read_head(fd)) {
          ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
          if (ending != Ending::KeepOpen) break;
        }
        if (ending == Ending::Reset) {
          reset_socket(fd);
        } else {
          ::close(fd);
        }
      },
      family);
  return listener;
}

TEST(SocketTransport, GetSendsExactlyTheRequestAndReadsTheResponse) {
  LoopbackServer server;
  server.script({Step::respond(
      200, "hello", {{"X-Multi", "one"}, {"x-multi", "two"}, {"Content-Type", "text/plain"}})});
  auto transport = make_socket_transport(fast_options());
  HttpRequest req = request_to(server.port(), "GET", "/repos/a%2Fb/x");
  req.query = {{"per_page", "100"}, {"a b", "c/d"}};
  req.headers.add("Authorization", "Bearer t0ken");
  req.headers.add("X-Repeated", "1");
  req.headers.add("X-Repeated", "2");
  HttpResponse resp = transport->send(req);

  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(resp.body, "hello");
  std::vector<std::string> multi;
  for (const auto& f : resp.headers) {
    if (f.name == "X-Multi" || f.name == "x-multi") multi.push_back(f.name + "=" + f.value);
  }
  EXPECT_EQ(multi, (std::vector<std::string>{"X-Multi=one", "x-multi=two"}));

  ASSERT_EQ(server.requests().size(), 1u);
  auto requests = server.requests();
  const auto& got = requests[0];
  EXPECT_EQ(got.method, "GET");
  EXPECT_EQ(got.path, "/repos/a%2Fb/x");
  EXPECT_EQ(got.query, "per_page=100&a%20b=c%2Fd");
  test::HeaderFields expected{{"Host", "127.0.0.1:" + std::to_string(server.port())},
                              {"Authorization", "Bearer t0ken"},
                              {"X-Repeated", "1"},
                              {"X-Repeated", "2"}};
  EXPECT_EQ(got.headers, expected);  // nothing of our own: no Accept, User-Agent, Expect
}

TEST(SocketTransport, PostSendsBodyWithContentLength) {
  LoopbackServer server;
  server.script({Step::respond(201, R"({"id":1})"), Step::respond(200)});
  auto transport = make_socket_transport(fast_options());
  HttpRequest req = request_to(server.port(), "POST", "/items");
  req.headers.add("Content-Type", "application/json");
  req.body = R"({"name":"x"})";
  HttpResponse resp = transport->send(req);
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, R"({"id":1})");
  HttpRequest empty = request_to(server.port(), "PUT", "/empty");
  EXPECT_EQ(transport->send(empty).status, 200);

  auto got = server.requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].method, "POST");
  EXPECT_EQ(got[0].body, R"({"name":"x"})");
  EXPECT_EQ(got[0].header("Content-Length"), "12");
  EXPECT_EQ(got[0].header("Content-Type"), "application/json");
  EXPECT_EQ(got[1].method, "PUT");
  EXPECT_EQ(got[1].header("Content-Length"), "0");  // PUT/POST/PATCH always say their length
}

TEST(SocketTransport, BodyFileIsStreamedFromDisk) {
  test::TempDir dir("socket-upload");
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>('a' + i % 26);  // ~300 KB
  auto file = dir.write("upload.bin", content);
  LoopbackServer server;
  server.script({Step::respond(200, "stored")});
  auto transport = make_socket_transport(fast_options());
  HttpRequest req = request_to(server.port(), "PUT", "/bucket/key");
  req.body_file = file;
  EXPECT_EQ(transport->send(req).body, "stored");
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].body_size, content.size());
  EXPECT_EQ(server.requests()[0].body_sha256, sha256_hex(content));
}

TEST(SocketTransport, KeepAliveReusesOneConnection) {
  LoopbackServer server;
  server.script({Step::respond(200, "1"), Step::respond(200, "2"), Step::respond(200, "3")});
  auto transport = make_socket_transport(fast_options());
  for (const char* want : {"1", "2", "3"}) {
    EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, want);
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(SocketTransport, ConnectionCloseIsHonouredBothWays) {
  LoopbackServer server;
  server.script({Step::respond(200, "a", {{"Connection", "close"}}), Step::respond(200, "b"),
                 Step::respond(200, "c")});
  auto transport = make_socket_transport(fast_options());
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, "a");
  HttpRequest closing = request_to(server.port(), "GET", "/");
  closing.headers.add("Connection", "close");
  EXPECT_EQ(transport->send(closing).body, "b");
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, "c");
  EXPECT_EQ(server.connections(), 3);
}

TEST(SocketTransport, ReusedConnectionClosedByServerIsRetriedOnce) {
  LoopbackServer server;
  server.script({Step::respond(200, "first"), Step::close(), Step::respond(200, "again")});
  auto transport = make_socket_transport(fast_options());
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, "first");
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, "again");
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.connections(), 2);
}

TEST(SocketTransport, FreshConnectionFailureIsNotRetried) {
  LoopbackServer server;
  server.script({Step::close(), Step::respond(200, "never")});
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(server.port(), "GET", "/"));
  EXPECT_EQ(e.kind(), Kind::Reset);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(SocketTransport, ConcurrentSendsFromManyThreads) {
  LoopbackServer server([](const test::ReceivedRequest& r) { return Step::respond(200, r.path); });
  auto transport = make_socket_transport(fast_options());
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        if (transport->send(request_to(server.port(), "GET", path)).body == path) ++right;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(right, 120);
  EXPECT_LE(server.connections(), 10);  // idle connections were reused, not one per request
}

TEST(SocketTransport, ChunkedBodyWithTrailers) {
  auto server = raw_server(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: done\r\n\r\n",
      Ending::KeepOpen);
  auto transport = make_socket_transport(fast_options());
  for (int i = 0; i < 2; ++i) {
    HttpResponse resp = transport->send(request_to(server->port(), "GET", "/"));
    EXPECT_EQ(resp.body, "hello, world");
    EXPECT_EQ(resp.headers.get("X-Trailer"), "done");
  }
  EXPECT_EQ(server->connections(), 1);
}

TEST(SocketTransport, BodyDelimitedByCloseAndHttp10) {
  auto server =
      raw_server("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", Ending::Close);
  auto transport = make_socket_transport(fast_options());
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(transport->send(request_to(server->port(), "GET", "/")).body, "all of it");
  }
  EXPECT_EQ(server->connections(), 2);
}

TEST(SocketTransport, Http10WithLengthIsNotKeptAlive) {
  auto server = raw_server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", Ending::KeepOpen);
  auto transport = make_socket_transport(fast_options());
  EXPECT_EQ(transport->send(request_to(server->port(), "GET", "/")).body, "ok");
  EXPECT_EQ(transport->send(request_to(server->port(), "GET", "/")).body, "ok");
  EXPECT_EQ(server->connections(), 2);
}

TEST(SocketTransport, InterimContinueIsSkipped) {
  auto server = raw_server(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone",
      Ending::KeepOpen);
  auto transport = make_socket_transport(fast_options());
  HttpResponse resp = transport->send(request_to(server->port(), "GET", "/"));
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, "done");
}

TEST(SocketTransport, HeadAnd204And304HaveNoBody) {
  // The server announces a length but sends no body, and keeps the connection open: a client
  // waiting for a body would time out.
  auto head_server = raw_server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", Ending::KeepOpen);
  auto no_content = raw_server("HTTP/1.1 204 No Content\r\n\r\n", Ending::KeepOpen);
  auto not_modified =
      raw_server("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", Ending::KeepOpen);
  auto transport = make_socket_transport(fast_options(500ms));
  HttpResponse head = transport->send(request_to(head_server->port(), "HEAD", "/"));
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.get("Content-Length"), "5");
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(transport->send(request_to(no_content->port(), "DELETE", "/x")).status, 204);
  EXPECT_EQ(transport->send(request_to(not_modified->port(), "GET", "/")).status, 304);
  // Kept alive after each.
  EXPECT_EQ(transport->send(request_to(head_server->port(), "HEAD", "/")).status, 200);
  EXPECT_EQ(head_server->connections(), 1);
}

TEST(SocketTransport, Ipv6LiteralHost) {
  auto server =
      raw_server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6", Ending::Close, AF_INET6);
  auto transport = make_socket_transport(fast_options());
  EXPECT_EQ(transport->send(request_to(server->port(), "GET", "/", "[::1]")).body, "v6");
}

TEST(SocketTransport, ConnectionRefusedIsConnect) {
  int port = 0;
  {
    LoopbackServer server;
    port = server.port();
  }
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(port, "GET", "/"));
  EXPECT_EQ(e.kind(), Kind::Connect) << e.what();
  EXPECT_NE(std::string(e.what()).find("Connection refused"), std::string::npos) << e.what();
}

TEST(SocketTransport, UnknownHostIsDns) {
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(80, "GET", "/", "no-such-host.invalid"));
  EXPECT_EQ(e.kind(), Kind::Dns) << e.what();
}

TEST(SocketTransport, SilentServerTimesOutAtTheDeadline) {
  LoopbackServer server;
  server.script({Step::hang()});
  auto transport = make_socket_transport(fast_options(300ms));
  auto start = std::chrono::steady_clock::now();
  auto e = send_error(*transport, request_to(server.port(), "GET", "/slow"));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(e.kind(), Kind::Timeout) << e.what();
  EXPECT_NE(std::string(e.what()).find("GET http://127.0.0.1"), std::string::npos) << e.what();
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 700ms);
}

TEST(SocketTransport, ZeroRequestTimeoutMeansNoLimit) {
  LoopbackServer server;
  server.script({Step::respond(200, "late").after(150ms)});
  auto transport = make_socket_transport(fast_options(0ms));
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/")).body, "late");
}

TEST(SocketTransport, ResetMidBodyIsReset) {
  auto server = raw_server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", Ending::Reset);
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(server->port(), "GET", "/"));
  EXPECT_EQ(e.kind(), Kind::Reset) << e.what();
}

TEST(SocketTransport, CloseMidBodyIsReset) {
  auto server = raw_server("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial", Ending::Close);
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(server->port(), "GET", "/"));
  EXPECT_EQ(e.kind(), Kind::Reset) << e.what();
  EXPECT_NE(std::string(e.what()).find("7 of 100"), std::string::npos) << e.what();
}

TEST(SocketTransport, HugeHeadersAreRefused) {
  std::string answer = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 1000; ++i)
    answer += "X-Filler-" + std::to_string(i) + ": " + std::string(80, 'x') + "\r\n";
  answer += "Content-Length: 0\r\n\r\n";
  auto server = raw_server(answer, Ending::Close);
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(server->port(), "GET", "/"));
  EXPECT_EQ(e.kind(), Kind::Other) << e.what();
  EXPECT_NE(std::string(e.what()).find("response headers are larger than 64 KiB"),
            std::string::npos)
      << e.what();
}

TEST(SocketTransport, MalformedStatusLineIsAnError) {
  auto server = raw_server("SSH-2.0-OpenSSH\r\n\r\n", Ending::Close);
  auto transport = make_socket_transport(fast_options());
  auto e = send_error(*transport, request_to(server->port(), "GET", "/"));
  EXPECT_NE(std::string(e.what()).find("malformed status line"), std::string::npos) << e.what();
}

TEST(SocketTransport, HeaderWithLineBreakIsRefused) {
  LoopbackServer server;
  auto transport = make_socket_transport(fast_options());
  HttpRequest req = request_to(server.port(), "GET", "/");
  req.headers.add("X-Evil", "a\r\nX-Injected: 1");
  auto e = send_error(*transport, req);
  EXPECT_NE(std::string(e.what()).find("X-Evil"), std::string::npos) << e.what();
  EXPECT_EQ(server.request_count(), 0u);
}

// ---- TLS ----

// A self-signed EC certificate and its key, written as PEM files.
struct SelfSigned {
  std::filesystem::path cert;
  std::filesystem::path key;
};

SelfSigned make_certificate(const test::TempDir& dir, const std::string& name,
                            const std::string& alt_names) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, alt_names},
                            std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());
  SelfSigned out{dir.path() / (name + ".crt"), dir.path() / (name + ".key")};
  std::FILE* f = std::fopen(out.cert.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(out.key.c_str(), "w");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

// A TLS server on 127.0.0.1 answering each connection's first request with "tls ok".
class TlsServer {
 public:
  explicit TlsServer(const SelfSigned& cert) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    EXPECT_EQ(SSL_CTX_use_certificate_file(ctx_, cert.cert.c_str(), SSL_FILETYPE_PEM), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx_, cert.key.c_str(), SSL_FILETYPE_PEM), 1);
    listener_ = std::make_unique<Listener>([this](int fd) { serve(fd); });
  }
  ~TlsServer() {
    listener_.reset();
    SSL_CTX_free(ctx_);
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  int port() const { return listener_->port(); }
  std::string sni() const {
    std::lock_guard lock(mu_);
    return sni_;
  }

 private:
  void serve(int fd) {
    timeval limit{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    SSL* ssl = SSL_new(ctx_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
      const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
      {
        std::lock_guard lock(mu_);
        sni_ = name ? name : "";
      }
      std::string in;
      char buffer[4096];
      while (in.find("\r\n\r\n") == std::string::npos) {
        int n = SSL_read(ssl, buffer, sizeof buffer);
        if (n <= 0) break;
        in.append(buffer, static_cast<std::size_t>(n));
      }
      std::string answer =
          "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ntls ok";
      SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
    ::close(fd);
  }

  SSL_CTX* ctx_ = nullptr;
  mutable std::mutex mu_;
  std::string sni_;
  std::unique_ptr<Listener> listener_;
};

TransportOptions tls_options(std::string ca_file, bool verify = true) {
  TransportOptions o = fast_options();
  o.ca_file = std::move(ca_file);
  o.verify_tls = verify;
  return o;
}

TEST(SocketTransportTls, TrustedCertificateByIpAndName) {
  test::TempDir dir("socket-tls");
  auto cert = make_certificate(dir, "localhost", "DNS:localhost,IP:127.0.0.1");
  TlsServer server(cert);
  auto transport = make_socket_transport(tls_options(cert.cert.string()));
  HttpResponse by_ip = transport->send(request_to(server.port(), "GET", "/", "127.0.0.1", "https"));
  EXPECT_EQ(by_ip.status, 200);
  EXPECT_EQ(by_ip.body, "tls ok");
  EXPECT_EQ(server.sni(), "");  // no SNI for an IP literal
  HttpResponse by_name =
      transport->send(request_to(server.port(), "GET", "/", "localhost", "https"));
  EXPECT_EQ(by_name.body, "tls ok");
  EXPECT_EQ(server.sni(), "localhost");
}

TEST(SocketTransportTls, UntrustedCertificateNamesTheReason) {
  test::TempDir dir("socket-tls");
  auto cert = make_certificate(dir, "localhost", "DNS:localhost,IP:127.0.0.1");
  TlsServer server(cert);
  auto transport = make_socket_transport(fast_options());  // system CAs only
  auto e = send_error(*transport, request_to(server.port(), "GET", "/", "127.0.0.1", "https"));
  EXPECT_EQ(e.kind(), Kind::Tls) << e.what();
  EXPECT_NE(std::string(e.what()).find("certificate verify failed: self-signed certificate"),
            std::string::npos)
      << e.what();
}

TEST(SocketTransportTls, HostnameMismatchFails) {
  test::TempDir dir("socket-tls");
  auto cert = make_certificate(dir, "other", "DNS:other.example");
  TlsServer server(cert);
  auto transport = make_socket_transport(tls_options(cert.cert.string()));
  auto by_ip = send_error(*transport, request_to(server.port(), "GET", "/", "127.0.0.1", "https"));
  EXPECT_EQ(by_ip.kind(), Kind::Tls) << by_ip.what();
  EXPECT_NE(std::string(by_ip.what()).find("IP address mismatch"), std::string::npos)
      << by_ip.what();
  auto by_name =
      send_error(*transport, request_to(server.port(), "GET", "/", "localhost", "https"));
  EXPECT_EQ(by_name.kind(), Kind::Tls) << by_name.what();
  EXPECT_NE(std::string(by_name.what()).find("hostname mismatch"), std::string::npos)
      << by_name.what();
}

TEST(SocketTransportTls, VerificationCanBeTurnedOff) {
  test::TempDir dir("socket-tls");
  auto cert = make_certificate(dir, "other", "DNS:other.example");
  TlsServer server(cert);
  auto transport = make_socket_transport(tls_options("", false));
  EXPECT_EQ(transport->send(request_to(server.port(), "GET", "/", "127.0.0.1", "https")).body,
            "tls ok");
}

TEST(SocketTransportTls, UnreadableCaFileIsTls) {
  auto transport = make_socket_transport(tls_options("/nonexistent/ca.pem"));
  auto e = send_error(*transport, request_to(1, "GET", "/", "127.0.0.1", "https"));
  EXPECT_EQ(e.kind(), Kind::Tls) << e.what();
  EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos) << e.what();
}

}  // namespace
}  // namespace ld
