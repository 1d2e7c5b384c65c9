// lambdeploy: takes an HTTP service to AWS Lambda, stage by stage, and runs an AWS-compatible
// endpoint on loopback to prove every step without a cloud.
#include <cstdio>
#include <exception>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"lambdeploy: deploy an HTTP service to AWS Lambda, stage by stage"};
  app.require_subcommand(1);
  ld::cli::add_local_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy: %s\n", e.what());
    return 1;
  }
  return 0;
}
