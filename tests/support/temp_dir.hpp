#pragma once
// A temporary directory for one test, removed when it ends; doubles as a HOME with ~/.aws files.
#include <filesystem>
#include <string>

namespace ld::test {

// A fresh directory under the system temp folder, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& label = "test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `relative` (folders made as needed) and returns the file's full path.
  std::filesystem::path write(const std::string& relative, const std::string& text) const;
  // ~/.aws/config and ~/.aws/credentials when this directory is used as HOME.
  void config(const std::string& text) const { write(".aws/config", text); }
  void credentials(const std::string& text) const { write(".aws/credentials", text); }

 private:
  std::filesystem::path path_;
};

}  // namespace ld::test
