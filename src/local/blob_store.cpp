#include "local/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>
#include <vector>

#include "core/encoding.hpp"
#include "local/private_files.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kChunk = 1 << 20;

[[noreturn]] void fail_errno(const std::string& what, const fs::path& path) {
  int err = errno;
  throw BlobError(what + " " + path.string() + ": " + std::strerror(err));
}

void check_digest(std::string_view digest) {
  if (!BlobStore::is_digest(digest)) {
    throw BlobError("not a blob digest (64 lowercase hex digits): '" + std::string(digest) + "'");
  }
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open folder", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_errno("cannot fsync folder", dir);
}

// Creates `dir` if missing, 0700 (the user's alone) whatever the umask; on creation fsyncs its
// parent so the new entry survives. With `tighten`, an existing `dir` is made 0700 too.
void ensure_dir(const fs::path& dir, bool tighten = false) {
  if (::mkdir(dir.c_str(), 0700) == 0) {
    tighten = true;
    fsync_dir(dir.parent_path());
  } else if (errno != EEXIST) {
    fail_errno("cannot create folder", dir);
  }
  if (tighten && ::chmod(dir.c_str(), 0700) != 0)
    fail_errno("cannot make private (0700) the folder", dir);
}

void write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_errno("cannot write", path);
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string temp_name() {
  static std::atomic<std::uint64_t> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  return "put-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(random() % 1000000000) + ".tmp";
}

}  // namespace

// ---- BlobWriter ----

BlobWriter::BlobWriter(const BlobStore& store, fs::path temp, int fd)
    : store_(&store), temp_(std::move(temp)), fd_(fd), hash_(std::make_unique<Sha256>()) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : store_(other.store_),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      hash_(std::move(other.hash_)) {}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void BlobWriter::write(std::string_view bytes) {
  if (fd_ < 0) throw BlobError("write to a blob writer that was already committed");
  write_all(fd_, bytes, temp_);
  hash_->update(bytes);
  size_ += bytes.size();
}

BlobRef BlobWriter::commit() {
  if (fd_ < 0) throw BlobError("blob writer committed twice");
  int fd = std::exchange(fd_, -1);
  int rc = ::fsync(fd);
  int close_rc = ::close(fd);
  if (rc != 0 || close_rc != 0) {
    int err = errno;
    ::unlink(temp_.c_str());
    errno = err;
    fail_errno("cannot fsync", temp_);
  }
  Digest256 digest = hash_->finish();
  return store_->finish(temp_, hex_encode(as_chars(digest)), size_);
}

// ---- BlobStore ----

BlobStore::BlobStore(const fs::path& data_dir)
    : root_(data_dir / "blobs"), temp_dir_(data_dir / "blobs" / "tmp") {
  std::error_code ec;
  if (!fs::is_directory(data_dir, ec)) {
    try {
      make_private_dir(data_dir);
    } catch (const Error& e) {
      throw BlobError(std::string("cannot create data folder: ") + e.what());
    }
  }
  ensure_dir(root_, true);
  ensure_dir(temp_dir_, true);
  sweep();
}

std::size_t BlobStore::sweep() {
  std::size_t removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(temp_dir_, ec)) {
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  if (ec) throw BlobError("cannot list " + temp_dir_.string() + ": " + ec.message());
  return removed;
}

std::vector<std::string> BlobStore::digests() const {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& folder : fs::directory_iterator(root_, ec)) {
    std::string prefix = folder.path().filename().string();
    if (prefix.size() != 2 || !folder.is_directory()) continue;  // tmp/ and strays
    for (const auto& file : fs::directory_iterator(folder.path(), ec)) {
      std::string digest = prefix + file.path().filename().string();
      if (is_digest(digest)) found.push_back(std::move(digest));
    }
  }
  if (ec) throw BlobError("cannot list " + root_.string() + ": " + ec.message());
  std::sort(found.begin(), found.end());
  return found;
}

std::size_t BlobStore::remove_unreferenced(
    const std::function<bool(std::string_view)>& referenced) {
  std::size_t removed = 0;
  for (const std::string& digest : digests()) {
    if (!referenced(digest) && remove(digest)) ++removed;
  }
  return removed;
}

BlobWriter BlobStore::writer() {
  fs::path temp = temp_dir_ / temp_name();
  // 0600 whatever the umask: the blobs are the user's alone.
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail_errno("cannot create", temp);
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    errno = err;
    fail_errno("cannot make private (0600)", temp);
  }
  return BlobWriter(*this, std::move(temp), fd);
}

BlobRef BlobStore::put(std::string_view bytes) {
  std::string digest = hex_encode(as_chars(sha256(bytes)));
  if (exists(digest)) return BlobRef{digest, bytes.size()};
  BlobWriter w = writer();
  w.write(bytes);
  return w.commit();
}

BlobRef BlobStore::put_file(const fs::path& source) {
  int fd = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open", source);
  BlobWriter w = writer();
  std::vector<char> buffer(kChunk);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      errno = err;
      fail_errno("cannot read", source);
    }
    if (n == 0) break;
    w.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return w.commit();
}

BlobRef BlobStore::finish(const fs::path& temp, const std::string& digest,
                          std::uint64_t size) const {
  fs::path final_path = path_of(digest);
  fs::path dir = final_path.parent_path();
  try {
    ensure_dir(dir);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0) {  // already stored: keep the existing copy
    ::unlink(temp.c_str());
    return BlobRef{digest, size};
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    errno = err;
    fail_errno("cannot rename a new blob to", final_path);
  }
  fsync_dir(dir);
  return BlobRef{digest, size};
}

bool BlobStore::is_digest(std::string_view text) {
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

fs::path BlobStore::path_of(std::string_view digest) const {
  check_digest(digest);
  return root_ / std::string(digest.substr(0, 2)) / std::string(digest.substr(2));
}

bool BlobStore::exists(std::string_view digest) const {
  struct stat st {};
  return ::stat(path_of(digest).c_str(), &st) == 0;
}

std::uint64_t BlobStore::size_of(std::string_view digest) const {
  fs::path path = path_of(digest);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno("no blob", path);
  return static_cast<std::uint64_t>(st.st_size);
}

std::ifstream BlobStore::open(std::string_view digest) const {
  fs::path path = path_of(digest);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_errno("no blob", path);
  return in;
}

std::string BlobStore::read(std::string_view digest) const {
  std::ifstream in = open(digest);
  std::string bytes(static_cast<std::size_t>(size_of(digest)), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) {
    throw BlobError("short read of blob " + path_of(digest).string());
  }
  return bytes;
}

bool BlobStore::remove(std::string_view digest) {
  fs::path path = path_of(digest);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return false;
    fail_errno("cannot remove", path);
  }
  return true;
}

}  // namespace ld::local
