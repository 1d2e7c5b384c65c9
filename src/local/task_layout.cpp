#include "local/task_layout.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <system_error>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/uuid.hpp"
#include "local/api_call.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

std::mutex& extraction_mutex() {
  static std::mutex m;
  return m;
}

// The directory extracted into, open for as long as it is in scope.
struct TargetDirectory {
  explicit TargetDirectory(const fs::path& dir)
      : fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd < 0)
      throw Error(std::string("cannot open the function's folder: ") + std::strerror(errno));
  }
  TargetDirectory(const TargetDirectory&) = delete;
  TargetDirectory& operator=(const TargetDirectory&) = delete;
  ~TargetDirectory() { ::close(fd); }
  int fd;
};

// Extracts `zips` in order into `dir`, sharing one budget of written bytes.
void extract_all(const std::vector<fs::path>& zips, const fs::path& dir, std::uint64_t limit) {
  TargetDirectory target(dir);
  std::uint64_t written = 0;
  for (const auto& zip : zips) ZipArchive::open(zip).extract(target.fd, written, limit);
}

// Extracts into a fresh sibling directory and renames it to `dir`; another thread or process
// that got there first wins and the copy is dropped. Failures say no path: a zip that cannot be
// unzipped is Lambda's InvalidZipFileException, anything else a plain ld::Error.
fs::path extract_once(const fs::path& dir, const std::vector<fs::path>& zips) {
  std::lock_guard lock(extraction_mutex());
  std::error_code ec;
  if (fs::exists(dir, ec)) return dir;
  const fs::path tmp = dir.parent_path() / (".tmp-" + random_uuid());
  try {
    fs::create_directories(tmp);
    // Readable by the user functions run as, whatever the endpoint's umask.
    fs::permissions(tmp, fs::perms(0755));
    extract_all(zips, tmp, kUnzippedLimit);
  } catch (const ZipError& e) {
    fs::remove_all(tmp, ec);
    throw ApiError("InvalidZipFileException",
                   std::string("Lambda could not unzip the deployment package. ") + e.what(), 502);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp, ec);
    throw Error("cannot prepare the function's files: " + e.code().message());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  fs::rename(tmp, dir, ec);
  if (ec) fs::remove_all(tmp, ec);
  return dir;
}

}  // namespace

void extract_zip(const fs::path& zip, const fs::path& dir, std::uint64_t limit) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create the function's folder: " + ec.message());
  extract_all({zip}, dir, limit);
}

fs::path prepare_task_root(const fs::path& data_dir, const std::string& code_sha256,
                           const fs::path& code_zip) {
  if (code_sha256.empty() || code_sha256.find('/') != std::string::npos)
    throw Error("bad code SHA-256 \"" + code_sha256 + "\"");
  return extract_once(data_dir / "tasks" / code_sha256, {code_zip});
}

fs::path prepare_layer_root(const fs::path& data_dir, const std::vector<fs::path>& layer_zips) {
  std::string key_source;
  for (const auto& z : layer_zips) key_source += fs::absolute(z).string() + "\n";
  std::string key = layer_zips.empty() ? "none" : sha256_hex(key_source).substr(0, 32);
  return extract_once(data_dir / "layers" / key, layer_zips);
}

MountPlan::MountPlan(const fs::path& task_root, const fs::path& opt_root, const fs::path& tmp_root)
    : task_(fs::absolute(task_root).string()),
      opt_(fs::absolute(opt_root).string()),
      tmp_(fs::absolute(tmp_root).string()),
      uid_map_(std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1\n"),
      gid_map_(std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1\n") {}

namespace {

bool write_file(const char* path, const std::string& text) {
  int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// "/proc/self/fd/N" without allocating.
void fd_path(char (&out)[32], int fd) {
  const char* prefix = "/proc/self/fd/";
  std::size_t n = std::strlen(prefix);
  std::memcpy(out, prefix, n);
  char digits[12];
  int k = 0;
  do {
    digits[k++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0 && k < 11);
  while (k > 0) out[n++] = digits[--k];
  out[n] = '\0';
}

bool bind_fd(int fd, const char* target, bool read_only) {
  char source[32];
  fd_path(source, fd);
  if (::mount(source, target, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
  if (read_only)
    ::mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_REC, nullptr);
  return true;
}

}  // namespace

bool MountPlan::enter() const noexcept {
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0) {
    write_file("/proc/self/setgroups", "deny");
    if (!write_file("/proc/self/uid_map", uid_map_) || !write_file("/proc/self/gid_map", gid_map_))
      return false;
  } else if (::unshare(CLONE_NEWNS) != 0) {
    return false;
  }
  return apply();
}

bool MountPlan::apply() const noexcept {
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  // Open the sources inside the new namespace (a bind needs a mount of this namespace) and
  // before the mounts below hide their paths (/tmp, /var).
  int task_fd = ::open(task_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  int opt_fd = ::open(opt_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  int tmp_fd = ::open(tmp_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (task_fd < 0 || opt_fd < 0 || tmp_fd < 0) return false;
  struct stat st;
  if (::stat("/var/task", &st) != 0) {
    // No /var/task on this host: a tmpfs /var of the namespace's own holds the mount point.
    if (::mount("tmpfs", "/var", "tmpfs", 0, "mode=0755") != 0) return false;
    if (::mkdir("/var/task", 0755) != 0 || ::mkdir("/var/runtime", 0755) != 0) return false;
    ::mkdir("/var/tmp", 01777);
  }
  if (::stat("/opt", &st) != 0) return false;
  if (!bind_fd(task_fd, "/var/task", true)) return false;
  if (!bind_fd(opt_fd, "/opt", true)) return false;
  if (!bind_fd(tmp_fd, "/tmp", false)) return false;
  ::close(task_fd);
  ::close(opt_fd);
  ::close(tmp_fd);
  return true;
}

}  // namespace ld::local
