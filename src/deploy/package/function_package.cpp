#include "deploy/package/function_package.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace ld::deploy {

PackageResult package_function(const PackageOptions& options) {
  PackageResult result;
  std::vector<ElfImage> images{ElfImage::load(options.binary)};
  result.closure = closure_of(options.binary, options.search);
  if (!options.deps_out && !result.closure.libraries.empty()) {
    std::string names;
    for (const auto& library : result.closure.libraries)
      names += (names.empty() ? "" : ", ") + library.soname;
    throw Error(options.binary.string() +
                " needs shared libraries that the Lambda runtime does "
                "not have (" +
                names +
                "): ship them as a dependency layer (DEPS ON, "
                "--deps-out) or link them statically");
  }
  for (const auto& library : result.closure.libraries)
    images.push_back(ElfImage::load(library.path));
  require_glibc(images, options.glibc);
  for (const auto& image : images)
    result.glibc_required = std::max(result.glibc_required, highest_glibc_required(image));

  std::vector<ZipEntry> code{{"bootstrap", read_whole_file(options.binary), true}};
  if (options.version_file)
    code.push_back({"version", read_whole_file(*options.version_file), false});
  result.code = write_deterministic_zip(options.out, std::move(code));

  if (options.deps_out && result.closure.libraries.empty()) {
    // Nothing to ship: no layer, and none left over from an earlier build.
    std::error_code ignored;
    std::filesystem::remove(*options.deps_out, ignored);
  } else if (options.deps_out) {
    std::vector<ZipEntry> layer;
    for (const auto& library : result.closure.libraries)
      layer.push_back({"lib/" + library.soname, read_whole_file(library.path), true});
    result.deps = write_deterministic_zip(*options.deps_out, std::move(layer));
  }
  return result;
}

}  // namespace ld::deploy
