#include "local/server.hpp"

#include <httplib.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "local/request_gate.hpp"

namespace ld::local {

namespace {

constexpr std::string_view kHealthPath = "/_lambdeploy/health";

bool is_httplib_header(std::string_view name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
         name == "LOCAL_PORT";
}

HttpRequest to_request(const httplib::Request& in) {
  HttpRequest out;
  out.method = in.method;
  out.scheme = "http";
  std::string_view target = in.target;
  auto question = target.find('?');
  out.path = std::string(target.substr(0, question));
  if (out.path.empty()) out.path = "/";
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      auto amp = query.find('&');
      std::string_view item = query.substr(0, amp);
      if (!item.empty()) {
        auto eq = item.find('=');
        out.query.emplace_back(
            uri_decode(item.substr(0, eq)),
            eq == std::string_view::npos ? std::string() : uri_decode(item.substr(eq + 1)));
      }
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  for (const auto& [name, value] : in.headers) {
    if (!is_httplib_header(name)) out.headers.add(name, value);
  }
  std::string host = out.headers.get("Host").value_or("");
  auto colon = host.rfind(':');
  if (colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    try {
      out.port = std::stoi(host.substr(colon + 1));
    } catch (const std::exception&) {
    }
    host.resize(colon);
  }
  out.host = to_lower(host);
  out.body = in.body;
  return out;
}

// Runs each connection on a thread of its own, so a slow or idle client holds its own thread
// and never a worker other clients wait for; at most `max` at once (the accept loop waits).
class ConnectionThreads final : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(int max) : max_(max) {}

  void enqueue(std::function<void()> fn) override {
    {
      std::unique_lock lock(m_);
      cv_.wait(lock, [this] { return running_ < max_; });
      ++running_;
    }
    try {
      std::thread([this, fn] {
        fn();
        finished();
      }).detach();
    } catch (const std::system_error&) {
      // No thread to be had: this connection is served (and closed) on the accept loop's.
      fn();
      finished();
    }
  }

  void shutdown() override {
    std::unique_lock lock(m_);
    cv_.wait(lock, [this] { return running_ == 0; });
  }

 private:
  void finished() {
    std::lock_guard lock(m_);
    --running_;
    cv_.notify_all();
  }

  const int max_;
  std::mutex m_;
  std::condition_variable cv_;
  int running_ = 0;
};

// A connection per client costs a descriptor: the soft limit goes up to the hard one (1024 is
// a common soft default), as servers do at start.
void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Makes cpp-httplib close the connection after this answer: the refused request's body was never
// read, so nothing after it on the connection can be parsed.
void close_after(const httplib::Request& in) {
  auto& headers = const_cast<httplib::Request&>(in).headers;
  headers.erase("Connection");
  headers.emplace("Connection", "close");
}

// `head`: the answer to a HEAD request, whose Content-Length (the size a GET would send) is the
// service's to say; cpp-httplib sends no body for HEAD.
void write_response(const HttpResponse& in, httplib::Response& out, bool head) {
  out.status = in.status;
  std::string content_type = "application/octet-stream";
  for (const auto& field : in.headers.fields()) {
    if (iequals(field.name, "Content-Type")) {
      content_type = field.value;
    } else if (!iequals(field.name, "Content-Length") || (head && in.body.empty())) {
      out.set_header(field.name, field.value);
    }
  }
  if (in.body_writer) {
    // Chunked, as the writer produces it; cpp-httplib calls the provider on this connection's
    // thread, once: the writer runs to its end (or until the client has gone) inside it.
    out.set_chunked_content_provider(
        content_type, [writer = in.body_writer](std::size_t, httplib::DataSink& sink) {
          writer([&sink](std::string_view bytes) {
            return sink.is_writable() && sink.write(bytes.data(), bytes.size());
          });
          sink.done();
          return true;
        });
    return;
  }
  if (head && in.body.empty()) {
    if (in.headers.has("Content-Type")) out.set_header("Content-Type", content_type);
    return;
  }
  if (!in.body.empty() || in.headers.has("Content-Type")) out.set_content(in.body, content_type);
}

}  // namespace

Server::Server(const FrontEnd& front_end, ServerOptions options)
    : front_end_(front_end), options_(std::move(options)) {}

Server::~Server() {
  stop();
}

std::string Server::url() const {
  return "http://" + options_.host + ":" + std::to_string(port_);
}

std::optional<HttpResponse> Server::refuse(const HttpRequest& head) const {
  GateOptions gate;
  gate.allowed_hosts = options_.allowed_hosts;
  if (auto refused = refuse_host(head, gate)) return refused;
  const std::optional<std::size_t> length = content_length(head);
  if (!length || *length == 0) return std::nullopt;
  BodyAllowance allowance = allowance_of(head);
  if (*length > allowance.limit) return std::move(allowance.too_large);
  // A body larger than an unsigned request may carry is read only for a signature that can be
  // right (a forged one costs nothing to send and 512 MB to hold).
  if (*length > kUnsignedLimit && is_signed(head)) return front_end_.refuse_signed_head(head);
  return std::nullopt;
}

BodyAllowance Server::allowance_of(const HttpRequest& head) const {
  const std::string service = service_of(head);
  const Service* found = front_end_.find(service);
  return body_allowance(head, service,
                        found != nullptr ? found->info().protocol : aws::Protocol::RestJson);
}

HttpResponse Server::answer(const HttpRequest& request, const Peer& peer) const {
  HttpResponse response;
  if (request.method == "GET" && request.path == kHealthPath) {
    nlohmann::json health = health_ ? health_() : nlohmann::json::object();
    health["status"] = "running";
    response.status = 200;
    response.body = health.dump();
    response.headers.set("Content-Type", "application/json");
    return response;
  }
  try {
    std::optional<HttpResponse> from_gateway;
    if (gateway_) from_gateway = gateway_(request, peer);
    return from_gateway ? std::move(*from_gateway) : front_end_.handle(request);
  } catch (const std::exception& e) {
    // Never a dead connection: the failure is answered, and said on stderr.
    std::fprintf(stderr, "lambdeploy local: %s %s failed: %s\n", request.method.c_str(),
                 request.path.c_str(), e.what());
    response = HttpResponse{};
    response.status = 500;
    response.headers.set("Content-Type", "application/json");
    response.body = nlohmann::json{{"message", e.what()}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return response;
}

void Server::start() {
  raise_descriptor_limit();
  http_ = std::make_unique<httplib::Server>();
  const int max_connections = options_.max_connections;
  http_->new_task_queue = [max_connections] { return new ConnectionThreads(max_connections); };
  http_->set_payload_max_length(kS3BodyLimit);
  http_->set_keep_alive_max_count(100000);
  // cpp-httplib writes the head and the body separately: without TCP_NODELAY, Nagle and the
  // client's delayed ACK add 40 ms to every kept-alive answer.
  http_->set_tcp_nodelay(true);
  // An idle kept-alive connection holds its thread; 2 s (not 5) also bounds how long stop()
  // waits.
  http_->set_keep_alive_timeout(2);
  // Before any body is read: a Host the endpoint does not serve, or a body longer than the
  // request may carry (by its Content-Length), is refused. A client that sent "Expect:
  // 100-continue" is refused before it sends the body at all.
  http_->set_pre_routing_handler([this](const httplib::Request& in, httplib::Response& out) {
    std::optional<HttpResponse> refused = refuse(to_request(in));
    if (!refused) return httplib::Server::HandlerResponse::Unhandled;
    close_after(in);
    write_response(*refused, out, in.method == "HEAD");
    return httplib::Server::HandlerResponse::Handled;
  });
  http_->set_expect_100_continue_handler(
      [this](const httplib::Request& in, httplib::Response& out) {
        std::optional<HttpResponse> refused = refuse(to_request(in));
        if (!refused) return 100;
        write_response(*refused, out, false);
        return refused->status;
      });
  // `reader`: the body, still to be read (null for a request without one).
  auto serve = [this](const httplib::Request& in, httplib::Response& out,
                      const httplib::ContentReader* reader) {
    auto started = std::chrono::steady_clock::now();
    // cpp-httplib would cut every answer to the request's Range header after the handler (error
    // bodies included); S3 answers ranges itself. The request object is cpp-httplib's own,
    // non-const; it hands handlers a const view.
    const_cast<httplib::Request&>(in).ranges.clear();
    HttpRequest request = to_request(in);
    // cpp-httplib (Debian builds it with zlib and brotli) would inflate a gzip, deflate or br
    // body as it reads it; the signature covers the bytes as sent, S3 stores them as sent, and
    // the front end decodes what a service's protocol allows. `request` keeps the header.
    const_cast<httplib::Request&>(in).headers.erase("Content-Encoding");
    std::optional<HttpResponse> refused;
    // The body bytes this request holds against the endpoint's limit, given back when it is
    // answered.
    std::size_t held = 0;
    struct GiveBack {
      std::atomic<std::size_t>& in_flight;
      const std::size_t& bytes;
      ~GiveBack() { in_flight -= bytes; }
    } give_back{bodies_in_flight_, held};
    if (reader != nullptr) {
      // Read here, not by cpp-httplib: its own reading caps form bodies at 8 KB, and a chunked
      // body has no length to judge it by before it arrives.
      BodyAllowance allowance = allowance_of(request);
      bool over = false;
      bool busy = false;
      const bool whole = (*reader)([&](const char* data, std::size_t size) {
        over = request.body.size() + size > allowance.limit;
        if (over) return false;
        if (bodies_in_flight_.fetch_add(size) + size > options_.bodies_in_flight_limit) {
          bodies_in_flight_ -= size;
          busy = true;
          return false;
        }
        held += size;
        request.body.append(data, size);
        return true;
      });
      if (over) {
        refused = std::move(allowance.too_large);
      } else if (busy) {
        refused = std::move(allowance.busy);
      } else if (!whole) {
        // The client stopped sending (or sent a broken chunk): nothing half-read is run.
        refused = HttpResponse{};
        refused->status = 400;
      }
    }
    HttpResponse response;
    if (refused) {
      close_after(in);
      response = std::move(*refused);
    } else {
      response = answer(request, Peer{in.remote_addr, in.local_port, in.target});
    }
    write_response(response, out, request.method == "HEAD");
    if (options_.verbose) {
      auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
      std::fprintf(stderr, "%s %s%s → %d (%.1f ms)\n", request.method.c_str(), request.host.c_str(),
                   request.path.c_str(), response.status, static_cast<double>(micros) / 1000.0);
    }
  };
  auto without_body = [serve](const httplib::Request& in, httplib::Response& out) {
    serve(in, out, nullptr);
  };
  auto with_body = [serve](const httplib::Request& in, httplib::Response& out,
                           const httplib::ContentReader& reader) { serve(in, out, &reader); };
  // Every path, newlines included (S3 keys may hold them; "." does not match one).
  const std::string any = "[\\s\\S]*";
  http_->Get(any, without_body);
  http_->Options(any, without_body);
  http_->Post(any, with_body);
  http_->Put(any, with_body);
  http_->Patch(any, with_body);
  http_->Delete(any, with_body);
  // cpp-httplib listens with a backlog of 5: a burst of new connections (a load test, many
  // clients starting at once) overflows it, and each dropped SYN costs its client a 1 s retry.
  // The listening socket's backlog is raised once it listens.
  int listening = -1;
  http_->set_socket_options([&listening](int fd) {
    httplib::default_socket_options(fd);
    listening = fd;
  });
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) throw Error("cannot listen on " + options_.host + " (any port)");
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      throw Error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                  " (is another endpoint running? try `lambdeploy local status`, or --port)");
    }
    port_ = options_.port;
  }
  if (listening >= 0) ::listen(listening, SOMAXCONN);
  thread_ = std::thread([this] { http_->listen_after_bind(); });
  // stop() before the accept loop runs would be lost and join forever: wait until it runs.
  for (int i = 0; i < 2000 && !http_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void Server::stop() {
  if (http_) http_->stop();
  if (thread_.joinable()) thread_.join();
  http_.reset();
}

}  // namespace ld::local
