#pragma once
// The CLI's commands: each file adds one command (or command group) to the app.
#include <CLI/CLI.hpp>

namespace ld::cli {

// `lambdeploy local start|stop|status|reset`: the AWS-compatible endpoint on loopback.
void add_local_command(CLI::App& app);

}  // namespace ld::cli
