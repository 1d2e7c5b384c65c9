#include "support/temp_dir.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>

namespace ld::test {

TempDir::TempDir(const std::string& label) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("ld-" + label + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& text) const {
  std::filesystem::path p = path_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

}  // namespace ld::test
