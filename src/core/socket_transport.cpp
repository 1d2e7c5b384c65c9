// The socket transport: HTTP/1.1 over plain TCP or OpenSSL TLS, without libcurl.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/http1_connection.hpp"
#include "core/http1_response.hpp"
#include "core/strings.hpp"
#include "core/transport.hpp"

namespace ld {
namespace {

using Kind = TransportError::Kind;

constexpr std::size_t kUploadChunk = 64 * 1024;

// The reason OpenSSL gave for the last failure, or `fallback`.
std::string openssl_error(const std::string& fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool load_locations(SSL_CTX* ctx, const char* file, const char* dir) {
  return SSL_CTX_load_verify_locations(ctx, file, dir) == 1;
}

// Loads the CAs to trust: the configured file, else $SSL_CERT_FILE / $SSL_CERT_DIR, else the
// first system bundle found (Debian, Amazon Linux / the Lambda runtime, others), else OpenSSL's
// built-in default paths. Returns the reason when a location given explicitly cannot be loaded.
std::string load_trust(SSL_CTX* ctx, const std::string& ca_file) {
  if (!ca_file.empty()) {
    if (load_locations(ctx, ca_file.c_str(), nullptr)) return {};
    return "cannot load the CA file " + ca_file + ": " + openssl_error("unreadable");
  }
  const char* env_file = std::getenv("SSL_CERT_FILE");
  const char* env_dir = std::getenv("SSL_CERT_DIR");
  if (env_file && !*env_file) env_file = nullptr;
  if (env_dir && !*env_dir) env_dir = nullptr;
  if (env_file || env_dir) {
    if (load_locations(ctx, env_file, env_dir)) return {};
    return std::string("cannot load the CAs from SSL_CERT_FILE / SSL_CERT_DIR (") +
           (env_file ? env_file : "") + (env_file && env_dir ? ", " : "") +
           (env_dir ? env_dir : "") + "): " + openssl_error("unreadable");
  }
  for (const char* bundle : {"/etc/ssl/certs/ca-certificates.crt",
                             "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem"}) {
    std::error_code ec;
    if (std::filesystem::exists(bundle, ec) && load_locations(ctx, bundle, nullptr)) return {};
    ERR_clear_error();
  }
  SSL_CTX_set_default_verify_paths(ctx);
  ERR_clear_error();
  return {};
}

// The TLS settings every connection of one transport shares (TLS 1.2+, trusted CAs), made on the
// first HTTPS request so that plain-HTTP users never parse a CA bundle.
class TlsSettings {
 public:
  TlsSettings(bool verify, std::string ca_file) : verify_(verify), ca_file_(std::move(ca_file)) {}
  ~TlsSettings() {
    if (ctx_) SSL_CTX_free(ctx_);
  }
  TlsSettings(const TlsSettings&) = delete;
  TlsSettings& operator=(const TlsSettings&) = delete;

  SSL_CTX* context() {
    std::call_once(once_, [this] { make(); });
    if (!error_.empty()) throw TransportError(Kind::Tls, error_);
    return ctx_;
  }

 private:
  void make() {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) {
      error_ = "cannot create the TLS context: " + openssl_error("SSL_CTX_new failed");
      return;
    }
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    // Bodies delimited by the close come from servers that skip close_notify.
    SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(ctx_, verify_ ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    if (verify_) error_ = load_trust(ctx_, ca_file_);
  }

  bool verify_;
  std::string ca_file_;
  std::once_flag once_;
  SSL_CTX* ctx_ = nullptr;
  std::string error_;
};

// Idle kept-alive connections, a few per origin, the most recent taken first.
class ConnectionPool {
 public:
  std::unique_ptr<Http1Connection> take(const std::string& origin) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(origin);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    auto now = Http1Clock::now();
    while (!list.empty()) {
      Idle idle = std::move(list.back());
      list.pop_back();
      if (now - idle.since < kMaxIdleAge && idle.connection->still_open()) {
        return std::move(idle.connection);
      }
    }
    return nullptr;
  }

  void give(const std::string& origin, std::unique_ptr<Http1Connection> connection) {
    std::lock_guard lock(mu_);
    auto& list = idle_[origin];
    list.push_back({std::move(connection), Http1Clock::now()});
    if (list.size() > kMaxIdlePerOrigin) list.erase(list.begin());
  }

 private:
  static constexpr std::size_t kMaxIdlePerOrigin = 4;
  static constexpr std::chrono::seconds kMaxIdleAge{60};
  struct Idle {
    std::unique_ptr<Http1Connection> connection;
    Http1Clock::time_point since;
  };
  std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
};

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool has_line_break(const std::string& s) {
  return s.find_first_of("\r\n") != std::string::npos;
}

// HTTP/1.1 over sockets: one SSL_CTX, a pool of idle connections, requests written and responses
// read by hand. No redirects are followed; a request that fails on a reused connection before
// any answer byte is sent again once on a new connection (the server may have closed it idle).
class SocketTransport final : public Transport {
 public:
  explicit SocketTransport(TransportOptions options)
      : options_(std::move(options)), tls_(options_.verify_tls, options_.ca_file) {}

  HttpResponse send(const HttpRequest& request) override {
    std::string where = request.method + " " + request.scheme + "://" + request.authority() +
                        (request.path.empty() ? "/" : request.path);
    try {
      return perform(request);
    } catch (const TransportError& e) {
      std::string text = where + ": " + e.what();
      if (e.kind() == Kind::Timeout) {
        text += " (connect time-out " + std::to_string(options_.connect_timeout.count()) +
                " ms, request time-out " +
                (options_.request_timeout.count() > 0
                     ? std::to_string(options_.request_timeout.count()) + " ms)"
                     : std::string("none)"));
      }
      throw TransportError(e.kind(), text);
    }
  }

 private:
  HttpResponse perform(const HttpRequest& request) {
    auto start = Http1Clock::now();
    Http1Deadline deadline;
    if (options_.request_timeout.count() > 0) deadline = start + options_.request_timeout;

    bool https = request.scheme == "https";
    if (!https && request.scheme != "http") {
      throw TransportError(Kind::Other, "unsupported scheme \"" + request.scheme + "\"");
    }
    Http1Endpoint endpoint;
    endpoint.host = request.host;
    if (endpoint.host.size() > 2 && endpoint.host.front() == '[' && endpoint.host.back() == ']') {
      endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
    }
    endpoint.port = request.port.value_or(https ? 443 : 80);
    endpoint.verify_tls = options_.verify_tls;
    if (https) endpoint.tls = tls_.context();
    std::string origin =
        request.scheme + "://" + endpoint.host + ":" + std::to_string(endpoint.port);

    std::uint64_t body_size = 0;
    if (request.body_file) {
      std::error_code ec;
      body_size = std::filesystem::file_size(*request.body_file, ec);
      if (ec) {
        throw TransportError(Kind::Io, "cannot size the body file " + request.body_file->string() +
                                           ": " + ec.message());
      }
    } else {
      body_size = request.body.size();
    }
    bool head_request = request.method == "HEAD";
    bool sends_body = !head_request && (body_size > 0 || request.method == "POST" ||
                                        request.method == "PUT" || request.method == "PATCH");
    std::string head = request_head(request, endpoint.host, sends_body, body_size);
    bool may_keep = true;
    for (const auto& f : request.headers) {
      if (iequals(f.name, "Connection") && to_lower(f.value).find("close") != std::string::npos) {
        may_keep = false;
      }
    }

    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Http1Connection> connection = attempt == 0 ? pool_.take(origin) : nullptr;
      bool reused = connection != nullptr;
      if (!connection) {
        // As libcurl: a connect time-out of 0 means its default, 300 s.
        auto connect_timeout = options_.connect_timeout.count() > 0
                                   ? options_.connect_timeout
                                   : std::chrono::milliseconds(300000);
        Http1Deadline connect_deadline = Http1Clock::now() + connect_timeout;
        bool request_limits = deadline && *deadline < *connect_deadline;
        if (request_limits) connect_deadline = deadline;
        connection = Http1Connection::open(endpoint, connect_deadline, request_limits);
      }
      Http1ResponseReader reader(*connection, deadline);
      try {
        write_request(*connection, head, request, sends_body, body_size, deadline);
        Http1Response answer = reader.read(head_request);
        if (answer.keep_alive && may_keep) pool_.give(origin, std::move(connection));
        return std::move(answer.response);
      } catch (const TransportError& e) {
        // A kept-alive connection the server had already closed: try once on a new one.
        if (reused && !reader.received_any() && e.kind() == Kind::Reset) continue;
        throw;
      }
    }
  }

  static std::string request_head(const HttpRequest& request, const std::string& host,
                                  bool sends_body, std::uint64_t body_size) {
    std::string head = request.method + " " + (request.path.empty() ? "/" : request.path);
    if (!request.query.empty()) head += "?" + request.query_string();
    head += " HTTP/1.1\r\n";
    if (has_line_break(head.substr(0, head.size() - 2))) {
      throw TransportError(Kind::Other, "the request line contains a line break");
    }
    if (!request.headers.has("Host")) {
      bool ipv6 = host.find(':') != std::string::npos;
      std::string authority = ipv6 ? "[" + host + "]" : host;
      bool https = request.scheme == "https";
      if (request.port && *request.port != (https ? 443 : 80)) {
        authority += ":" + std::to_string(*request.port);
      }
      head += "Host: " + authority + "\r\n";
    }
    for (const auto& f : request.headers) {
      if (has_line_break(f.name) || has_line_break(f.value)) {
        throw TransportError(Kind::Other, "header " + f.name + " contains a line break");
      }
      head += f.name + ": " + f.value + "\r\n";
    }
    if (sends_body && !request.headers.has("Content-Length")) {
      head += "Content-Length: " + std::to_string(body_size) + "\r\n";
    }
    head += "\r\n";
    return head;
  }

  static void write_request(Http1Connection& connection, const std::string& head,
                            const HttpRequest& request, bool sends_body, std::uint64_t body_size,
                            Http1Deadline deadline) {
    if (!sends_body || body_size == 0) return connection.write_all(head, deadline);
    if (!request.body_file) {
      if (request.body.size() <= kUploadChunk)
        return connection.write_all(head + request.body, deadline);
      connection.write_all(head, deadline);
      return connection.write_all(request.body, deadline);
    }
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(request.body_file->c_str(), "rb"));
    if (!file) {
      throw TransportError(Kind::Io, "cannot open the body file " + request.body_file->string());
    }
    std::string chunk = head;
    std::uint64_t left = body_size;
    std::vector<char> buffer(kUploadChunk);
    while (left > 0) {
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, buffer.size()));
      std::size_t got = std::fread(buffer.data(), 1, want, file.get());
      if (got == 0) {
        throw TransportError(
            Kind::Io, (std::ferror(file.get()) ? "reading the body file failed ("
                                               : "the body file got shorter while it was sent (") +
                          request.body_file->string() + ")");
      }
      chunk.append(buffer.data(), got);
      left -= got;
      connection.write_all(chunk, deadline);
      chunk.clear();
    }
  }

  TransportOptions options_;
  TlsSettings tls_;
  ConnectionPool pool_;
};

}  // namespace

std::shared_ptr<Transport> make_socket_transport(TransportOptions options) {
  return std::make_shared<SocketTransport>(std::move(options));
}

}  // namespace ld
