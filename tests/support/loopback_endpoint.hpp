#pragma once
// How end-to-end tests configure a whole local endpoint (ld::local::Endpoint).
#include <chrono>
#include <filesystem>

#include "local/endpoint.hpp"

namespace ld::test {

// An endpoint on a free loopback port with its data under `data_dir`, whose new functions are
// Active at once.
inline local::EndpointOptions loopback_endpoint_options(const std::filesystem::path& data_dir) {
  local::EndpointOptions options;
  options.server.port = 0;
  options.data_dir = data_dir;
  options.settle_delay = std::chrono::milliseconds(0);
  return options;
}

}  // namespace ld::test
