// ELF reading, dependency closure, glibc check and the function package, on real binaries:
// /usr/bin/curl and tiny C programs compiled here with `cc`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/error.hpp"
#include "deploy/package/closure.hpp"
#include "deploy/package/elf_image.hpp"
#include "deploy/package/function_package.hpp"
#include "deploy/package/glibc_check.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_entries.hpp"

namespace ld::deploy {
namespace {
namespace fs = std::filesystem;
using test::read_zip;

constexpr GlibcVersion kAl2023{2, 34, 0};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Compiles `source` (C) with `flags` into `out`; false when no C compiler works here.
bool compile(const test::TempDir& dir, const std::string& source, const fs::path& out,
             const std::string& flags = "") {
  const fs::path src = dir.write(out.filename().string() + ".c", source);
  const std::string command =
      "cc -O1 -o '" + out.string() + "' '" + src.string() + "' " + flags + " 2>&1";
  return std::system(command.c_str()) == 0;
}

const char* kPlain = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n";
const char* kArc4random =
    "#include <stdio.h>\n#include <stdlib.h>\n"
    "int main(void) { printf(\"%u\\n\", arc4random()); return 0; }\n";

TEST(GlibcVersion, ParsesComparesAndKnowsTheRuntimes) {
  EXPECT_EQ(GlibcVersion::parse("2.34"), (GlibcVersion{2, 34, 0}));
  EXPECT_EQ(GlibcVersion::parse("GLIBC_2.2.5"), (GlibcVersion{2, 2, 5}));
  EXPECT_LT(GlibcVersion::parse("2.9"), GlibcVersion::parse("2.34"));
  EXPECT_EQ(GlibcVersion::parse("2.2.5").str(), "2.2.5");
  EXPECT_THROW(GlibcVersion::parse("two"), Error);
  EXPECT_THROW(GlibcVersion::parse("2"), Error);
  EXPECT_THROW(GlibcVersion::parse("2.34x"), Error);
  EXPECT_EQ(glibc_of_runtime("provided.al2023"), kAl2023);
  EXPECT_EQ(glibc_of_runtime("provided.al2"), (GlibcVersion{2, 26, 0}));
  EXPECT_THROW(glibc_of_runtime("python3.12"), Error);
}

TEST(ElfImage, ReadsNeededLibrariesAndSymbolVersions) {
  if (!fs::exists("/usr/bin/curl")) GTEST_SKIP() << "/usr/bin/curl not installed";
  const ElfImage curl = ElfImage::load("/usr/bin/curl");
  EXPECT_TRUE(curl.is_dynamic());
  const auto& needed = curl.needed();
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libcurl.so.4"), needed.end());
  EXPECT_NE(std::find(needed.begin(), needed.end(), "libc.so.6"), needed.end());
  bool found = false;
  for (const auto& r : curl.required_versions())
    if (r.library == "libc.so.6" && r.version == "GLIBC_2.34")
      found = std::find(r.symbols.begin(), r.symbols.end(), "__libc_start_main") != r.symbols.end();
  EXPECT_TRUE(found) << "__libc_start_main@GLIBC_2.34 not read from .gnu.version_r";
}

TEST(ElfImage, RefusesWhatIsNotAnElfNamingTheFile) {
  test::TempDir dir("elf");
  const fs::path text = dir.write("notes.txt", "hello");
  const fs::path truncated = dir.write("short", std::string("\x7f"
                                                            "ELF\x02\x01\x01",
                                                            7));
  for (const auto& path : {text, truncated, dir.path() / "missing"}) {
    try {
      ElfImage::load(path);
      FAIL() << "expected an error for " << path;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
  }
}

TEST(Closure, OfCurlHasLibcurlAndNoGlibc) {
  if (!fs::exists("/usr/bin/curl")) GTEST_SKIP() << "/usr/bin/curl not installed";
  const Closure closure = closure_of("/usr/bin/curl");
  std::vector<std::string> names;
  for (const auto& lib : closure.libraries) {
    names.push_back(lib.soname);
    EXPECT_TRUE(fs::is_regular_file(lib.path)) << lib.path;
    EXPECT_FALSE(fs::is_symlink(lib.path)) << lib.path;
    EXPECT_FALSE(is_runtime_library(lib.soname)) << lib.soname;
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "libcurl.so.4"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "libssl.so.3"), names.end());  // via libcurl
  EXPECT_EQ(std::find(names.begin(), names.end(), "libc.so.6"), names.end());
  const auto& glibc = closure.runtime_libraries;
  EXPECT_NE(std::find(glibc.begin(), glibc.end(), "libc.so.6"), glibc.end());
  EXPECT_TRUE(closure.flagged.empty());
}

TEST(Closure, KnowsGlibcAndTheLibrariesThatShouldBeStatic) {
  for (const char* name :
       {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
        "libutil.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"})
    EXPECT_TRUE(is_runtime_library(name)) << name;
  EXPECT_FALSE(is_runtime_library("libcurl.so.4"));
  EXPECT_FALSE(is_runtime_library("libstdc++.so.6"));
  EXPECT_TRUE(should_be_static("libstdc++.so.6"));
  EXPECT_TRUE(should_be_static("libgcc_s.so.1"));
  EXPECT_FALSE(should_be_static("libssl.so.3"));
}

// A program linked to libgreet.so.1 (a symlink to libgreet.so.1.0.0) found through
// RUNPATH=$ORIGIN/lib, and to libstdc++ dynamically.
struct GreetProgram {
  fs::path binary;
  fs::path library;
};
bool build_greet(const test::TempDir& dir, GreetProgram& out) {
  const fs::path lib_dir = dir.path() / "app" / "lib";
  fs::create_directories(lib_dir);
  out.library = lib_dir / "libgreet.so.1.0.0";
  if (!compile(dir, "#include <stdio.h>\nvoid greet(void) { puts(\"hi\"); }\n", out.library,
               "-shared -fPIC -Wl,-soname,libgreet.so.1"))
    return false;
  fs::create_symlink("libgreet.so.1.0.0", lib_dir / "libgreet.so.1");
  out.binary = dir.path() / "app" / "greeter";
  return compile(dir, "void greet(void);\nint main(void) { greet(); return 0; }\n", out.binary,
                 "-L'" + lib_dir.string() +
                     "' -l:libgreet.so.1 -Wl,--enable-new-dtags "
                     "-Wl,-rpath,'$ORIGIN/lib' -Wl,--no-as-needed -lstdc++");
}

TEST(Closure, FollowsRunpathOriginAndStoresTheRealFileUnderItsSoname) {
  test::TempDir dir("closure");
  GreetProgram program;
  if (!build_greet(dir, program)) GTEST_SKIP() << "no working C compiler";
  const Closure closure = closure_of(program.binary);
  auto greet = std::find_if(closure.libraries.begin(), closure.libraries.end(),
                            [](const Library& l) { return l.soname == "libgreet.so.1"; });
  ASSERT_NE(greet, closure.libraries.end());
  EXPECT_EQ(greet->path, fs::canonical(program.library));
  EXPECT_EQ(closure.flagged, (std::vector<std::string>{"libgcc_s.so.1", "libstdc++.so.6"}));
}

TEST(Closure, MissingLibraryIsNamedWithWhoNeedsIt) {
  test::TempDir dir("closure");
  GreetProgram program;
  if (!build_greet(dir, program)) GTEST_SKIP() << "no working C compiler";
  fs::remove_all(dir.path() / "app" / "lib");
  try {
    closure_of(program.binary);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("libgreet.so.1"), std::string::npos) << what;
    EXPECT_NE(what.find(program.binary.string()), std::string::npos) << what;
  }
}

TEST(GlibcCheck, RefusesArc4randomOnAl2023NamingTheSymbol) {
  test::TempDir dir("glibc");
  const fs::path binary = dir.path() / "random";
  if (!compile(dir, kArc4random, binary))
    GTEST_SKIP() << "this glibc has no arc4random (older than 2.36)";
  const ElfImage image = ElfImage::load(binary);
  try {
    require_glibc({image}, kAl2023);
    FAIL() << "expected GlibcTooNew";
  } catch (const GlibcTooNew& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("arc4random@GLIBC_2.36"), std::string::npos) << what;
    EXPECT_NE(what.find(binary.string()), std::string::npos) << what;
    EXPECT_NE(what.find("2.34"), std::string::npos) << what;
    ASSERT_EQ(e.violations().size(), 1u);
    EXPECT_EQ(e.violations()[0].symbol, "arc4random");
    EXPECT_EQ(e.violations()[0].library, "libc.so.6");
  }
  EXPECT_NO_THROW(require_glibc({image}, GlibcVersion{2, 36, 0}));
  EXPECT_EQ(highest_glibc_required(image), (GlibcVersion{2, 36, 0}));
}

TEST(GlibcCheck, PlainProgramPassesAl2023ButNotAl2) {
  test::TempDir dir("glibc");
  const fs::path binary = dir.path() / "plain";
  if (!compile(dir, kPlain, binary)) GTEST_SKIP() << "no working C compiler";
  const ElfImage image = ElfImage::load(binary);
  EXPECT_TRUE(glibc_violations(image, kAl2023).empty());
  const auto old = glibc_violations(image, glibc_of_runtime("provided.al2"));
  ASSERT_FALSE(old.empty());  // glibc 2.34 moved __libc_start_main to a new version
  EXPECT_EQ(old[0].describe(), "__libc_start_main@GLIBC_2.34 (libc.so.6)");
}

// apps/lambdeploy-pack/glibc_compat.cpp, found from this file's place in the repository.
fs::path compat_shim() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "apps" / "lambdeploy-pack" /
         "glibc_compat.cpp";
}

TEST(GlibcCheck, CompatShimLetsStaticLibstdcxxRunOnAl2023) {
  test::TempDir dir("glibc");
  const fs::path src = dir.write("main.cpp",
                                 "#include <random>\n#include <stdexcept>\n#include <cstdio>\n"
                                 "int main() {\n"
                                 "  std::random_device rd; unsigned v = rd();\n"
                                 "  try { throw std::runtime_error(\"thrown\"); }\n"
                                 "  catch (const std::exception& e) { std::printf(\"%s %u\\n\", "
                                 "e.what(), v & 0u); }\n"
                                 "  return 0;\n}\n");
  const fs::path plain = dir.path() / "plain";
  const fs::path shimmed = dir.path() / "shimmed";
  const std::string common =
      "c++ -std=c++20 -O1 -static-libstdc++ -static-libgcc '" + src.string() + "' ";
  if (std::system((common + "-o '" + plain.string() + "' 2>&1").c_str()) != 0)
    GTEST_SKIP() << "no working C++ compiler";
  ASSERT_EQ(
      std::system(
          (common + "'" + compat_shim().string() + "' -o '" + shimmed.string() + "' 2>&1").c_str()),
      0);
  // Without the shim, GCC 12 on glibc ≥ 2.35 needs symbols al2023 lacks (none on older hosts).
  const auto without = glibc_violations(ElfImage::load(plain), kAl2023);
  for (const auto& v : without)
    EXPECT_TRUE(v.symbol == "arc4random" || v.symbol == "_dl_find_object") << v.describe();
  EXPECT_TRUE(glibc_violations(ElfImage::load(shimmed), kAl2023).empty());
  // The shimmed program still unwinds through its exception and reads random_device.
  const fs::path output = dir.path() / "output.txt";
  ASSERT_EQ(std::system(("'" + shimmed.string() + "' > '" + output.string() + "'").c_str()), 0);
  EXPECT_EQ(slurp(output), "thrown 0\n");
}

TEST(FunctionPackage, BootstrapIsTheElfAndTwoRunsGiveTheSameBytes) {
  test::TempDir dir("package");
  const fs::path binary = dir.path() / "plain";
  if (!compile(dir, kPlain, binary)) GTEST_SKIP() << "no working C compiler";
  PackageOptions options;
  options.binary = binary;
  options.out = dir.path() / "dist" / "plain.zip";
  options.deps_out = dir.path() / "dist" / "plain-deps.zip";
  options.version_file = dir.write("version", "v1.2.3\n");
  fs::create_directories(options.deps_out->parent_path());
  std::ofstream(*options.deps_out) << "left over from an earlier build";
  const PackageResult first = package_function(options);
  const PackageResult second = package_function(options);
  EXPECT_EQ(first.code.sha256_hex, second.code.sha256_hex);

  const auto code = read_zip(options.out);
  ASSERT_EQ(code.size(), 2u);
  EXPECT_EQ(code.at("bootstrap").first, slurp(binary));
  EXPECT_EQ(code.at("bootstrap").second, 0755u);
  EXPECT_EQ(code.at("version").first, "v1.2.3\n");
  EXPECT_EQ(code.at("version").second, 0644u);
  // libc only: nothing to ship, so no layer zip (and the stale one is gone).
  EXPECT_FALSE(first.deps || second.deps);
  EXPECT_FALSE(fs::exists(*options.deps_out));
  EXPECT_LE(first.glibc_required, kAl2023);
}

TEST(FunctionPackage, LayerHoldsTheClosureUnderLibSoname) {
  test::TempDir dir("package");
  GreetProgram program;
  if (!build_greet(dir, program)) GTEST_SKIP() << "no working C compiler";
  PackageOptions options;
  options.binary = program.binary;
  options.out = dir.path() / "greeter.zip";
  options.deps_out = dir.path() / "greeter-deps.zip";
  options.glibc = GlibcVersion{2, 99, 0};  // Debian's libstdc++ needs 2.36; not the point here
  const PackageResult result = package_function(options);
  const auto layer = read_zip(*options.deps_out);
  ASSERT_TRUE(layer.count("lib/libgreet.so.1"));
  EXPECT_EQ(layer.at("lib/libgreet.so.1").first, slurp(program.library));
  EXPECT_EQ(layer.at("lib/libgreet.so.1").second, 0755u);
  EXPECT_TRUE(layer.count("lib/libstdc++.so.6"));
  for (const auto& [name, entry] : layer) EXPECT_FALSE(is_runtime_library(name.substr(4)));
  EXPECT_EQ(result.closure.flagged, (std::vector<std::string>{"libgcc_s.so.1", "libstdc++.so.6"}));
  EXPECT_EQ(read_zip(options.out).size(), 1u);  // no version file: bootstrap alone
}

TEST(FunctionPackage, LibrariesWithNowhereToGoAreRefusedByName) {
  test::TempDir dir("package");
  GreetProgram program;
  if (!build_greet(dir, program)) GTEST_SKIP() << "no working C compiler";
  PackageOptions options;
  options.binary = program.binary;
  options.out = dir.path() / "greeter.zip";
  options.glibc = GlibcVersion{2, 99, 0};
  try {
    package_function(options);
    ADD_FAILURE() << "packaged a binary whose libraries have no layer";
  } catch (const ld::Error& error) {
    EXPECT_NE(std::string(error.what()).find("libgreet.so.1"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("DEPS ON"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(options.out));
}

TEST(FunctionPackage, GlibcTooNewInTheBinaryWritesNoZip) {
  test::TempDir dir("package");
  const fs::path binary = dir.path() / "random";
  if (!compile(dir, kArc4random, binary)) GTEST_SKIP() << "no arc4random here";
  PackageOptions options;
  options.binary = binary;
  options.out = dir.path() / "random.zip";
  EXPECT_THROW(package_function(options), GlibcTooNew);
  EXPECT_FALSE(fs::exists(options.out));
}

}  // namespace
}  // namespace ld::deploy
