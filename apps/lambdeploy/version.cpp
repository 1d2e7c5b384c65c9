// `lambdeploy version` and `lambdeploy --version`: the version, the commit and the build.
#include "commands.hpp"

#ifndef LAMBDEPLOY_VERSION
#define LAMBDEPLOY_VERSION "0.0.0"
#endif
#ifndef LAMBDEPLOY_COMMIT
#define LAMBDEPLOY_COMMIT "unknown"
#endif
#ifndef LAMBDEPLOY_BUILD
#define LAMBDEPLOY_BUILD "unknown"
#endif

namespace ld::cli {

std::string version_text() {
  return std::string("lambdeploy ") + LAMBDEPLOY_VERSION + " (commit " + LAMBDEPLOY_COMMIT + ", " +
         LAMBDEPLOY_BUILD + " build, GCC " + __VERSION__ + ")";
}

void add_version_command(CLI::App& app, Context& ctx) {
  auto* command = app.add_subcommand("version", "print the version, the commit and the build");
  command->callback([&ctx] {
    run_command(ctx, [&] {
      ctx.out().doc() = {{"version", LAMBDEPLOY_VERSION},
                         {"commit", LAMBDEPLOY_COMMIT},
                         {"build", LAMBDEPLOY_BUILD},
                         {"compiler", std::string("GCC ") + __VERSION__},
                         {"ok", true}};
      ctx.out().result(version_text());
      return kExitOk;
    });
  });
}

}  // namespace ld::cli
