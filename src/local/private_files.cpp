#include "local/private_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.hpp"

namespace ld::local {

namespace {

// Throws ld::Error: "<what> <path>: <strerror(err)>".
[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw Error(what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace

void make_private_dir(const std::filesystem::path& dir) {
  if (dir.has_parent_path() && !dir.parent_path().empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec)
      throw Error("cannot create the folder " + dir.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    fail("cannot create the folder", dir, errno);
  // mkdir's mode is masked by the umask and an existing folder keeps its own: set it.
  if (::chmod(dir.c_str(), 0700) != 0) fail("cannot make private (0700) the folder", dir, errno);
}

void make_private_file(const std::filesystem::path& file) {
  if (::chmod(file.c_str(), 0600) != 0 && errno != ENOENT)
    fail("cannot make private (0600) the file", file, errno);
}

int open_private_file(const std::filesystem::path& file, int flags) {
  const int fd = ::open(file.c_str(), flags | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot open", file, errno);
  struct stat status {};
  if (::fstat(fd, &status) == 0 && (status.st_mode & 0777) != 0600 && ::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    fail("cannot make private (0600) the file", file, err);
  }
  return fd;
}

}  // namespace ld::local
