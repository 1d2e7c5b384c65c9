#pragma once
// The local endpoint's HTTP listener on 127.0.0.1: hands AWS API requests to the front end,
// Function URL requests to the URL gateway, and answers the health route.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/http.hpp"
#include "local/front_end.hpp"

namespace httplib {
class Server;
}

namespace ld::local {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 4566;  // 0: any free port (tests)
  // Worker threads: a kept-alive client connection holds one while it is open.
  int threads = 256;
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
  const FrontEnd& front_end_;
  ServerOptions options_;
  Gateway gateway_;
  std::function<nlohmann::json()> health_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ld::local
