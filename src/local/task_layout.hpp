#pragma once
// Lambda's file layout for an instance: the code zip extracted once per code SHA-256 into
// <data-dir>/tasks/<sha>/, the layers extracted in order into one directory per layer set
// (<data-dir>/layers/<key>/, the instance's /opt), and a private mount namespace that shows
// them at /var/task and /opt with a writable /tmp of the instance's own, where the kernel allows.
#include <filesystem>
#include <string>
#include <vector>

namespace ld::local {

// Extracts `zip` into `dir` (created); entries are checked to stay inside it, Unix modes and
// symlinks kept. Throws ld::Error naming the zip and the entry on a bad or unreadable zip.
void extract_zip(const std::filesystem::path& zip, const std::filesystem::path& dir);

// <data_dir>/tasks/<code_sha256>/, extracted the first time (atomically: a rename into place).
std::filesystem::path prepare_task_root(const std::filesystem::path& data_dir,
                                        const std::string& code_sha256,
                                        const std::filesystem::path& code_zip);

// <data_dir>/layers/<key>/ with every layer extracted in order (later layers win), or an empty
// directory for no layers.
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

 private:
  std::string task_, opt_, tmp_;
  std::string uid_map_, gid_map_;
};

// Whether MountPlan::enter works here (tried once in a forked child, then remembered).
bool mount_namespace_available(const std::filesystem::path& scratch_dir);

}  // namespace ld::local
