// hello: the smallest lambdeploy service, and the template to copy for your own.
// One binary, two ways to run it:
//   - under Lambda (AWS_LAMBDA_RUNTIME_API set) it is the function's `bootstrap`: it runs the
//     Runtime API loop and answers Function URL events;
//   - elsewhere `hello serve --port 8080` answers the same routes over HTTP on 127.0.0.1.
#include <signal.h>
#include <zlib.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "core/hash.hpp"
#include "runtime/runtime.hpp"
#include "web/app.hpp"
#include "web/server.hpp"

namespace {

using ld::web::Params;
using ld::web::Request;
using ld::web::Response;

// HELLO_VERSION is the first line of ./version, baked in by CMakeLists.txt at build time.
constexpr const char* kVersion = HELLO_VERSION;

std::string env_or(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : std::string(fallback);
}

// The service: its routes, behind the API-key check. The key's header (or cookie) name and value
// come from FAST_API__AUTH__API_KEY__NAME / FAST_API__AUTH__API_KEY__VALUE (lambdeploy.toml's
// [env]); without them every route answers 401, except /docs and /openapi.json.
std::unique_ptr<ld::web::App> make_app() {
  auto app = std::make_unique<ld::web::App>(ld::web::AppConfig{
      .title = "hello",
      .version = kVersion,
      .description = "The lambdeploy template service.",
      .api_key = ld::web::ApiKeyConfig::from_environment(),
  });

  // GET / → {"message": "hello", "stage": "dev", "zlib": "1.2.13"}. STAGE is set per stage in
  // lambdeploy.toml; zlibVersion() comes from libz.so.1, which the function's layer ships.
  app->get("/", {.summary = "Says hello", .tag = "hello"},
           [stage = env_or("STAGE", "unknown")](Request&, const Params&) {
             return Response::json(
                 200, {{"message", "hello"}, {"stage", stage}, {"zlib", zlibVersion()}});
           });

  // GET /info/version → {"version": "v0.1.0"}: what the deployer's smoke check looks for.
  app->get("/info/version", {.summary = "The service's version", .tag = "info"},
           [](Request&, const Params&) {
             return Response::json(200, {{"version", kVersion}});
           });
  return app;
}

// `hello serve [--port N]`: the app on http://127.0.0.1:N until SIGINT or SIGTERM.
int serve(ld::web::App& app, std::uint16_t port) {
  sigset_t stop;  // blocked before the server's threads start, then waited for here
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);

  ld::web::Server server(app.handler(), {.port = port});
  server.start();
  fmt::print(stderr, "hello {} listening on http://127.0.0.1:{}\n", kVersion, server.port());
  int received = 0;
  sigwait(&stop, &received);
  server.stop();
  return 0;
}

int usage(std::string_view problem) {
  fmt::print(stderr, "hello: {}\nusage: hello serve [--port N]\n", problem);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  ld::init_crypto_without_config();  // the key check hashes with OpenSSL; skip its config file
  std::unique_ptr<ld::web::App> app;
  const char* runtime_api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  const bool in_lambda = runtime_api != nullptr && *runtime_api != '\0';
  try {
    app = make_app();
  } catch (const std::exception& e) {
    fmt::print(stderr, "hello: {}\n", e.what());
    if (in_lambda) ld::runtime::report_init_error("Runtime.InitError", e.what());
    return 1;
  }
  if (in_lambda) return ld::runtime::run(app->handler());

  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "--version") {
    fmt::print("hello {}\n", kVersion);
    return 0;
  }
  if (command != "serve") return usage("no command given, or not `serve`");
  std::uint16_t port = 8080;
  if (argc == 4 && std::string_view(argv[2]) == "--port") {
    const std::string_view text = argv[3];
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (error != std::errc() || end != text.data() + text.size())
      return usage(fmt::format("--port must be a number from 0 to 65535, not '{}'", text));
  } else if (argc != 2) {
    return usage("serve takes only --port N");
  }
  try {
    return serve(*app, port);
  } catch (const std::exception& e) {
    fmt::print(stderr, "hello: {}\n", e.what());
    return 1;
  }
}
