#include "support/conformance.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ld::test {

std::filesystem::path conformance_dir() {
  const char* env = std::getenv("LAMBDEPLOY_CONFORMANCE_DIR");
  std::filesystem::path dir = env ? env : LAMBDEPLOY_CONFORMANCE_DIR;
  if (!std::filesystem::is_directory(dir))
    throw std::runtime_error("conformance data not found at " + dir.string() +
                             " (expected ../shared/conformance beside the checkout)");
  return dir;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace ld::test
