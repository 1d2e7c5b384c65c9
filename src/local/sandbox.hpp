#pragma once
// How the executor starts an instance's processes so that a hostile function cannot reach the
// endpoint (issue 11): a PID namespace of its own (the endpoint is invisible: nothing to signal,
// trace or read, and every process of the instance dies with it), Lambda's mount namespace
// (/var/task, /opt, a private /tmp, the data dir hidden), Lambda's unprivileged user (uid 993,
// sbx_user1051: dropped to when the endpoint runs as root, mapped in a user namespace when it does
// not) without capabilities, and lambdeploy-init as PID 1 (it reaps, and reports how the bootstrap
// ended). What the kernel and the running user allow is probed once; where less works, less is
// used, down to real paths as the endpoint's own user (as before).
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace ld::local {

// Lambda's sandbox user and group (sbx_user1051).
inline constexpr unsigned kSandboxUid = 993;
inline constexpr unsigned kSandboxGid = 993;

// The isolation instances get.
struct Isolation {
  bool user_namespace = false;   // not root: a user namespace maps the endpoint's uid to 993
  bool pid_namespace = false;    // the instance's processes see only themselves
  bool mount_namespace = false;  // /var/task, /opt and /tmp bound, the data dir hidden
  bool sandbox_user = false;     // processes run as uid/gid 993 without capabilities
  bool init = false;             // lambdeploy-init is PID 1 (else the bootstrap is)

  // For ExecutorStatus.isolation: "pid+mount namespaces, uid 993", "paths", ...
  std::string describe() const;
};

// What to start in the sandbox: the bootstrap, its environment and its files.
struct SandboxCommand {
  std::string program;                   // as the process sees it ("/var/task/bootstrap")
  std::vector<std::string> environment;  // NAME=value
  std::string workdir;
  std::filesystem::path task_root, opt_root, tmp_root;  // bound at /var/task, /opt and /tmp
  int stdout_fd = -1;
  int stderr_fd = -1;
  int status_fd = -1;  // with init: where it writes the bootstrap's wait status (fd 3 for it)
};

// Starts processes with the isolation probed at construction. Thread-safe after construction.
class Sandbox {
 public:
  // Probes what works with scratch files under `data_dir` (which instances do not see);
  // `namespaces` false tries none. `init_program` empty: lambdeploy-init next to the running
  // program, else at its build path.
  Sandbox(const std::filesystem::path& data_dir, bool namespaces,
          const std::filesystem::path& init_program = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const Isolation& isolation() const { return isolation_; }

  // Gives an instance's /tmp (created by the caller) to the user its processes run as.
  void hand_over(const std::filesystem::path& tmp_dir) const;

  // Starts `command` and returns its first process (lambdeploy-init with one, else the
  // bootstrap) once that runs its program, so that nothing measures the endpoint's memory in a
  // child that has not exec'd yet. A child that fails to set up writes why to its stderr and
  // exits 127. Throws ld::Error when no process could be made.
  pid_t start(const SandboxCommand& command) const;

 private:
  // Whether `candidate` works here: a child sets it up and reads a file as the sandbox user.
  bool works(const Isolation& candidate, const std::filesystem::path& scratch) const;

  std::filesystem::path data_dir_;
  std::string hidden_dir_;  // the data dir, unless hiding it would hide more (empty then)
  Isolation isolation_;
  int init_fd_ = -1;  // lambdeploy-init, O_PATH
  int last_capability_ = 40;
  std::string uid_map_, gid_map_;  // a user namespace's maps: 993 to the endpoint's ids
};

}  // namespace ld::local
