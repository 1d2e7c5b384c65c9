#pragma once
// `lambdeploy local`: the AWS-compatible endpoint on loopback, assembled: key ring, front end,
// services, state under the data dir, and the listener.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"

namespace ld::local {

struct EndpointOptions {
  ServerOptions server;
  std::filesystem::path data_dir = ".lambdeploy/local";
  std::vector<KeyPair> keys = {KeyRing::default_key()};
  NowFn now;  // empty: the system clock
};

// The running endpoint. start() opens the state and binds; stop() (or destruction) ends it.
class Endpoint {
 public:
  explicit Endpoint(EndpointOptions options);
  ~Endpoint();
  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;

  void start();
  void stop();
  std::string url() const { return server_ ? server_->url() : std::string(); }
  int port() const { return server_ ? server_->port() : 0; }
  const EndpointOptions& options() const { return options_; }
  FrontEnd& front_end() { return *front_end_; }

 private:
  EndpointOptions options_;
  std::shared_ptr<KeyRing> keys_;
  std::unique_ptr<FrontEnd> front_end_;
  std::unique_ptr<Server> server_;
};

}  // namespace ld::local
