#include "local/zip_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <utility>

namespace ld::local {

namespace {

constexpr std::size_t kEndRecordSize = 22;
constexpr std::size_t kZip64LocatorSize = 20;
constexpr std::size_t kMaxComment = 65535;
constexpr std::size_t kMaxLinkTarget = 4095;
constexpr std::size_t kMaxNamePart = 255;
constexpr std::size_t kQuotedLength = 200;

// An entry's name in quotes for a message (cut short when it is long).
std::string in_quotes(std::string_view name) {
  if (name.size() <= kQuotedLength) return "\"" + std::string(name) + "\"";
  return "\"" + std::string(name.substr(0, kQuotedLength)) + "…\"";
}

[[noreturn]] void bad_entry(const std::string& message) {
  throw ZipError(ZipError::Kind::BadEntry, message);
}

// A failed write, said without the path it was for.
[[noreturn]] void failed_write(const char* what, int error) {
  throw Error(std::string("cannot write the function's files: ") + what + ": " +
              std::strerror(error));
}

// The little-endian 16-bit integer at `at`, as zip records store them.
std::uint16_t le16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    (static_cast<unsigned char>(bytes[at + 1]) << 8));
}

// The little-endian 32-bit integer at `at`.
std::uint32_t le32(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(le16(bytes, at)) |
         (static_cast<std::uint32_t>(le16(bytes, at + 2)) << 16);
}

// `length` bytes of the archive from `offset` (fewer at its end).
using ReadAt = std::function<std::string(std::uint64_t offset, std::size_t length)>;

// How many end-of-central-directory records libzip could take in an archive of `size` bytes:
// those in the last 64 KB (where libzip looks) whose comment fits and whose central directory
// lies before them and starts with a central header (or is empty), and the zip64 ones.
int end_records(std::uint64_t size, const ReadAt& read_at) {
  if (size < kEndRecordSize) return 0;
  const std::size_t window = kEndRecordSize + kMaxComment + kZip64LocatorSize;
  const std::uint64_t start = size > window ? size - window : 0;
  const std::string tail = read_at(start, static_cast<std::size_t>(size - start));
  int count = 0;
  for (std::size_t at = 0; at + kEndRecordSize <= tail.size(); ++at) {
    if (std::memcmp(tail.data() + at, "PK\5\6", 4) != 0) continue;
    const std::uint64_t position = start + at;
    if (position + kEndRecordSize + le16(tail, at + 20) > size) continue;
    if (at >= kZip64LocatorSize &&
        std::memcmp(tail.data() + at - kZip64LocatorSize, "PK\6\7", 4) == 0) {
      ++count;
      continue;
    }
    const std::uint16_t entries = le16(tail, at + 10);
    const std::uint32_t directory_size = le32(tail, at + 12);
    const std::uint32_t directory = le32(tail, at + 16);
    if (std::uint64_t{directory} + directory_size > position) continue;
    if ((entries == 0 && directory_size == 0) || read_at(directory, 4) == "PK\1\2") ++count;
  }
  return count;
}

// Refuses an archive that libzip and another reader could read differently.
void check_one_end_record(std::uint64_t size, const ReadAt& read_at) {
  const int records = end_records(size, read_at);
  if (records == 0) throw ZipError(ZipError::Kind::NotAZip, "The file is not a zip archive.");
  if (records > 1) {
    throw ZipError(ZipError::Kind::Ambiguous,
                   "The zip has " + std::to_string(records) +
                       " end-of-central-directory records, so which entries it holds depends on "
                       "the reader.");
  }
}

// The parts of an entry's path; refuses absolute names and "..".
std::vector<std::string> path_parts(const std::string& name) {
  if (name.empty() || name[0] == '/' || name.find('\0') != std::string::npos)
    bad_entry("Entry " + in_quotes(name) + " is not a relative path inside the package.");
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (begin <= name.size()) {
    std::size_t end = name.find('/', begin);
    if (end == std::string::npos) end = name.size();
    std::string part = name.substr(begin, end - begin);
    begin = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..")
      bad_entry("Entry " + in_quotes(name) + " is not a relative path inside the package.");
    if (part.size() > kMaxNamePart)
      bad_entry("Entry " + in_quotes(name) + " has a name part longer than 255 bytes.");
    parts.push_back(std::move(part));
  }
  return parts;
}

// An absolute link is kept as Lambda keeps it (`bin/python -> /usr/bin/python3`): extraction
// never follows a link, and the function resolves it in its own view of the system. A relative
// link may climb with leading ".." no higher than the package's root, then only descend: so
// whatever links it passes through (in this zip or an earlier layer's), it stays inside.
void check_link(const ZipEntry& entry) {
  const std::string& target = entry.target;
  if (!target.empty() && target[0] == '/' && target.find('\0') == std::string::npos) return;
  bool ok = !target.empty() && target.find('\0') == std::string::npos;
  std::size_t climbs = 0;
  bool descended = false;
  std::size_t begin = 0;
  while (ok && begin <= target.size()) {
    std::size_t end = target.find('/', begin);
    if (end == std::string::npos) end = target.size();
    const std::string_view part = std::string_view(target).substr(begin, end - begin);
    begin = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      ok = !descended && ++climbs < entry.parts.size();
    } else {
      descended = true;
    }
  }
  if (!ok) bad_entry("Entry " + in_quotes(entry.name) + " is a symbolic link out of the package.");
}

// How a message names what an entry that is not a directory is.
const char* type_name(ZipEntry::Type type) {
  return type == ZipEntry::Type::Link ? "a symbolic link" : "a file";
}

// Refuses two entries for one path (unless both are directories) and an entry under a file or
// a link.
void check_conflicts(const std::vector<ZipEntry>& entries) {
  std::map<std::string, const ZipEntry*> by_path;
  for (const auto& entry : entries) {
    std::string path;
    for (const auto& part : entry.parts) path += (path.empty() ? "" : "/") + part;
    auto [it, added] = by_path.emplace(path, &entry);
    if (!added && !(it->second->type == ZipEntry::Type::Directory &&
                    entry.type == ZipEntry::Type::Directory)) {
      bad_entry("Entries " + in_quotes(it->second->name) + " and " + in_quotes(entry.name) +
                " are the same path.");
    }
  }
  for (const auto& entry : entries) {
    std::string prefix;
    for (std::size_t i = 0; i + 1 < entry.parts.size(); ++i) {
      prefix += (prefix.empty() ? "" : "/") + entry.parts[i];
      auto it = by_path.find(prefix);
      if (it != by_path.end() && it->second->type != ZipEntry::Type::Directory) {
        bad_entry("Entries " + in_quotes(it->second->name) + " and " + in_quotes(entry.name) +
                  " conflict: " + in_quotes(it->second->name) + " is " +
                  type_name(it->second->type) + ", so it cannot also be a directory.");
      }
    }
  }
}

// An open file descriptor, closed at the end of its scope.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(Descriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Descriptor& operator=(Descriptor&& other) noexcept {
    if (this != &other) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes it now, reporting a failure (a delayed write error).
  void close() {
    const int fd = std::exchange(fd_, -1);
    if (fd >= 0 && ::close(fd) != 0) failed_write("close", errno);
  }

 private:
  int fd_;
};

// The directory `name` in `parent`, made when missing; a file or link in its place is replaced.
Descriptor open_directory(int parent, const std::string& name) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    const int fd = ::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) return Descriptor(fd);
    if (errno == ENOENT) {
      // 0755 whatever the umask: the function runs as another user and must read its code.
      if (::mkdirat(parent, name.c_str(), 0755) == 0)
        ::fchmodat(parent, name.c_str(), 0755, 0);
      else if (errno != EEXIST)
        failed_write("mkdir", errno);
    } else if (errno == ENOTDIR || errno == ELOOP) {
      if (::unlinkat(parent, name.c_str(), 0) != 0 && errno != ENOENT)
        failed_write("unlink", errno);
    } else {
      failed_write("open a directory", errno);
    }
  }
  failed_write("open a directory", EBUSY);
}

// Removes the file or link `name` in `parent` so that `entry` can take its place.
void clear_place(int parent, const std::string& name, const ZipEntry& entry) {
  if (::unlinkat(parent, name.c_str(), 0) == 0 || errno == ENOENT) return;
  const int error = errno;
  struct stat st {};
  if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
    bad_entry("Entry " + in_quotes(entry.name) + " is " + type_name(entry.type) +
              " where an earlier layer has a directory.");
  }
  failed_write("unlink", error);
}

// Writes all of `data` to `fd`.
void write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) failed_write("write", n < 0 ? errno : ENOSPC);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

// An entry open for reading, closed at the end of its scope.
struct EntryReader {
  explicit EntryReader(zip_file_t* opened) : file(opened) {}
  EntryReader(const EntryReader&) = delete;
  EntryReader& operator=(const EntryReader&) = delete;
  ~EntryReader() {
    if (file) zip_fclose(file);
  }
  zip_file_t* file;
};

// Reads `entry` of `za` through `buffer`, stopping one byte past its declared size; `sink` gets
// each piece. Refuses an entry that is corrupt or longer or shorter than
// declared.
void read_entry(zip_t* za, const ZipEntry& entry, std::vector<char>& buffer,
                const std::function<void(const char*, std::size_t)>& sink) {
  EntryReader reader(zip_fopen_index(za, entry.index, 0));
  if (!reader.file)
    bad_entry("Entry " + in_quotes(entry.name) + " cannot be read (" + zip_strerror(za) + ").");
  std::uint64_t got = 0;
  while (true) {
    const std::uint64_t want = std::min<std::uint64_t>(buffer.size(), entry.size + 1 - got);
    const zip_int64_t n = zip_fread(reader.file, buffer.data(), want);
    if (n < 0) {
      bad_entry("Entry " + in_quotes(entry.name) + " is corrupt (" +
                zip_file_strerror(reader.file) + ").");
    }
    if (n == 0) break;
    got += static_cast<std::uint64_t>(n);
    if (got > entry.size) {
      bad_entry("Entry " + in_quotes(entry.name) + " holds more than the " +
                std::to_string(entry.size) + " bytes it declares.");
    }
    sink(buffer.data(), static_cast<std::size_t>(n));
  }
  if (got != entry.size) {
    bad_entry("Entry " + in_quotes(entry.name) + " holds fewer than the " +
              std::to_string(entry.size) + " bytes it declares.");
  }
}

}  // namespace

void ZipArchive::Close::operator()(::zip* archive) const {
  zip_discard(archive);
}

ZipArchive::ZipArchive(::zip* archive) : zip_(archive) {}
ZipArchive::ZipArchive(ZipArchive&&) noexcept = default;
ZipArchive& ZipArchive::operator=(ZipArchive&&) noexcept = default;
ZipArchive::~ZipArchive() = default;

ZipArchive ZipArchive::read(std::string_view bytes) {
  check_one_end_record(bytes.size(), [&](std::uint64_t offset, std::size_t length) {
    return offset >= bytes.size()
               ? std::string()
               : std::string(bytes.substr(static_cast<std::size_t>(offset), length));
  });
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  zip_t* za = source ? zip_open_from_source(source, ZIP_RDONLY, &error) : nullptr;
  if (!za) {
    if (source) zip_source_free(source);
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw ZipError(ZipError::Kind::NotAZip, "The file is not a zip archive (" + reason + ").");
  }
  zip_error_fini(&error);
  ZipArchive archive(za);
  archive.list();
  return archive;
}

ZipArchive ZipArchive::open(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw ZipError(ZipError::Kind::NotAZip,
                   std::string("The zip cannot be opened (") + std::strerror(errno) + ").");
  }
  struct stat st {};
  try {
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      throw ZipError(ZipError::Kind::NotAZip, "The zip is not a regular file.");
    check_one_end_record(
        static_cast<std::uint64_t>(st.st_size), [fd](std::uint64_t offset, std::size_t length) {
          std::string bytes(length, '\0');
          const ssize_t n = ::pread(fd, bytes.data(), length, static_cast<off_t>(offset));
          bytes.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
          return bytes;
        });
  } catch (...) {
    ::close(fd);
    throw;
  }
  int error = 0;
  zip_t* za = zip_fdopen(fd, ZIP_RDONLY, &error);  // owns fd from here on success
  if (!za) {
    ::close(fd);
    zip_error_t detail;
    zip_error_init_with_code(&detail, error);
    const std::string reason = zip_error_strerror(&detail);
    zip_error_fini(&detail);
    throw ZipError(ZipError::Kind::NotAZip, "The file is not a zip archive (" + reason + ").");
  }
  ZipArchive archive(za);
  archive.list();
  return archive;
}

void ZipArchive::list() {
  zip_t* za = zip_.get();
  const zip_int64_t count = zip_get_num_entries(za, 0);
  std::vector<char> buffer(kMaxLinkTarget + 1);
  for (zip_int64_t i = 0; i < count; ++i) {
    ZipEntry entry;
    entry.index = static_cast<std::uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, entry.index, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE) || st.name == nullptr) {
      bad_entry("Entry number " + std::to_string(i + 1) + " cannot be read.");
    }
    entry.name = st.name;
    entry.size = st.size;
    entry.parts = path_parts(entry.name);
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      bad_entry("Entry " + in_quotes(entry.name) + " is encrypted.");
    if ((st.valid & ZIP_STAT_COMP_METHOD) && !zip_compression_method_supported(st.comp_method, 0))
      bad_entry("Entry " + in_quotes(entry.name) +
                " uses a compression method that cannot be read.");
    zip_uint8_t system = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(za, entry.index, 0, &system, &attributes);
    const auto mode = system == ZIP_OPSYS_UNIX ? static_cast<mode_t>(attributes >> 16) : 0;
    const bool dos_directory = system == ZIP_OPSYS_DOS && (attributes & 0x10) != 0;
    if (entry.name.back() == '/' || S_ISDIR(mode) || dos_directory) {
      entry.type = ZipEntry::Type::Directory;
    } else if (S_ISLNK(mode)) {
      entry.type = ZipEntry::Type::Link;
    }
    if ((mode & 07777) != 0) entry.permissions = mode & 0777;
    if (entry.parts.empty()) {
      if (entry.type == ZipEntry::Type::Directory) continue;  // "./": the root itself
      bad_entry("Entry " + in_quotes(entry.name) + " is not a relative path inside the package.");
    }
    if (entry.type == ZipEntry::Type::Link) {
      if (entry.size > kMaxLinkTarget)
        bad_entry("Entry " + in_quotes(entry.name) + " is a symbolic link with too long a target.");
      read_entry(za, entry, buffer,
                 [&](const char* data, std::size_t n) { entry.target.append(data, n); });
      check_link(entry);
    }
    entries_.push_back(std::move(entry));
  }
  check_conflicts(entries_);
}

std::uint64_t ZipArchive::unzipped_size() const {
  std::uint64_t total = 0;
  for (const auto& entry : entries_) total += entry.size;
  return total;
}

void ZipArchive::extract(int root, std::uint64_t& written, std::uint64_t limit) const {
  std::vector<char> buffer(256 * 1024);
  auto count = [&](std::size_t n) {
    if (written + n > limit) {
      throw ZipError(ZipError::Kind::TooLarge,
                     "The unzipped files pass the limit of " + std::to_string(limit) + " bytes.");
    }
    written += n;
  };
  for (const auto& entry : entries_) {
    // The entry's directory, opened part by part without following links.
    Descriptor directory(-1);
    int parent = root;
    for (std::size_t i = 0; i + 1 < entry.parts.size(); ++i) {
      directory = open_directory(parent, entry.parts[i]);
      parent = directory.get();
    }
    const std::string& leaf = entry.parts.back();
    switch (entry.type) {
      case ZipEntry::Type::Directory:
        open_directory(parent, leaf);
        break;
      case ZipEntry::Type::Link:
        clear_place(parent, leaf, entry);
        count(entry.target.size());
        if (::symlinkat(entry.target.c_str(), parent, leaf.c_str()) != 0)
          failed_write("symlink", errno);
        break;
      case ZipEntry::Type::File: {
        clear_place(parent, leaf, entry);
        Descriptor out(::openat(parent, leaf.c_str(),
                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (out.get() < 0) failed_write("create", errno);
        read_entry(zip_.get(), entry, buffer, [&](const char* data, std::size_t n) {
          count(n);
          write_all(out.get(), data, n);
        });
        if (::fchmod(out.get(), entry.permissions) != 0) failed_write("chmod", errno);
        out.close();
        break;
      }
    }
  }
}

}  // namespace ld::local
