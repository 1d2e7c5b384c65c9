// `lambdeploy package`: build the function's zip (and its dependency zips) through CMake and
// say what they are: path, size, SHA-256, version.
#include <cstdio>

#include "commands.hpp"
#include "deploy/package_source.hpp"

namespace ld::cli {

namespace {

std::string size_text(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

int package(Context& ctx) {
  const deploy::Config& config = ctx.config();
  Output& out = ctx.out();
  deploy::PackageRequest request;
  request.note = [&out](const std::string& text) { out.line(text); };
  const deploy::Package package = deploy::prepare_package(config, request);
  auto zip_json = [](const deploy::ZipFacts& zip) {
    return nlohmann::json{{"path", zip.path.string()},
                          {"size", zip.size},
                          {"sha256", zip.sha256_hex},
                          {"code_sha256", zip.code_sha256}};
  };
  out.doc()["command"] = "package";
  out.doc()["code"] = zip_json(package.code);
  out.doc()["version"] = package.version;
  out.doc()["commit"] = package.commit;
  out.doc()["dependencies"] = nlohmann::json::object();
  out.result(package.code.path.string() + "  " + size_text(package.code.size) + "  sha256 " +
             package.code.sha256_hex + "  " + package.version);
  for (const auto& [name, zip] : package.dependencies) {
    out.doc()["dependencies"][name] = zip_json(zip);
    out.result(zip.path.string() + "  " + size_text(zip.size) + "  sha256 " + zip.sha256_hex +
               "  (dependency " + name + ")");
  }
  for (const auto& skipped : package.skipped) out.line("dependency " + skipped + ": no zip");
  return kExitOk;
}

}  // namespace

void add_package_command(CLI::App& app, Context& ctx) {
  auto stage = std::make_shared<std::string>();
  auto* command =
      app.add_subcommand("package", "build the function's zips and print path, size, sha256");
  command->add_option("--stage,-s", *stage,
                      "accepted for symmetry; the package is the same for every stage");
  command->callback([&ctx, stage] {
    run_command(ctx, [&] {
      if (!stage->empty()) ctx.stage(*stage);  // an unknown stage is still an error
      return package(ctx);
    });
  });
}

}  // namespace ld::cli
