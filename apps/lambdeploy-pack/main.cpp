// lambdeploy-pack: packages one ELF as a Lambda function zip (+ its dependency layer zip).
//   lambdeploy-pack --binary PATH --out dist/NAME.zip [--deps-out dist/NAME-deps.zip]
//                   [--version-file PATH] [--glibc 2.34 | --runtime provided.al2023]
//                   [--library-path DIR]...
// Prints path, size and sha256 of each zip; exits non-zero with the reason on any failure.
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "deploy/package/function_package.hpp"

namespace {

constexpr const char* kUsage =
    "usage: lambdeploy-pack --binary PATH --out ZIP [--deps-out ZIP] [--version-file PATH]\n"
    "                       [--glibc X.Y | --runtime provided.al2023|provided.al2]\n"
    "                       [--library-path DIR]...\n";

void print(const ld::deploy::ZipFacts& zip) {
  std::cout << zip.path.string() << "  " << zip.size << " bytes  sha256 " << zip.sha256_hex
            << "  CodeSha256 " << zip.code_sha256 << "\n";
}

int run(int argc, char** argv) {
  ld::deploy::PackageOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= argc) throw ld::Error(std::string(flag) + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--binary") {
      options.binary = value;
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--deps-out") {
      options.deps_out = value;
    } else if (flag == "--version-file") {
      options.version_file = value;
    } else if (flag == "--glibc") {
      options.glibc = ld::deploy::GlibcVersion::parse(value);
    } else if (flag == "--runtime") {
      options.glibc = ld::deploy::glibc_of_runtime(value);
    } else if (flag == "--library-path") {
      options.search.extra_dirs.emplace_back(value);
    } else {
      throw ld::Error("unknown option " + std::string(flag) + "\n" + kUsage);
    }
  }
  if (options.binary.empty()) throw ld::Error(std::string("--binary is required\n") + kUsage);
  if (options.out.empty()) throw ld::Error(std::string("--out is required\n") + kUsage);

  const auto result = ld::deploy::package_function(options);
  for (const auto& soname : result.closure.flagged)
    std::cerr << "lambdeploy-pack: warning: " << options.binary.string() << " links " << soname
              << " dynamically; link it statically (-static-libstdc++ -static-libgcc); "
                 "shipping it in the layer\n";
  print(result.code);
  if (result.deps) print(*result.deps);
  std::cout << "glibc needed: " << result.glibc_required.str() << " (runtime has "
            << options.glibc.str() << "); " << result.closure.libraries.size()
            << " shared libraries in the layer\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "lambdeploy-pack: " << e.what() << "\n";
    return 1;
  }
}
