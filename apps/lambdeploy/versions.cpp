// `lambdeploy versions --stage S`: the function's published versions, newest first, with their
// descriptions (release and commit) and which alias uses each.
#include <algorithm>
#include <map>

#include "commands.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

long long number_of(const std::string& version) {
  try {
    return std::stoll(version);
  } catch (const std::exception&) {
    return -1;
  }
}

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
  std::map<std::string, std::vector<std::string>> used;  // version → "LIVE", "LIVE (10%)"
  for (const auto& alias : lambda.list_all_aliases(names.function)) {
    used[alias.value("FunctionVersion", "")].push_back(alias.value("Name", ""));
    const auto routing = alias.value("RoutingConfig", nlohmann::json::object());
    if (!routing.is_object()) continue;
    for (const auto& [version, weight] :
         routing.value("AdditionalVersionWeights", nlohmann::json::object()).items())
      used[version].push_back(alias.value("Name", "") + " (" +
                              std::to_string(static_cast<int>(weight.get<double>() * 100 + 0.5)) +
                              "%)");
  }
  std::vector<nlohmann::json> published;
  for (const auto& item : lambda.list_all_versions(names.function))
    if (number_of(item.value("Version", "")) >= 0) published.push_back(item);
  std::sort(published.begin(), published.end(), [](const auto& a, const auto& b) {
    return number_of(a.value("Version", "")) > number_of(b.value("Version", ""));
  });
  for (const auto& item : published) {
    const std::string version = item.value("Version", "");
    const auto aliases = used.count(version) ? used[version] : std::vector<std::string>{};
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
