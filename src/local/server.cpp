#include "local/server.hpp"

#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

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

void Server::start() {
  http_ = std::make_unique<httplib::Server>();
  const int threads = options_.threads;
  http_->new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  http_->set_payload_max_length(512ull * 1024 * 1024);
  http_->set_keep_alive_max_count(100000);
  // cpp-httplib writes the head and the body separately: without TCP_NODELAY, Nagle and the
  // client's delayed ACK add 40 ms to every kept-alive answer.
  http_->set_tcp_nodelay(true);
  // An idle kept-alive connection holds a worker; 2 s (not 5) also bounds how long stop() waits.
  http_->set_keep_alive_timeout(2);
  // Every route: the handlers (not a pre-routing hook) run after cpp-httplib read the body.
  auto handler = [this](const httplib::Request& in, httplib::Response& out) {
    auto started = std::chrono::steady_clock::now();
    // cpp-httplib would cut every answer to the request's Range header after the handler (error
    // bodies included); S3 answers ranges itself. The request object is cpp-httplib's own,
    // non-const; it hands handlers a const view.
    const_cast<httplib::Request&>(in).ranges.clear();
    HttpRequest request = to_request(in);
    HttpResponse response;
    if (request.method == "GET" && request.path == kHealthPath) {
      nlohmann::json health = health_ ? health_() : nlohmann::json::object();
      health["status"] = "running";
      response.status = 200;
      response.body = health.dump();
      response.headers.set("Content-Type", "application/json");
    } else {
      try {
        std::optional<HttpResponse> from_gateway;
        if (gateway_) {
          Peer peer{in.remote_addr, in.local_port, in.target};
          from_gateway = gateway_(request, peer);
        }
        response = from_gateway ? std::move(*from_gateway) : front_end_.handle(request);
      } catch (const std::exception& e) {
        // Never a dead connection: the failure is answered, and said on stderr.
        std::fprintf(stderr, "lambdeploy local: %s %s failed: %s\n", request.method.c_str(),
                     request.path.c_str(), e.what());
        response = HttpResponse{};
        response.status = 500;
        response.headers.set("Content-Type", "application/json");
        response.body = nlohmann::json{{"message", e.what()}}.dump();
      }
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
  const std::string any = ".*";
  http_->Get(any, handler);
  http_->Post(any, handler);
  http_->Put(any, handler);
  http_->Patch(any, handler);
  http_->Delete(any, handler);
  http_->Options(any, handler);
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
