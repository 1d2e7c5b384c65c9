#pragma once
// The dependency closure of an ELF: every shared library it needs, recursively, except glibc's
// own, found the way the dynamic loader would (rpath, LD_LIBRARY_PATH, runpath, ld.so.conf dirs).
#include <filesystem>
#include <string>
#include <vector>

#include "deploy/package/elf_image.hpp"

namespace ld::deploy {

// Where to look for libraries besides the ELF's own rpath/runpath.
struct LibrarySearch {
  std::vector<std::filesystem::path> extra_dirs;   // searched first, like LD_LIBRARY_PATH
  std::vector<std::filesystem::path> system_dirs;  // searched last; empty → system_library_dirs()
};

// /etc/ld.so.conf (with its includes) followed by the loader's default directories.
std::vector<std::filesystem::path> system_library_dirs();

// True for the libraries every Lambda OS-only runtime provides (glibc: libc, libm, libpthread,
// libdl, librt, libresolv, libutil, ld-linux*, …), never shipped in a layer.
bool is_runtime_library(const std::string& soname);

// True for libstdc++ and libgcc_s: shipped when needed, but the bootstrap should link them
// statically (DESIGN.md section 5), so their presence is flagged.
bool should_be_static(const std::string& soname);

// One library of the closure: stored under lib/<soname>, its bytes read from `path`.
struct Library {
  std::string soname;
  std::filesystem::path path;  // symlinks resolved
  std::string needed_by;       // the first file that needed it (for messages)
};

struct Closure {
  std::vector<Library> libraries;              // sorted by soname
  std::vector<std::string> flagged;            // sonames for which should_be_static() is true
  std::vector<std::string> runtime_libraries;  // glibc sonames needed, not shipped
};

// Walks DT_NEEDED from `binary`. Throws ld::Error naming each library that cannot be found and
// which file needs it.
Closure closure_of(const std::filesystem::path& binary, const LibrarySearch& search = {});

}  // namespace ld::deploy
