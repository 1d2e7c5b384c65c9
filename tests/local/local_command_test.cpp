// `lambdeploy local start|status|stop|reset` as a user runs them: the real CLI binary, detached,
// with its state in a temp dir; it answers on its port until stopped, refuses a second start and
// a reset while running, and keeps its state across a restart.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/aws_cli.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

// What a command printed (stdout and stderr together) and its exit code.
struct Ran {
  int code = -1;
  std::string output;
};

Ran lambdeploy(const std::string& args) {
  std::string command = std::string(LAMBDEPLOY_CLI) + " " + args + " 2>&1";
  Ran ran;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return ran;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    ran.output.append(buffer.data(), got);
  int status = ::pclose(pipe);
  ran.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

TEST(LocalCommand, StartsDetachedAnswersAndStops) {
  test::TempDir dir("local-cli");
  const std::string data = (dir.path() / "state").string();
  const std::string common = "local --data-dir " + data;

  // --port 0: any free port, which it reports.
  auto started = std::chrono::steady_clock::now();
  Ran start = lambdeploy(common + " start --detach --port 0");
  auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(start.code, 0) << start.output;
  const std::string prefix = "listening on http://127.0.0.1:";
  auto at = start.output.find(prefix);
  ASSERT_NE(at, std::string::npos) << start.output;
  const int port = std::stoi(start.output.substr(at + prefix.size()));
  EXPECT_GT(port, 0);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(data) / "endpoint.json"));

  Ran again = lambdeploy(common + " start --detach --port 0");
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.output.find("already running"), std::string::npos) << again.output;

  // The data dir may also follow the subcommand, as the issue writes it.
  Ran status = lambdeploy("local status --data-dir " + data);
  EXPECT_EQ(status.code, 0) << status.output;
  EXPECT_NE(status.output.find("running at http://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find(
                R"(services: ["CloudWatch","CloudWatch Logs","IAM","Lambda","S3","SSM","STS"])"),
            std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("isolation: "), std::string::npos) << status.output;

  if (test::aws_cli_available()) {
    auto identity = test::run_aws_cli("http://127.0.0.1:" + std::to_string(port),
                                      {"sts", "get-caller-identity"});
    EXPECT_EQ(identity.exit_code, 0) << identity.err;
    EXPECT_EQ(identity.json()["Account"], "000000000000");
  }

  Ran refused = lambdeploy(common + " reset");
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.output.find("stop"), std::string::npos) << refused.output;

  Ran stop = lambdeploy(common + " stop");
  EXPECT_EQ(stop.code, 0) << stop.output;
  EXPECT_NE(stop.output.find("stopped"), std::string::npos) << stop.output;
  Ran stopped = lambdeploy(common + " status");
  EXPECT_EQ(stopped.code, 3);
  EXPECT_NE(stopped.output.find("not running"), std::string::npos) << stopped.output;

  Ran reset = lambdeploy(common + " reset");
  EXPECT_EQ(reset.code, 0) << reset.output;
  EXPECT_FALSE(std::filesystem::exists(data));
}

// The permission bits of `path` (-1 when it does not exist).
int mode_of(const std::filesystem::path& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return -1;
  return static_cast<int>(status.st_mode & 07777);
}

TEST(LocalCommand, ItsDataIsTheUsersAloneWhateverTheUmask) {
  ::umask(022);
  test::TempDir dir("local-modes");
  const std::filesystem::path data = dir.path() / "state";
  const std::string common = "local --data-dir " + data.string();
  Ran start = lambdeploy(common + " start --detach --port 0");
  ASSERT_EQ(start.code, 0) << start.output;
  const std::string prefix = "listening on http://127.0.0.1:";
  const std::string url =
      "http://127.0.0.1:" +
      std::to_string(std::stoi(start.output.substr(start.output.find(prefix) + prefix.size())));
  if (test::aws_cli_available()) {
    auto secret = test::run_aws_cli(url, {"ssm", "put-parameter", "--name", "/app/token", "--value",
                                          "hunter2", "--type", "SecureString"});
    EXPECT_EQ(secret.exit_code, 0) << secret.err;
    auto bucket = test::run_aws_cli(url, {"s3api", "create-bucket", "--bucket", "modes"});
    EXPECT_EQ(bucket.exit_code, 0) << bucket.err;
    auto object =
        test::run_aws_cli(url, {"s3api", "put-object", "--bucket", "modes", "--key", "k", "--body",
                                (dir.path() / "state" / "endpoint.json").string()});
    EXPECT_EQ(object.exit_code, 0) << object.err;
  }
  EXPECT_EQ(mode_of(data), 0700);
  for (const char* file :
       {"state.db", "state.db-wal", "state.db-shm", "endpoint.json", "endpoint.log"})
    EXPECT_EQ(mode_of(data / file), 0600) << file;
  std::size_t blobs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(data / "blobs")) {
    if (entry.is_directory()) {
      EXPECT_EQ(mode_of(entry.path()), 0700) << entry.path();
    } else {
      EXPECT_EQ(mode_of(entry.path()), 0600) << entry.path();
      ++blobs;
    }
  }
  if (test::aws_cli_available()) {
    EXPECT_GT(blobs, 0u);
  }
  Ran stop = lambdeploy(common + " stop");
  EXPECT_EQ(stop.code, 0) << stop.output;
}

TEST(LocalCommand, BadOptionsAreNamed) {
  Ran bad_key = lambdeploy("local --data-dir /tmp/unused-ld start --key onlyone");
  EXPECT_NE(bad_key.code, 0);
  EXPECT_NE(bad_key.output.find("ACCESS_KEY:SECRET_KEY"), std::string::npos) << bad_key.output;
  Ran bad_port = lambdeploy("local start --port 70000");
  EXPECT_NE(bad_port.code, 0);
  EXPECT_NE(bad_port.output.find("--port"), std::string::npos) << bad_port.output;
}

}  // namespace
}  // namespace ld::local
