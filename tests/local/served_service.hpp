#pragma once
// Test harness for one local service: its State in a temp dir, a FrontEnd and a Server on a free
// loopback port, a client config for the project's own AWS clients, and /usr/bin/aws runs.
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "aws/client.hpp"
#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "local/front_end.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/state.hpp"

namespace ld::local::test {

// The default key (test / test, account 000000000000).
class TestCredentials : public aws::CredentialsProvider {
 public:
  aws::Credentials credentials() override { return {"test", "test", "", std::nullopt, "test"}; }
};

// What one /usr/bin/aws run printed and returned.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'')
      quoted += "'\\''";
    else
      quoted.push_back(c);
  }
  return quoted + "'";
}

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
        *front_end_, ServerOptions{.host = "127.0.0.1", .port = 0, .threads = 8, .verbose = false});
    server_->start();
  }
  ~ServedService() { server_->stop(); }

  std::string url() const { return server_->url(); }
  State& state() { return state_; }

  aws::ClientConfig config(const std::string& region = "us-east-1") const {
    aws::ClientConfig config;
    config.region = region;
    config.signing_region = region;
    config.endpoint = aws::Endpoint::parse(url());
    config.custom_endpoint = true;
    config.s3_force_path_style = true;
    config.credentials = std::make_shared<TestCredentials>();
    config.retry.max_attempts = 1;
    return config;
  }

  // Runs /usr/bin/aws against this endpoint with the default key and no shared files.
  CliRun aws(const std::vector<std::string>& args, const std::string& extra_env = "") const {
    const std::filesystem::path err_file = data_dir_ / "aws-cli.stderr";
    std::string command =
        "env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_PAGER= "
        "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null " +
        extra_env + " /usr/bin/aws --endpoint-url " + url() + " --region us-east-1 --output json";
    for (const std::string& arg : args) command += " " + shell_quote(arg);
    command += " 2>" + shell_quote(err_file.string()) + " </dev/null";
    CliRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buffer{};
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      run.out.append(buffer.data(), got);
    const int status = pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream err(err_file);
    std::stringstream text;
    text << err.rdbuf();
    run.err = text.str();
    return run;
  }

 private:
  std::filesystem::path data_dir_;
  State state_;
  std::shared_ptr<KeyRing> keys_;
  std::unique_ptr<FrontEnd> front_end_;
  std::unique_ptr<Server> server_;
};

}  // namespace ld::local::test
