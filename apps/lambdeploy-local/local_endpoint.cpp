#include "local_endpoint.hpp"

#include <signal.h>

#include <cstdlib>
#include <fstream>

#include "core/transport.hpp"

namespace ld::cli {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path local_data_dir(const std::string& explicit_dir) {
  if (!explicit_dir.empty()) return explicit_dir;
  if (const char* env = std::getenv("LAMBDEPLOY_LOCAL_DIR"); env != nullptr && *env != '\0')
    return env;
  return ".lambdeploy/local";
}

fs::path local_state_file(const fs::path& dir) {
  return dir / "endpoint.json";
}

std::optional<json> running_local_endpoint(const fs::path& dir) {
  std::ifstream in(local_state_file(dir));
  if (!in) return std::nullopt;
  json state = json::parse(in, nullptr, false);
  if (!state.is_object() || !state.contains("pid") || !state["pid"].is_number_integer())
    return std::nullopt;
  const auto pid = state["pid"].get<pid_t>();
  if (::kill(pid, 0) != 0) return std::nullopt;
  return state;
}

std::optional<json> local_health(const std::string& url) {
  try {
    TransportOptions options;
    options.connect_timeout = std::chrono::milliseconds(500);
    options.request_timeout = std::chrono::milliseconds(2000);
    auto transport = make_socket_transport(options);
    HttpRequest request;
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = std::stoi(url.substr(url.rfind(':') + 1));
    request.path = "/_lambdeploy/health";
    HttpResponse response = transport->send(request);
    if (response.status != 200) return std::nullopt;
    json body = json::parse(response.body, nullptr, false);
    if (body.is_discarded()) return std::nullopt;
    return body;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string local_endpoint_url() {
  if (auto state = running_local_endpoint(local_data_dir()))
    return state->value("url", "http://127.0.0.1:4566");
  return "http://127.0.0.1:4566";
}

}  // namespace ld::cli
