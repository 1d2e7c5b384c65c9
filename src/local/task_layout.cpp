#include "local/task_layout.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/uuid.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

std::mutex& extraction_mutex() {
  static std::mutex m;
  return m;
}

// An entry name is safe when it is relative and never climbs out with "..".
bool safe_entry_name(const std::string& name) {
  if (name.empty() || name[0] == '/') return false;
  fs::path p(name);
  for (const auto& part : p)
    if (part == "..") return false;
  return true;
}

// Extracts into a fresh sibling directory and renames it to `dir`; another thread or process
// that got there first wins and the copy is dropped.
fs::path extract_once(const fs::path& dir, const std::vector<fs::path>& zips) {
  std::lock_guard lock(extraction_mutex());
  if (fs::exists(dir)) return dir;
  fs::create_directories(dir.parent_path());
  fs::path tmp = dir.parent_path() / (".tmp-" + random_uuid());
  fs::create_directories(tmp);
  try {
    for (const auto& zip : zips) extract_zip(zip, tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove_all(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, dir, ec);
  if (ec) fs::remove_all(tmp, ec);
  return dir;
}

}  // namespace

void extract_zip(const fs::path& zip_path, const fs::path& dir) {
  int err = 0;
  zip_t* za = zip_open(zip_path.c_str(), ZIP_RDONLY, &err);
  if (!za)
    throw Error("cannot open zip " + zip_path.string() + " (libzip error " + std::to_string(err) +
                ")");
  std::unique_ptr<zip_t, decltype(&zip_discard)> guard(za, &zip_discard);
  fs::create_directories(dir);
  zip_int64_t count = zip_get_num_entries(za, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    if (zip_stat_index(za, index, 0, &st) != 0 || !st.name)
      throw Error("zip " + zip_path.string() + ": cannot read entry " + std::to_string(i));
    std::string name = st.name;
    if (!safe_entry_name(name))
      throw Error("zip " + zip_path.string() + ": entry \"" + name + "\" leaves the directory");
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(za, index, 0, &opsys, &attributes);
    mode_t mode = opsys == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    fs::path target = dir / name;
    if (name.back() == '/' || S_ISDIR(mode)) {
      fs::create_directories(target);
      continue;
    }
    fs::create_directories(target.parent_path());
    zip_file_t* zf = zip_fopen_index(za, index, 0);
    if (!zf) throw Error("zip " + zip_path.string() + ": cannot open entry \"" + name + "\"");
    std::unique_ptr<zip_file_t, decltype(&zip_fclose)> file_guard(zf, &zip_fclose);
    std::string bytes;
    bytes.resize(static_cast<std::size_t>(st.size));
    zip_int64_t got = bytes.empty() ? 0 : zip_fread(zf, bytes.data(), st.size);
    if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
      throw Error("zip " + zip_path.string() + ": entry \"" + name + "\" is truncated or corrupt");
    std::error_code ec;
    fs::remove(target, ec);
    if (S_ISLNK(mode)) {
      fs::create_symlink(bytes, target);
      continue;
    }
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      if (!out) throw Error("cannot write " + target.string());
    }
    mode_t perms = (mode & 07777) != 0 ? (mode & 0777) : 0644;
    ::chmod(target.c_str(), perms);
  }
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

bool mount_namespace_available(const fs::path& scratch_dir) {
  static std::mutex m;
  static int known = -1;
  std::lock_guard lock(m);
  if (known >= 0) return known == 1;
  std::error_code ec;
  fs::path base = scratch_dir / (".probe-" + random_uuid());
  fs::create_directories(base / "task", ec);
  fs::create_directories(base / "opt", ec);
  fs::create_directories(base / "tmp", ec);
  { std::ofstream(base / "task" / "marker") << "x"; }
  MountPlan plan(base / "task", base / "opt", base / "tmp");
  pid_t pid = ::fork();
  if (pid == 0) {
    bool ok = plan.enter() && ::access("/var/task/marker", R_OK) == 0;
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  bool ok =
      pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  fs::remove_all(base, ec);
  known = ok ? 1 : 0;
  return ok;
}

}  // namespace ld::local
