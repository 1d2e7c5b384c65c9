// github-digest: the GitHub Digest service in one binary. With AWS_LAMBDA_RUNTIME_API set it is
// the Lambda `bootstrap` (Runtime API loop); otherwise `github-digest serve` runs it locally.
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/hash.hpp"
#include "runtime/runtime.hpp"
#include "service/app.hpp"
#include "service/settings.hpp"
#include "web/app.hpp"
#include "web/handler.hpp"
#include "web/server.hpp"

namespace {

constexpr std::string_view kUsage =
    "usage: github-digest serve [--port PORT] [--host HOST] [--threads N]\n"
    "       github-digest --version | --help\n"
    "\n"
    "With AWS_LAMBDA_RUNTIME_API set (inside Lambda), runs the Lambda Runtime API loop.\n"
    "serve: answers HTTP on HOST:PORT (default 127.0.0.1:8080) until SIGINT or SIGTERM,\n"
    "       with N worker threads (default: 8, or one per core when there are more).\n";

// The GitHub Digest service: settings from the environment and the `version` file, once.
// Throws ld::Error when a setting is wrong (for example a version file without vX.Y.Z).
ld::web::Handler make_handler() {
  std::shared_ptr<ld::web::App> app =
      ld::service::make_app(ld::service::Settings::from_env(GITHUB_DIGEST_VERSION));
  return [app](ld::web::Request& request) { return app->handle(request); };
}

int usage_error(std::string_view message) {
  std::cerr << "github-digest: " << message << "\n\n" << kUsage;
  return 2;
}

bool parse_number(std::string_view text, unsigned long max, unsigned long& out) {
  if (text.empty() || text.size() > 10) return false;
  unsigned long n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  if (n > max) return false;
  out = n;
  return true;
}

int serve(int argc, char** argv) {
  ld::web::ServerOptions options;
  options.port = 8080;
  // Handlers wait on upstream calls (GitHub), so more workers than cores; idle ones cost nothing.
  options.threads = std::max(8U, std::thread::hardware_concurrency());
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    std::string_view name = arg;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (arg == "--port" || arg == "--host" || arg == "--threads") {
      if (i + 1 >= argc) return usage_error(std::string(arg) + " needs a value");
      value = argv[++i];
    }
    unsigned long n = 0;
    if (name == "--port") {
      if (!parse_number(value, 65535, n))
        return usage_error("--port must be a number from 0 to 65535, not '" + std::string(value) +
                           "'");
      options.port = static_cast<std::uint16_t>(n);
    } else if (name == "--host") {
      if (value.empty()) return usage_error("--host needs a value");
      options.host = std::string(value);
    } else if (name == "--threads") {
      if (!parse_number(value, 1024, n))
        return usage_error("--threads must be a number from 0 to 1024, not '" + std::string(value) +
                           "'");
      options.threads = static_cast<unsigned>(n);
    } else if (name == "--help" || name == "-h") {
      std::cout << kUsage;
      return 0;
    } else {
      return usage_error("unknown argument for serve: '" + std::string(arg) + "'");
    }
  }

  // Block the stop signals before any thread starts, then wait for one on this thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::optional<ld::web::Server> server;
  try {
    server.emplace(make_handler(), options);
    server->start();
  } catch (const std::exception& e) {
    std::cerr << "github-digest: " << e.what() << '\n';
    return 1;
  }
  std::cerr << "github-digest " << GITHUB_DIGEST_VERSION << " listening on http://"
            << (options.host.find(':') != std::string::npos ? "[" + options.host + "]"
                                                            : options.host)
            << ':' << server->port() << '\n';
  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "github-digest: " << strsignal(received) << ", stopping\n";
  server->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ld::init_crypto_without_config();
  if (const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API"); api != nullptr && *api != '\0') {
    ld::web::Handler handler;
    try {
      handler = make_handler();
    } catch (const std::exception& e) {
      std::cerr << "github-digest: " << e.what() << '\n';
      ld::runtime::report_init_error("Runtime.InitError", e.what());
      return 1;
    }
    return ld::runtime::run(handler);
  }

  if (argc < 2) return usage_error("no command given");
  std::string_view command = argv[1];
  if (command == "--version" || command == "version") {
    std::cout << "github-digest " << GITHUB_DIGEST_VERSION << '\n';
    return 0;
  }
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  if (command == "serve") return serve(argc, argv);
  return usage_error("unknown command '" + std::string(command) + "'");
}
