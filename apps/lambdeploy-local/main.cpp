// lambdeploy-local: `lambdeploy local` start, stop, status and reset of the AWS-compatible
// endpoint on loopback. A program of its own, which `lambdeploy local ARGS...` runs (execv, with
// lambdeploy's argv[0], so usage lines read as before): the CLI then links neither the endpoint
// nor its libraries, and starts faster. A running endpoint leaves {data-dir}/endpoint.json (pid,
// port, url) for the other commands.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "local/endpoint.hpp"
#include "local/private_files.hpp"
#include "local_endpoint.hpp"

namespace ld::cli {

namespace {

// Exit codes, as lambdeploy's (README: "Exit codes").
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitBadInput = 3;

namespace fs = std::filesystem;
using nlohmann::json;

// What `local` options say.
struct LocalOptions {
  int port = 4566;
  std::string data_dir;
  std::vector<std::string> keys;
  std::vector<std::string> allowed_hosts;
  int max_instances = 100;
  bool detach = false;
  bool verbose = false;
};

local::EndpointOptions endpoint_options(const LocalOptions& options) {
  local::EndpointOptions out;
  out.server.port = options.port;
  out.server.verbose = options.verbose;
  for (const auto& host : options.allowed_hosts) out.server.allowed_hosts.push_back(to_lower(host));
  out.max_instances_per_function = options.max_instances;
  out.data_dir = local_data_dir(options.data_dir);
  if (!options.keys.empty()) {
    out.keys.clear();
    for (const auto& text : options.keys) out.keys.push_back(local::KeyRing::parse(text));
  }
  return out;
}

// Serves until SIGINT or SIGTERM.
int serve(const LocalOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts

  local::Endpoint endpoint(endpoint_options(options));
  endpoint.start();
  const fs::path dir = endpoint.options().data_dir;
  {
    json state = {{"pid", ::getpid()}, {"port", endpoint.port()}, {"url", endpoint.url()}};
    const fs::path tmp = local_state_file(dir).string() + ".tmp";
    const std::string text = state.dump() + "\n";
    const int fd = local::open_private_file(tmp, O_WRONLY | O_TRUNC);
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) throw Error("cannot write " + tmp.string());
    fs::rename(tmp, local_state_file(dir));
  }
  std::printf("lambdeploy local: listening on %s (data in %s)\n", endpoint.url().c_str(),
              fs::absolute(dir).c_str());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  std::error_code ec;
  fs::remove(local_state_file(dir), ec);
  endpoint.stop();
  std::printf("lambdeploy local: stopped\n");
  return 0;
}

int start(const LocalOptions& options) {
  const fs::path dir = local_data_dir(options.data_dir);
  if (auto state = running_local_endpoint(dir)) {
    std::fprintf(stderr, "lambdeploy local: already running at %s (pid %d, data in %s)\n",
                 state->value("url", "").c_str(), state->value("pid", 0), dir.c_str());
    return 1;
  }
  if (!options.detach) return serve(options);

  local::make_private_dir(dir);
  const fs::path log = dir / "endpoint.log";
  pid_t child = ::fork();
  if (child < 0) throw Error("cannot fork the endpoint's process");
  if (child == 0) {
    ::setsid();
    int fd = -1;
    try {
      fd = local::open_private_file(log, O_WRONLY | O_APPEND);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lambdeploy local: %s\n", e.what());
    }
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    if (null >= 0) ::dup2(null, STDIN_FILENO);
    int code = 1;
    try {
      code = serve(options);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "lambdeploy local: %s\n", e.what());
    }
    std::fflush(nullptr);
    ::_exit(code);
  }
  // Wait for it to answer its health route (it writes endpoint.json once it listens).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) {
      std::fprintf(stderr, "lambdeploy local: the endpoint exited at start; see %s\n", log.c_str());
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line)) std::fprintf(stderr, "  %s\n", line.c_str());
      return 1;
    }
    if (auto state = running_local_endpoint(dir)) {
      if (local_health(state->value("url", ""))) {
        std::printf("lambdeploy local: listening on %s (pid %d, data in %s, log %s)\n",
                    state->value("url", "").c_str(), child, fs::absolute(dir).c_str(), log.c_str());
        return 0;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(child, SIGKILL);
  std::fprintf(stderr, "lambdeploy local: the endpoint did not answer within 10 s; see %s\n",
               log.c_str());
  return 1;
}

int stop(const LocalOptions& options) {
  const fs::path dir = local_data_dir(options.data_dir);
  auto state = running_local_endpoint(dir);
  if (!state) {
    std::printf("lambdeploy local: not running (data in %s)\n", dir.c_str());
    return 0;
  }
  pid_t pid = state->value("pid", 0);
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (::kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (::kill(pid, 0) == 0) {
    ::kill(pid, SIGKILL);
    std::error_code ec;
    fs::remove(local_state_file(dir), ec);
    std::printf("lambdeploy local: killed pid %d (it did not stop within 5 s)\n", pid);
    return 0;
  }
  std::printf("lambdeploy local: stopped pid %d\n", pid);
  return 0;
}

int status(const LocalOptions& options) {
  const fs::path dir = local_data_dir(options.data_dir);
  auto state = running_local_endpoint(dir);
  if (!state) {
    std::printf("lambdeploy local: not running (data in %s)\n", dir.c_str());
    return 3;
  }
  auto answer = local_health(state->value("url", ""));
  if (!answer) {
    std::printf("lambdeploy local: pid %d is alive but %s does not answer\n",
                state->value("pid", 0), state->value("url", "").c_str());
    return 1;
  }
  std::printf("lambdeploy local: running at %s (pid %d)\n", state->value("url", "").c_str(),
              state->value("pid", 0));
  for (const auto& [key, value] : answer->items()) {
    if (key == "status") continue;
    std::printf("  %s: %s\n", key.c_str(),
                value.is_string() ? value.get<std::string>().c_str() : value.dump().c_str());
  }
  return 0;
}

int reset(const LocalOptions& options) {
  const fs::path dir = local_data_dir(options.data_dir);
  if (auto state = running_local_endpoint(dir)) {
    std::fprintf(stderr,
                 "lambdeploy local: the endpoint is running (pid %d); `lambdeploy local stop` "
                 "first\n",
                 state->value("pid", 0));
    return 1;
  }
  std::error_code ec;
  auto removed = fs::remove_all(dir, ec);
  if (ec) throw Error("cannot remove " + dir.string() + ": " + ec.message());
  std::printf("lambdeploy local: removed %s (%ju files)\n", dir.c_str(),
              static_cast<std::uintmax_t>(removed));
  return 0;
}

// `local start|stop|status|reset` with their options, as `lambdeploy local` has always had them.
void add_local_command(CLI::App& app) {
  auto options = std::make_shared<LocalOptions>();
  auto* local = app.add_subcommand("local", "the AWS-compatible endpoint on loopback");
  local->require_subcommand(1);
  local->add_option("--data-dir", options->data_dir,
                    "where state lives (default: $LAMBDEPLOY_LOCAL_DIR or .lambdeploy/local)");
  auto* start_cmd = local->add_subcommand("start", "start the endpoint on 127.0.0.1");
  start_cmd->add_option("--port", options->port, "port (default 4566)")
      ->check(CLI::Range(0, 65535));
  start_cmd->add_flag("--detach,-d", options->detach, "run in the background");
  start_cmd
      ->add_option("--max-instances", options->max_instances,
                   "concurrent instances per function before 429 (default 100)")
      ->check(CLI::Range(1, 1000));
  start_cmd->add_flag("--verbose,-v", options->verbose, "one line per request");
  start_cmd->add_option("--allow-host", options->allowed_hosts,
                        "also answer requests whose Host is NAME (besides localhost, 127.0.0.1, "
                        "[::1] and *.localhost; any other Host gets 403)");
  start_cmd->add_option("--key", options->keys,
                        "accepted key pair ACCESS:SECRET[:ACCOUNT] (default test:test)");
  auto run = [](int (*command)(const LocalOptions&), std::shared_ptr<LocalOptions> o) {
    return [command, o] {
      int code = command(*o);
      if (code != 0) throw CLI::RuntimeError(code);
    };
  };
  start_cmd->callback(run(start, options));
  auto* stop_cmd = local->add_subcommand("stop", "stop the running endpoint");
  stop_cmd->callback(run(stop, options));
  auto* status_cmd = local->add_subcommand("status", "say whether it runs, where, and how");
  status_cmd->callback(run(status, options));
  auto* reset_cmd = local->add_subcommand("reset", "delete all its state (it must be stopped)");
  reset_cmd->callback(run(reset, options));
  // Also after the subcommand: `local start --data-dir D`, as users write it.
  for (auto* command : {start_cmd, stop_cmd, status_cmd, reset_cmd})
    command->add_option("--data-dir", options->data_dir, "where state lives (as above)");
}

// lambdeploy's global options, accepted and ignored as they were when `local` was one of its
// commands (`lambdeploy local status -v` falls through to them).
struct IgnoredGlobalOptions {
  std::string text;
  bool flag = false;
  int verbose = 0;
};

// Adds them to `app`, outside the help (an empty group hides them).
void add_ignored_global_options(CLI::App& app, IgnoredGlobalOptions& ignored) {
  for (const char* name : {"--config,-c", "--region", "--profile", "--endpoint-url"})
    app.add_option(name, ignored.text)->group("");
  for (const char* name : {"--local", "--json", "--quiet,-q", "--no-color"})
    app.add_flag(name, ignored.flag)->group("");
  app.add_flag("-v,--verbose", ignored.verbose)->group("");
}

}  // namespace

}  // namespace ld::cli

int main(int argc, char** argv) {
  using namespace ld::cli;
  CLI::App app{"lambdeploy-local: the AWS-compatible endpoint on loopback (`lambdeploy local`)"};
  app.require_subcommand(1);
  app.fallthrough();
  IgnoredGlobalOptions ignored;
  add_ignored_global_options(app, ignored);
  add_local_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // Usage mistakes are bad input (3); --help is not a mistake.
    if (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) return kExitBadInput;
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy: %s\n", e.what());
    return kExitFailed;
  }
  return kExitOk;
}
