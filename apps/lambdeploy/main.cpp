// lambdeploy: takes an HTTP service to AWS Lambda, stage by stage, and runs an AWS-compatible
// endpoint on loopback to prove every step without a cloud. The global options are parsed once
// into a Context; each command lives in its own file.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>

#include "commands.hpp"

namespace {

std::atomic<bool>* g_cancelled = nullptr;

// The first Ctrl-C asks the running command to stop between two calls (the deploy says where
// it stopped); a second one ends the process at once.
void on_interrupt(int) {
  if (g_cancelled != nullptr && !g_cancelled->load()) {
    g_cancelled->store(true);
    static const char kNote[] =
        "\nlambdeploy: stopping after the current call (Ctrl-C again to "
        "end at once)\n";
    [[maybe_unused]] auto written = ::write(STDERR_FILENO, kNote, sizeof kNote - 1);
    return;
  }
  ::signal(SIGINT, SIG_DFL);
  ::raise(SIGINT);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ld::cli;
  CLI::App app{"lambdeploy: deploy an HTTP service to AWS Lambda, stage by stage"};
  app.require_subcommand(1);
  app.fallthrough();
  Context ctx;
  GlobalOptions& o = ctx.options;
  app.set_version_flag("--version", version_text());
  app.add_option("--config,-c", o.config,
                 "the config file (default: lambdeploy.toml, searched upward)");
  app.add_option("--region", o.region,
                 "the AWS region (default: the stage's, AWS_REGION, the profile's)");
  app.add_option("--profile", o.profile, "the profile of ~/.aws/config and ~/.aws/credentials");
  app.add_option("--endpoint-url", o.endpoint_url,
                 "send every request there (also AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>)");
  app.add_flag("--local", o.local,
               "use the local endpoint (`lambdeploy local`), with its test key unless one is set");
  app.add_flag("--json", o.json, "print one JSON document on stdout, nothing else there");
  app.add_flag("--quiet,-q", o.quiet, "print only results and errors");
  app.add_flag("--no-color", o.no_color, "no colours (also NO_COLOR)");
  app.add_flag("-v,--verbose", o.verbose, "say more (twice: every wait)");

  add_local_command(app);
  add_version_command(app, ctx);
  add_package_command(app, ctx);
  add_plan_command(app, ctx);
  add_deploy_command(app, ctx);
  add_status_command(app, ctx);
  add_invoke_command(app, ctx);
  add_url_command(app, ctx);
  add_smoke_command(app, ctx);
  add_promote_command(app, ctx);
  add_rollback_command(app, ctx);
  add_versions_command(app, ctx);
  add_logs_command(app, ctx);
  add_upload_deps_command(app, ctx);
  add_delete_command(app, ctx);
  add_iam_policy_command(app, ctx);

  g_cancelled = &ctx.cancelled;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // Usage mistakes are bad input (3); --help and --version are not mistakes.
    if (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) return kExitBadInput;
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy: %s\n", e.what());
    return kExitFailed;
  }
  return kExitOk;
}
