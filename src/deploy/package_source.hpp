#pragma once
// Where a deploy's zips come from: built through CMake (`package-<target>` in the build folder
// it finds or configures), or given as they are with --package, so CI builds once and promotes
// the same bytes through every stage.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/config.hpp"
#include "deploy/package/zip_writer.hpp"

namespace ld::deploy {

// What to deploy.
struct PackageRequest {
  std::optional<std::filesystem::path> package_zip;  // --package ZIP: no build
  // Told what is being done ("building package-github-digest in build/dev").
  std::function<void(const std::string&)> note;
};

// The zips and what they say of themselves.
struct Package {
  ZipFacts code;
  std::map<std::string, ZipFacts> dependencies;  // by [dependencies] name; absent: nothing to ship
  std::vector<std::string> skipped;              // "runtime-libs: github-digest needs only glibc"
  std::string version;                           // the zip's `version` entry, else the version file
  std::string commit;                            // LAMBDEPLOY_COMMIT, GITHUB_SHA or git's HEAD
  std::filesystem::path build_dir;               // empty with --package
};

// Builds (or takes) the code zip and the dependency zips. Throws ld::Error naming what failed:
// the build's own output, a missing zip, a folder that is not there.
Package prepare_package(const Config& config, const PackageRequest& request);

// The CMake build folder under `project`/build to use: one already configured (release first,
// then dev, then any), else `release` configured through the project's presets (or a plain
// Release configure). Throws ld::Error with CMake's output when configuring fails.
std::filesystem::path find_or_configure_build(const std::filesystem::path& project,
                                              const std::function<void(const std::string&)>& note);

// The commit being deployed: $LAMBDEPLOY_COMMIT, $GITHUB_SHA, else `git rev-parse --short=12
// HEAD` in `dir` ("+dirty" appended when the work tree has changes); "" when there is no git.
std::string source_commit(const std::filesystem::path& dir);

}  // namespace ld::deploy
