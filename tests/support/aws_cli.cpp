#include "support/aws_cli.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace ld::test {

namespace {

constexpr const char* kAwsCli = "/usr/bin/aws";

// Reads both pipes to their end without letting either fill up.
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open = 2;
  char buffer[8192];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
      if (got <= 0) {
        fds[i].fd = -1;
        --open;
      } else {
        (i == 0 ? out : err).append(buffer, static_cast<std::size_t>(got));
      }
    }
  }
}

}  // namespace

nlohmann::json AwsCliRun::json() const {
  auto parsed = nlohmann::json::parse(out, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

bool aws_cli_available() {
  return std::filesystem::exists(kAwsCli);
}

AwsCliRun run_aws_cli(const std::string& endpoint_url, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string item = *e;
    auto eq = item.find('=');
    if (eq != std::string::npos) vars[item.substr(0, eq)] = item.substr(eq + 1);
  }
  for (const char* name : {"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                           "AWS_DEFAULT_PROFILE", "AWS_CA_BUNDLE"})
    vars.erase(name);
  vars["AWS_ACCESS_KEY_ID"] = "test";
  vars["AWS_SECRET_ACCESS_KEY"] = "test";
  vars["AWS_PAGER"] = "";
  vars["AWS_CONFIG_FILE"] = "/dev/null";
  vars["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
  vars["AWS_EC2_METADATA_DISABLED"] = "true";
  for (const auto& [name, value] : env) {
    if (value.empty()) {
      vars.erase(name);
    } else {
      vars[name] = value;
    }
  }
  std::vector<std::string> env_text;
  for (const auto& [name, value] : vars) env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_text = {kAwsCli,     "--endpoint-url", endpoint_url, "--region",
                                        "us-east-1", "--output",       "json"};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, kAwsCli, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  AwsCliRun run;
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    run.err = std::string("cannot run ") + kAwsCli + ": " + std::strerror(rc);
    return run;
  }
  drain(out_pipe[0], err_pipe[0], run.out, run.err);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

}  // namespace ld::test
