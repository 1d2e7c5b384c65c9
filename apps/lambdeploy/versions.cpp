// `lambdeploy versions --stage S`: the function's published versions, newest first, with their
// descriptions (release and commit) and which alias uses each.
#include <algorithm>
#include <map>

#include "commands.hpp"
#include "deploy/prune.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

int versions(Context& ctx, const std::string& stage) {
  const deploy::Names names = names_for(ctx, stage);
  const auto& lambda = ctx.clients(stage).lambda;
  Output& out = ctx.out();
  out.doc()["command"] = "versions";
  out.doc()["stage"] = stage;
  out.doc()["versions"] = nlohmann::json::array();
  if (!lambda.find_function(names.function)) {
    out.result("stage " + stage + " is not deployed (" + names.function + " does not exist)");
    return kExitOk;
  }
  const auto used = deploy::aliases_by_version(lambda, names.function);
  std::vector<nlohmann::json> published;
  for (const auto& item : lambda.list_all_versions(names.function))
    if (deploy::version_number(item.value("Version", "")) >= 0) published.push_back(item);
  std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) {
    return deploy::version_number(a.value("Version", "")) >
           deploy::version_number(b.value("Version", ""));
  });
  for (const auto& item : published) {
    const std::string version = item.value("Version", "");
    const auto found = used.find(version);
    const auto aliases = found != used.end() ? found->second : std::vector<std::string>{};
    out.doc()["versions"].push_back({{"version", version},
                                     {"description", item.value("Description", "")},
                                     {"last_modified", item.value("LastModified", "")},
                                     {"code_sha256", item.value("CodeSha256", "")},
                                     {"aliases", aliases}});
    std::string line = "  " + version + "  " + item.value("Description", "") + "  " +
                       out.dim(item.value("LastModified", ""));
    for (const auto& alias : aliases) line += "  ← " + alias;
    out.result(line);
  }
  return kExitOk;
}

}  // namespace

void add_versions_command(CLI::App& app, Context& ctx) {
  auto stage = std::make_shared<std::string>();
  auto* command = app.add_subcommand("versions", "published versions and which alias uses each");
  command->add_option("--stage,-s", *stage, "the stage")->required();
  command->callback([&ctx, stage] { run_command(ctx, [&] { return versions(ctx, *stage); }); });
}

}  // namespace ld::cli
