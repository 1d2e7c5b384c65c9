#pragma once
// What the packager needs to know about an ELF64 file: its dynamic section (DT_NEEDED, soname,
// rpath/runpath) and the symbol versions it requires from other objects (.gnu.version_r).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ld::deploy {

// A symbol version the file requires from a library, e.g. GLIBC_2.34 from libc.so.6, with the
// undefined dynamic symbols bound to it (empty when no symbol refers to the version).
struct RequiredVersion {
  std::string library;  // vn_file, e.g. "libc.so.6"
  std::string version;  // e.g. "GLIBC_2.34"
  std::vector<std::string> symbols;
};

// A parsed ELF64 little-endian file (executable or shared object), read once into memory.
class ElfImage {
 public:
  // Throws ld::Error naming the file when it is missing, unreadable or not an ELF64 file.
  static ElfImage load(const std::filesystem::path& path);
  // e_machine of an ELF64 little-endian file, reading its header only; 0 for anything else.
  static std::uint16_t machine_of(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  std::uint16_t machine() const { return machine_; }
  bool is_dynamic() const { return dynamic_; }
  const std::vector<std::string>& needed() const { return needed_; }
  const std::string& soname() const { return soname_; }
  // DT_RPATH and DT_RUNPATH, ':'-separated entries split, $ORIGIN not yet expanded.
  const std::vector<std::string>& rpath() const { return rpath_; }
  const std::vector<std::string>& runpath() const { return runpath_; }
  const std::vector<RequiredVersion>& required_versions() const { return required_; }

 private:
  std::filesystem::path path_;
  std::uint16_t machine_ = 0;
  bool dynamic_ = false;
  std::vector<std::string> needed_;
  std::string soname_;
  std::vector<std::string> rpath_;
  std::vector<std::string> runpath_;
  std::vector<RequiredVersion> required_;
};

// The bytes of a file; throws ld::Error naming it when it cannot be read.
std::string read_whole_file(const std::filesystem::path& path);

}  // namespace ld::deploy
