#pragma once
// Where a running `lambdeploy local` is: its data folder, the endpoint.json it leaves there
// (pid, port, url), and its health route. lambdeploy-local (`local`) writes and reads it;
// lambdeploy's `--local` finds the endpoint through it.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ld::cli {

// The data folder: `explicit_dir`, else $LAMBDEPLOY_LOCAL_DIR, else .lambdeploy/local.
std::filesystem::path local_data_dir(const std::string& explicit_dir = {});

// {dir}/endpoint.json
std::filesystem::path local_state_file(const std::filesystem::path& dir);

// The running endpoint's state ({"pid", "port", "url"}), when its process is alive.
std::optional<nlohmann::json> running_local_endpoint(const std::filesystem::path& dir);

// The endpoint's health document, when `url` answers /_lambdeploy/health with 200.
std::optional<nlohmann::json> local_health(const std::string& url);

// The URL `--local` talks to: the running endpoint's, else http://127.0.0.1:4566.
std::string local_endpoint_url();

}  // namespace ld::cli
