#pragma once
// The CLI's commands: each file adds one command (or command group) to the app, holding its own
// options and nothing else; what they share is the Context.
#include <functional>

#include <CLI/CLI.hpp>

#include "context.hpp"

namespace ld::cli {

// `lambdeploy local start|stop|status|reset`: the AWS-compatible endpoint on loopback, run by its
// own program, lambdeploy-local (next to lambdeploy, else on PATH), with every word after `local`.
void add_local_command(CLI::App& app);
// `lambdeploy version` (and `--version`): version, commit, build.
void add_version_command(CLI::App& app, Context& ctx);
void add_package_command(CLI::App& app, Context& ctx);
void add_plan_command(CLI::App& app, Context& ctx);
void add_deploy_command(CLI::App& app, Context& ctx);
void add_status_command(CLI::App& app, Context& ctx);
void add_invoke_command(CLI::App& app, Context& ctx);
void add_url_command(CLI::App& app, Context& ctx);
void add_smoke_command(CLI::App& app, Context& ctx);
void add_promote_command(CLI::App& app, Context& ctx);
void add_rollback_command(CLI::App& app, Context& ctx);
void add_versions_command(CLI::App& app, Context& ctx);
void add_logs_command(CLI::App& app, Context& ctx);
void add_upload_deps_command(CLI::App& app, Context& ctx);
void add_delete_command(CLI::App& app, Context& ctx);
void add_iam_policy_command(CLI::App& app, Context& ctx);

// The one adapter from errors to exit codes: runs `command`, turns what it throws into a message
// (stderr, and "error" in the JSON document) and an exit code, prints the JSON document, and
// ends the CLI11 callback with that code.
void run_command(Context& ctx, const std::function<int()>& command);

// The version line: "lambdeploy 0.1.0 (commit abc123, Release, GCC 12.2.0)".
std::string version_text();

}  // namespace ld::cli
