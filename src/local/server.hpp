#pragma once
// The local endpoint's HTTP listener on 127.0.0.1: hands AWS API requests to the front end,
// Function URL requests to the URL gateway, and answers the health route.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http.hpp"
#include "local/front_end.hpp"
#include "local/request_gate.hpp"

namespace httplib {
class Server;
}

namespace ld::local {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 4566;  // 0: any free port (tests)
  // Connections served at once, each on a thread of its own (a slow client holds only its
  // own); the accept loop waits beyond.
  int max_connections = 4096;
  // The most body bytes the requests being read may hold together (kBodiesInFlightLimit);
  // beyond, a request gets its service's throttling error.
  std::size_t bodies_in_flight_limit = kBodiesInFlightLimit;
  // Host names answered besides localhost, 127.0.0.1, [::1] and *.localhost (others get 403).
  std::vector<std::string> allowed_hosts = {};
  bool verbose = false;  // one line per request on stderr
};

// Where a request came from (what cpp-httplib knows of the connection).
struct Peer {
  std::string address;  // "127.0.0.1"
  int local_port = 0;   // the port it came in on
  std::string target;   // the request target as sent: path?query, still percent-encoded
};

// Answers a request when it is for it (a Function URL), nullopt otherwise.
using Gateway = std::function<std::optional<HttpResponse>(const HttpRequest&, const Peer&)>;

// The listener. start() binds and serves on a thread; stop() (or the destructor) ends it.
class Server {
 public:
  Server(const FrontEnd& front_end, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  void set_gateway(Gateway gateway) { gateway_ = std::move(gateway); }
  // What GET /_lambdeploy/health answers besides {"status": "running"}.
  void set_health(std::function<nlohmann::json()> health) { health_ = std::move(health); }

  // Binds (throws ld::Error naming the address when it cannot) and starts serving.
  void start();
  void stop();
  int port() const { return port_; }
  std::string url() const;

 private:
  // The answer refusing a request from its head alone (Host, body length), nullopt when the
  // request may go on.
  std::optional<HttpResponse> refuse(const HttpRequest& head) const;
  // How much body the request may carry, and the answer when it carries more.
  BodyAllowance allowance_of(const HttpRequest& head) const;
  // Answers a whole request (health, Function URL or AWS API call).
  HttpResponse answer(const HttpRequest& request, const Peer& peer) const;

  const FrontEnd& front_end_;
  ServerOptions options_;
  Gateway gateway_;
  std::function<nlohmann::json()> health_;
  std::unique_ptr<httplib::Server> http_;
  // Body bytes of the requests being read, against kBodiesInFlightLimit.
  std::atomic<std::size_t> bodies_in_flight_{0};
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ld::local
