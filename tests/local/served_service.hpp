#pragma once
// Test harness for one local service: its State in a temp dir, a FrontEnd and a Server on a free
// loopback port, a client config for the project's own AWS clients, and /usr/bin/aws runs.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aws/client.hpp"
#include "aws/credentials.hpp"
#include "aws/error.hpp"
#include "aws/http.hpp"
#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/state.hpp"
#include "local_client.hpp"
#include "support/aws_cli.hpp"

namespace ld::local::test {

// The AWS error code (and message) a call fails with, or "" when it succeeds.
template <typename F>
std::string error_of(F&& f, std::string* message = nullptr) {
  try {
    f();
  } catch (const aws::AwsError& e) {
    if (message != nullptr) *message = e.message();
    return e.code();
  }
  return "";
}

// What one /usr/bin/aws run printed and returned.
using CliRun = ld::test::AwsCliRun;

// A service served on 127.0.0.1 with its state under `data_dir`.
class ServedService {
 public:
  using Factory = std::function<std::shared_ptr<Service>(const State&)>;

  ServedService(const std::filesystem::path& data_dir, const Factory& make)
      : data_dir_(data_dir), state_(State::open(data_dir)) {
    keys_ = std::make_shared<KeyRing>();
    front_end_ = std::make_unique<FrontEnd>(keys_);
    front_end_->add(make(state_));
    server_ = std::make_unique<Server>(
        *front_end_, ServerOptions{.host = "127.0.0.1", .port = 0, .verbose = false});
    server_->start();
  }
  ~ServedService() { server_->stop(); }

  std::string url() const { return server_->url(); }
  State& state() { return state_; }

  aws::ClientConfig config(const std::string& region = "us-east-1") const {
    return ld::test::client_config(url(), region);
  }

  // Runs /usr/bin/aws against this endpoint with the default key and no shared files.
  CliRun aws(const std::vector<std::string>& args) const {
    return ld::test::run_aws_cli(url(), args);
  }

 private:
  std::filesystem::path data_dir_;
  State state_;
  std::shared_ptr<KeyRing> keys_;
  std::unique_ptr<FrontEnd> front_end_;
  std::unique_ptr<Server> server_;
};

}  // namespace ld::local::test
