// Where a deploy's zips come from: a CMake project built through its package-<target> target
// (configured when it has no build folder yet), --package bytes with their -deps.zip beside
// them, and [dependencies] given as a zip path or a folder zipped deterministically.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.hpp"
#include "core/process.hpp"
#include "deploy/config.hpp"
#include "deploy/package/zip_writer.hpp"
#include "deploy/package_source.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_entries.hpp"

namespace ld::deploy {
namespace {

namespace fs = std::filesystem;

// A CMake project whose package-fn target writes dist/fn.zip (a `version` and a `bootstrap`)
// with cmake -E tar, so the test needs no compiler.
const char* kProject = R"(cmake_minimum_required(VERSION 3.25)
project(tiny NONE)
add_custom_target(package-fn
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_SOURCE_DIR}/dist
  COMMAND ${CMAKE_COMMAND} -E tar cf ${PROJECT_SOURCE_DIR}/dist/fn.zip --format=zip version bootstrap
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/src)
)";

const char* kConfig = R"([service]
name = "tiny"
target = "fn"
[dependencies]
from-zip = { path = "deps/prebuilt.zip" }
from-dir = { dir = "deps/folder" }
[stages.dev]
)";

class PackageSource : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("CMakeLists.txt", kProject);
    dir_.write("src/version", "v1.2.3\n");
    dir_.write("src/bootstrap", "#!/bin/sh\n");
    dir_.write("deps/folder/lib/libx.so.1", "not really a library");
    write_deterministic_zip(dir_.path() / "deps/prebuilt.zip", {{"lib/liby.so.2", "y", false}});
    config_ = parse_config(kConfig, dir_.path() / "lambdeploy.toml");
  }
  test::TempDir dir_{"package-source"};
  Config config_;
};

TEST_F(PackageSource, BuildsThroughCMakeConfiguringAFreshProject) {
  std::vector<std::string> notes;
  PackageRequest request;
  request.note = [&notes](const std::string& text) { notes.push_back(text); };
  const Package package = prepare_package(config_, request);
  EXPECT_EQ(package.build_dir, dir_.path() / "build" / "release");
  EXPECT_TRUE(fs::exists(dir_.path() / "build/release/CMakeCache.txt"));
  EXPECT_EQ(package.code.path, dir_.path() / "dist" / "fn.zip");
  EXPECT_EQ(package.version, "v1.2.3");
  EXPECT_EQ(package.code.sha256_hex.size(), 64u);
  ASSERT_FALSE(notes.empty());
  EXPECT_NE(notes.front().find("configuring"), std::string::npos) << notes.front();
  // A second time the build folder is found, not configured again, and the zip is made again
  // (not compared by hash: `cmake -E tar` stores file times, which reading the files may change).
  notes.clear();
  const Package again = prepare_package(config_, request);
  EXPECT_EQ(again.code.path, package.code.path);
  EXPECT_EQ(again.version, "v1.2.3");
  EXPECT_EQ(again.code.sha256_hex.size(), 64u);
  for (const auto& note : notes) EXPECT_EQ(note.find("configuring"), std::string::npos) << note;
}

TEST_F(PackageSource, DependenciesFromAZipPathAndAFolder) {
  PackageRequest request;
  request.package_zip = dir_.path() / "given" / "fn.zip";
  write_deterministic_zip(*request.package_zip,
                          {{"bootstrap", "x", true}, {"version", "v9.9.9\n"}});
  const Package package = prepare_package(config_, request);
  EXPECT_TRUE(package.build_dir.empty());
  EXPECT_EQ(package.version, "v9.9.9");
  ASSERT_EQ(package.dependencies.size(), 2u);
  EXPECT_EQ(package.dependencies.at("from-zip").path, dir_.path() / "deps/prebuilt.zip");
  const auto entries = test::read_zip(package.dependencies.at("from-dir").path);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries.begin()->first, "lib/libx.so.1");
  // The folder's zip is deterministic: the same bytes twice.
  EXPECT_EQ(prepare_package(config_, request).dependencies.at("from-dir").sha256_hex,
            package.dependencies.at("from-dir").sha256_hex);
}

TEST_F(PackageSource, AMissingDependencyZipIsAConfigErrorAtItsPlace) {
  fs::remove(dir_.path() / "deps/prebuilt.zip");
  PackageRequest request;
  request.package_zip = dir_.path() / "given.zip";
  write_deterministic_zip(*request.package_zip, {{"bootstrap", "x", true}});
  try {
    prepare_package(config_, request);
    FAIL() << "a missing dependency zip was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, 5);
    EXPECT_NE(std::string(e.what()).find("prebuilt.zip"), std::string::npos) << e.what();
  }
}

TEST_F(PackageSource, AFailingBuildSaysWhatCMakeSaid) {
  dir_.write("CMakeLists.txt", "cmake_minimum_required(VERSION 3.25)\nproject(tiny NONE)\n");
  try {
    prepare_package(config_, {});
    FAIL() << "a project without package-fn built";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("package-fn"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ld::deploy
