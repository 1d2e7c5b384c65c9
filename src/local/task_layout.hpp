#pragma once
// Lambda's file layout for an instance: the code zip extracted once per code SHA-256 into
// <data-dir>/tasks/<sha>/, the layers extracted in order into one directory per layer set
// (<data-dir>/layers/<key>/, the instance's /opt), and a private mount namespace that shows
// them at /var/task and /opt with a writable /tmp of the instance's own, where the kernel allows.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "local/zip_archive.hpp"

namespace ld::local {

// Extracts `zip` into `dir` (created) through ZipArchive: entries stay inside it and never
// follow a link, Unix modes and links are kept, at most `limit` bytes are written. Throws
// ZipError on a bad or unreadable zip and ld::Error on a failed write, neither naming a path.
void extract_zip(const std::filesystem::path& zip, const std::filesystem::path& dir,
                 std::uint64_t limit = kUnzippedLimit);

// <data_dir>/tasks/<code_sha256>/, extracted the first time (atomically: a rename into place).
// A zip that cannot be unzipped throws ApiError InvalidZipFileException (502), as Invoke answers
// it; no error names a path.
std::filesystem::path prepare_task_root(const std::filesystem::path& data_dir,
                                        const std::string& code_sha256,
                                        const std::filesystem::path& code_zip);

// <data_dir>/layers/<key>/ with every layer extracted in order (later layers win), or an empty
// directory for no layers; errors as prepare_task_root's. The layers share one unzipped limit.
std::filesystem::path prepare_layer_root(const std::filesystem::path& data_dir,
                                         const std::vector<std::filesystem::path>& layer_zips);

// What the child applies between fork and exec. Built in the parent: the child only makes
// async-signal-safe system calls.
class MountPlan {
 public:
  MountPlan(const std::filesystem::path& task_root, const std::filesystem::path& opt_root,
            const std::filesystem::path& tmp_root);
  // In the child: unshare(CLONE_NEWUSER|CLONE_NEWNS) (CLONE_NEWNS alone as a fallback), bind
  // task_root at /var/task (read-only), opt_root at /opt, tmp_root at /tmp. False on failure.
  bool enter() const noexcept;
  // In the child, already in a mount namespace of its own (and a user namespace when not root):
  // the binds of enter() without its unshare. False on failure.
  bool apply() const noexcept;

 private:
  std::string task_, opt_, tmp_;
  std::string uid_map_, gid_map_;
};

}  // namespace ld::local
