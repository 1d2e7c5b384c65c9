#pragma once
// `lambdeploy local`: the AWS-compatible endpoint on loopback, assembled: key ring, state under
// the data dir, the seven services, the executor that runs functions, the Function URL gateway,
// and the listener.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/executor.hpp"
#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/state.hpp"

namespace ld::local {

class LambdaService;
class TelemetryBuffer;
class UrlGateway;

struct EndpointOptions {
  ServerOptions server;
  std::filesystem::path data_dir = ".lambdeploy/local";
  std::vector<KeyPair> keys = {KeyRing::default_key()};
  NowFn now;  // empty: the system clock
  // Lambda: how long State stays Pending and LastUpdateStatus InProgress after a change.
  std::chrono::milliseconds settle_delay{300};
  // Executor: concurrent instances per function (AWS scales to the account's 1,000; here each
  // is a process, so 100, beyond which Invoke answers 429 as a throttled AWS does), idle reaping.
  int max_instances_per_function = 100;
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  // CloudWatch: real seconds per second of an alarm period (1 as AWS; small in tests).
  double alarm_time_scale = 1.0;
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
  // What the health route and `lambdeploy local status` show.
  nlohmann::json health() const;

 private:
  EndpointOptions options_;
  std::shared_ptr<KeyRing> keys_;
  State state_;
  std::shared_ptr<TelemetryBuffer> telemetry_;
  std::shared_ptr<Executor> executor_;
  std::unique_ptr<FrontEnd> front_end_;
  std::shared_ptr<UrlGateway> gateway_;
  std::unique_ptr<Server> server_;
};

}  // namespace ld::local
