#include "deploy/package_source.hpp"

#include <cstdlib>
#include <set>

#include "core/error.hpp"
#include "core/files.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"
#include "deploy/package/zip_contents.hpp"

namespace ld::deploy {

namespace fs = std::filesystem;

namespace {

void tell(const PackageRequest& request, const std::string& text) {
  if (request.note) request.note(text);
}

std::string tail_of(const std::string& text, std::size_t lines = 30) {
  std::size_t at = text.size();
  for (std::size_t n = 0; n <= lines && at != std::string::npos && at > 0; ++n)
    at = text.rfind('\n', at - 1);
  return at == std::string::npos || at == 0 ? text : text.substr(at + 1);
}

void build_targets(const fs::path& build_dir, const std::vector<std::string>& targets) {
  std::vector<std::string> argv = {"cmake", "--build", build_dir.string(), "--target"};
  for (const auto& target : targets) argv.push_back("package-" + target);
  const ProcessOutcome outcome = run_process(argv);
  if (outcome.exit_code() != 0) {
    throw Error("building " + join(argv, " ") + " failed (" + outcome.ended() + "):\n" +
                tail_of(outcome.out + outcome.err));
  }
}

// A dependency folder zipped deterministically, every file under it at its relative path.
ZipFacts zip_folder(const fs::path& folder, const fs::path& out) {
  if (!fs::is_directory(folder))
    throw Error("dependency folder " + folder.string() + " does not exist");
  std::vector<ZipEntry> entries;
  for (const auto& item : fs::recursive_directory_iterator(folder)) {
    if (!item.is_regular_file()) continue;
    ZipEntry entry;
    entry.name = fs::relative(item.path(), folder).generic_string();
    entry.data = read_file(item.path());
    entry.executable =
        (fs::status(item.path()).permissions() & fs::perms::owner_exec) != fs::perms::none;
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) throw Error("dependency folder " + folder.string() + " has no files");
  return write_deterministic_zip(out, std::move(entries));
}

std::string version_of(const fs::path& zip, const Config& config) {
  if (auto text = read_zip_text(zip, "version")) return std::string(trim(*text));
  const fs::path file = config.dir / config.version_file;
  if (fs::exists(file)) return std::string(trim(read_file(file)));
  return "";
}

}  // namespace

fs::path find_or_configure_build(const fs::path& project,
                                 const std::function<void(const std::string&)>& note) {
  const fs::path builds = project / "build";
  for (const char* name : {"release", "dev"}) {
    if (fs::exists(builds / name / "CMakeCache.txt")) return builds / name;
  }
  std::error_code ec;
  if (fs::is_directory(builds, ec)) {
    for (const auto& item : fs::directory_iterator(builds, ec))
      if (fs::exists(item.path() / "CMakeCache.txt")) return item.path();
  }
  if (!fs::exists(project / "CMakeLists.txt"))
    throw Error("no CMakeLists.txt in " + project.string() +
                " to build the package from; set [service] project, or pass --package ZIP");
  std::vector<std::string> argv;
  if (fs::exists(project / "CMakePresets.json")) {
    argv = {"cmake", "--preset", "release"};
  } else {
    argv = {"cmake",
            "-S",
            project.string(),
            "-B",
            (builds / "release").string(),
            "-DCMAKE_BUILD_TYPE=Release"};
  }
  if (note) note("configuring " + (builds / "release").string() + " (" + join(argv, " ") + ")");
  const ProcessOutcome outcome = run_process(argv, project);
  if (outcome.exit_code() != 0)
    throw Error(join(argv, " ") + " failed (" + outcome.ended() + "):\n" +
                tail_of(outcome.out + outcome.err));
  return builds / "release";
}

std::string source_commit(const fs::path& dir) {
  for (const char* name : {"LAMBDEPLOY_COMMIT", "GITHUB_SHA"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0')
      return std::string(value).substr(0, 40);
  }
  try {
    const ProcessOutcome head = run_process({"git", "rev-parse", "--short=12", "HEAD"}, dir);
    if (head.exit_code() != 0) return "";
    std::string commit(trim(head.out));
    const ProcessOutcome status =
        run_process({"git", "status", "--porcelain", "--untracked-files=no"}, dir);
    if (status.exit_code() == 0 && !trim(status.out).empty()) commit += "+dirty";
    return commit;
  } catch (const Error&) {
    return "";
  }
}

Package prepare_package(const Config& config, const PackageRequest& request) {
  Package package;
  const fs::path dist = config.project / "dist";
  fs::path code_zip;
  fs::path deps_dir = dist;
  if (request.package_zip) {
    code_zip = fs::absolute(*request.package_zip);
    if (!fs::exists(code_zip))
      throw Error("--package " + request.package_zip->string() + " does not exist");
    deps_dir = code_zip.parent_path();
  } else {
    package.build_dir = find_or_configure_build(config.project, request.note);
    std::vector<std::string> targets = {config.target};
    std::set<std::string> seen = {config.target};
    for (const auto& dependency : config.dependencies)
      if (dependency.kind == DependencySpec::Kind::ClosureOf &&
          seen.insert(dependency.value).second)
        targets.push_back(dependency.value);
    tell(request,
         "building package-" + join(targets, ", package-") + " in " + package.build_dir.string());
    build_targets(package.build_dir, targets);
    code_zip = dist / (config.target + ".zip");
    if (!fs::exists(code_zip))
      throw Error("the build of package-" + config.target + " wrote no " + code_zip.string());
  }
  package.code = describe_file(code_zip);
  package.version = version_of(code_zip, config);

  for (const auto& dependency : config.dependencies) {
    switch (dependency.kind) {
      case DependencySpec::Kind::ClosureOf: {
        const fs::path zip = deps_dir / (dependency.value + "-deps.zip");
        if (fs::exists(zip)) {
          package.dependencies[dependency.name] = describe_file(zip);
        } else {
          package.skipped.push_back(dependency.name + ": " + dependency.value +
                                    " needs no shared library beyond glibc");
        }
        break;
      }
      case DependencySpec::Kind::Path: {
        const fs::path zip = config.dir / dependency.value;
        if (!fs::exists(zip))
          throw ConfigError(dependency.where, "dependency " + dependency.name + ": " +
                                                  zip.string() + " does not exist");
        package.dependencies[dependency.name] = describe_file(zip);
        break;
      }
      case DependencySpec::Kind::Dir: {
        const fs::path out =
            config.project / "build" / "lambdeploy-deps" / (dependency.name + ".zip");
        package.dependencies[dependency.name] = zip_folder(config.dir / dependency.value, out);
        break;
      }
    }
  }
  package.commit = source_commit(config.dir);
  return package;
}

}  // namespace ld::deploy
