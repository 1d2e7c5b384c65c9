#include "local/sandbox.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/uuid.hpp"
#include "local/task_layout.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

// Everything a child needs, made ready by the parent: between clone and exec the child only
// makes system calls (the endpoint is multi-threaded, and with CLONE_VM the child runs in its
// memory while the parent's thread waits).
struct ChildPlan {
  Isolation isolation;
  const MountPlan* mounts = nullptr;  // with a mount namespace
  const char* uid_map = nullptr;      // with a user namespace
  const char* gid_map = nullptr;
  const char* hidden_dir = nullptr;  // the data dir, hidden in a mount namespace
  const char* workdir = nullptr;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int status_fd = -1;
  int init_fd = -1;  // lambdeploy-init, when the namespace gets one
  int last_capability = 40;
  char* const* argv = nullptr;  // the bootstrap's
  char* const* envp = nullptr;
  char* bootstrap_stack = nullptr;  // the top of the stack the bootstrap's clone runs on
  // A probe: reads `probe_file` and writes into `probe_dir` as the sandbox user, then exits 0
  // (or execs init without arguments, which exits 0), 1 when it cannot.
  const char* probe_file = nullptr;
  const char* probe_dir = nullptr;
};

// Writes `text` to stderr: the instance's log once the streams are in place.
void child_say(const char* text) {
  [[maybe_unused]] const ssize_t n = ::write(2, text, std::strlen(text));
}

// Ends a child that could not set up: 127 with `why` in the instance's log (a probe: 1, quietly).
[[noreturn]] void child_fail(const ChildPlan& plan, const char* why) {
  if (plan.probe_file == nullptr) child_say(why);
  ::_exit(plan.probe_file == nullptr ? 127 : 1);
}

// Writes `text` to the file at `path` (a /proc control file); false when it cannot.
bool write_text(const char* path, const char* text) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const std::size_t n = std::strlen(text);
  const bool ok = ::write(fd, text, n) == static_cast<ssize_t>(n);
  ::close(fd);
  return ok;
}

// `fd` at 4 or above, where the dup2s to 0-3 below cannot overwrite it.
int lifted(int fd) {
  return fd < 0 || fd > 3 ? fd : ::fcntl(fd, F_DUPFD_CLOEXEC, 4);
}

// Every signal back to its default action (an ignored one would stay ignored across exec).
void default_signals() {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    struct sigaction current {};
    // glibc refuses its own two (32, 33): nothing to do for them.
    if (::sigaction(signal, nullptr, &current) == 0 && current.sa_handler != SIG_DFL)
      ::sigaction(signal, &default_action, nullptr);
  }
}

// Writes `value` in decimal into `out` (at least 12 bytes).
void decimal(char* out, int value) {
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && n < 11);
  while (n > 0) *out++ = digits[--n];
  *out = '\0';
}

// The bootstrap's own clone (PID 2 under lambdeploy-init): a session of its own, then exec.
int bootstrap_main(void* argument) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(argument);
  ::close(3);  // lambdeploy-init's status pipe
  ::setsid();
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  child_fail(plan, errno == EACCES ? "lambdeploy: cannot execute bootstrap: permission denied\n"
                                   : "lambdeploy: cannot execute bootstrap\n");
}

// The child, from clone to exec: streams, namespaces' set-up, the sandbox user, then the
// program. With lambdeploy-init it first starts the bootstrap (exec'd before init is, so that
// init's exec is not on the cold start's path), then becomes init.
int child_main(void* argument) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(argument);
  int init_fd = plan.init_fd;
  int first_closed = 3;
  if (plan.probe_file == nullptr) {
    // The streams first, so that what goes wrong below reaches the instance's log.
    const int null_fd = lifted(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const int out = lifted(plan.stdout_fd);
    const int err = lifted(plan.stderr_fd);
    const int status = lifted(plan.status_fd);
    init_fd = lifted(init_fd);
    if (::dup2(null_fd, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
    if (status >= 0) {
      if (::dup2(status, 3) < 0) ::_exit(127);
      first_closed = 4;
    }
  }
  if (init_fd >= first_closed) {
    if (init_fd > first_closed) ::syscall(SYS_close_range, first_closed, init_fd - 1, 0);
    ::syscall(SYS_close_range, init_fd + 1, ~0U, 0);
  } else {
    ::syscall(SYS_close_range, first_closed, ~0U, 0);
  }

  const Isolation& isolation = plan.isolation;
  if (isolation.user_namespace) {
    write_text("/proc/self/setgroups", "deny");
    if (!write_text("/proc/self/uid_map", plan.uid_map) ||
        !write_text("/proc/self/gid_map", plan.gid_map))
      child_fail(plan, "lambdeploy: cannot map the sandbox user in a user namespace\n");
  }
  if (isolation.mount_namespace) {
    if (!plan.mounts->apply())
      child_fail(plan, "lambdeploy: cannot mount /var/task, /opt and /tmp\n");
    // This namespace's own /proc: the instance's processes and nothing else.
    if (isolation.pid_namespace &&
        ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      child_fail(plan, "lambdeploy: cannot mount /proc\n");
    // The data dir (state, blobs, other instances' /tmp) out of sight: an empty read-only tmpfs
    // over it. Under /tmp or a /var replaced above it is out of sight already.
    if (plan.hidden_dir != nullptr &&
        ::mount("tmpfs", plan.hidden_dir, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                "size=4k,mode=0555") != 0 &&
        errno != ENOENT && errno != ENOTDIR)
      child_fail(plan, "lambdeploy: cannot hide the data directory\n");
  }
  ::setsid();  // a session and process group of its own, away from the endpoint's
  if (plan.workdir != nullptr && ::chdir(plan.workdir) != 0)
    child_fail(plan, "lambdeploy: cannot enter the task root\n");
  if (isolation.sandbox_user && !isolation.user_namespace) {
    // Root: no capability left to gain back (not even through a set-user-ID program), then the
    // sandbox user for good. Raw system calls: glibc's setuid would signal the endpoint's threads.
    for (int capability = 0; capability <= plan.last_capability; ++capability)
      ::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0);
    if (::syscall(SYS_setgroups, 0, nullptr) != 0 ||
        ::syscall(SYS_setresgid, kSandboxGid, kSandboxGid, kSandboxGid) != 0 ||
        ::syscall(SYS_setresuid, kSandboxUid, kSandboxUid, kSandboxUid) != 0)
      child_fail(plan, "lambdeploy: cannot switch to the sandbox user\n");
  }
  // Nothing the function runs gains privileges (set-user-ID programs, file capabilities). Not
  // without a sandbox: real paths as the endpoint's user stay as they always were.
  if (isolation.mount_namespace) ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  if (plan.probe_file != nullptr) {
    if (::access(plan.probe_file, R_OK) != 0 || ::access(plan.probe_dir, W_OK | X_OK) != 0)
      ::_exit(1);
    if (init_fd < 0) ::_exit(0);
    // Whether lambdeploy-init can be run here: without arguments it exits 0.
    char init_name[] = "lambdeploy-init";
    char* init_argv[] = {init_name, nullptr};
    ::syscall(SYS_execveat, init_fd, "", init_argv, plan.envp, AT_EMPTY_PATH);
    ::_exit(1);
  }
  default_signals();
  if (init_fd >= 0) {
    // Until the bootstrap has exec'd, this process waits (CLONE_VFORK); its signals stay
    // blocked for lambdeploy-init, which reads SIGCHLD through a signalfd.
    const pid_t bootstrap =
        ::clone(bootstrap_main, plan.bootstrap_stack, CLONE_VM | CLONE_VFORK | SIGCHLD,
                const_cast<ChildPlan*>(&plan));
    if (bootstrap < 0) child_fail(plan, "lambdeploy: cannot start bootstrap\n");
    char init_name[] = "lambdeploy-init";
    char option[] = "--bootstrap";
    char pid_text[12];
    decimal(pid_text, bootstrap);
    char* init_argv[] = {init_name, option, pid_text, nullptr};
    char* init_envp[] = {nullptr};
    ::syscall(SYS_execveat, init_fd, "", init_argv, init_envp, AT_EMPTY_PATH);
    // No init: this process exits, and the bootstrap with it (PID 1 of its namespace).
    child_fail(plan, "lambdeploy: cannot execute lambdeploy-init\n");
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  child_fail(plan, errno == EACCES ? "lambdeploy: cannot execute bootstrap: permission denied\n"
                                   : "lambdeploy: cannot execute bootstrap\n");
}

// Clones the child of `plan` into its namespaces and returns once it has exec'd or exited.
pid_t clone_child(ChildPlan& plan) {
  int flags = CLONE_VFORK | SIGCHLD;
#if !defined(__SANITIZE_ADDRESS__)
  // posix_spawn's way: no copy of the endpoint's page tables (AddressSanitizer's bookkeeping
  // would not survive a child running in its memory, so its builds copy).
  flags |= CLONE_VM;
#endif
  if (plan.isolation.user_namespace) flags |= CLONE_NEWUSER;
  if (plan.isolation.pid_namespace) flags |= CLONE_NEWPID;
  if (plan.isolation.mount_namespace) flags |= CLONE_NEWNS;
  // Two stacks: the child's (the upper half) and its bootstrap clone's (the lower half).
  constexpr std::size_t kStackBytes = 256ull * 1024;
  void* stack = ::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED)
    throw Error(std::string("cannot start a process: ") + std::strerror(errno));
  plan.bootstrap_stack = static_cast<char*>(stack) + kStackBytes / 2;
  // No handler of the endpoint's may run in the child (it may share this memory).
  sigset_t all, before;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &before);
  const pid_t pid = ::clone(child_main, static_cast<char*>(stack) + kStackBytes, flags, &plan);
  const int error = errno;
  ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
  ::munmap(stack, kStackBytes);
  if (pid < 0) throw Error(std::string("cannot start a process: ") + std::strerror(error));
  return pid;
}

// The directory of the running program.
fs::path program_dir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

// lambdeploy-init, opened O_PATH; -1 when there is none.
int open_init(const fs::path& given) {
  std::vector<fs::path> places;
  if (!given.empty()) {
    places.push_back(given);
  } else {
    places.push_back(program_dir() / "lambdeploy-init");
#ifdef LAMBDEPLOY_INIT_PROGRAM
    places.emplace_back(LAMBDEPLOY_INIT_PROGRAM);
#endif
  }
  for (const auto& place : places) {
    const int fd = ::open(place.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & S_IXOTH) != 0) {
      // Well above the descriptors a child sets up (0-3).
      const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
      ::close(fd);
      return high;
    }
    ::close(fd);
  }
  return -1;
}

// Whether `dir` can be hidden from instances without hiding what they run on: not the root, nor
// a folder holding the system's or the layout's (/usr, /var, /tmp, ...).
bool hideable(const fs::path& dir) {
  for (const char* place : {"/bin", "/dev", "/etc", "/lib", "/lib64", "/opt", "/proc", "/sbin",
                            "/sys", "/tmp", "/usr", "/var/task", "/var/runtime"}) {
    const fs::path used(place);
    auto [d, u] = std::mismatch(dir.begin(), dir.end(), used.begin(), used.end());
    if (d == dir.end()) return false;  // `dir` is `place` or holds it
  }
  return dir.has_relative_path();
}

// Makes `dir` the sandbox user's, when the endpoint is root and drops to it.
void give_to_sandbox_user(const fs::path& dir, const Isolation& isolation) {
  if (!isolation.sandbox_user || isolation.user_namespace) return;
  if (::chown(dir.c_str(), kSandboxUid, kSandboxGid) != 0 || ::chmod(dir.c_str(), 0700) != 0)
    throw Error("cannot give an instance's /tmp to the sandbox user: " +
                std::string(std::strerror(errno)));
}

}  // namespace

std::string Isolation::describe() const {
  std::string spaces;
  for (const auto& [on, name] : {std::pair{user_namespace, "user"}, std::pair{pid_namespace, "pid"},
                                 std::pair{mount_namespace, "mount"}}) {
    if (!on) continue;
    if (!spaces.empty()) spaces += "+";
    spaces += name;
  }
  std::string text = spaces.empty()                          ? std::string("paths")
                     : spaces.find('+') == std::string::npos ? spaces + " namespace"
                                                             : spaces + " namespaces";
  if (sandbox_user) text += ", uid " + std::to_string(kSandboxUid);
  if (pid_namespace && !init) text += ", bootstrap as PID 1";
  return text;
}

Sandbox::Sandbox(const fs::path& data_dir, bool namespaces, const fs::path& init_program)
    : data_dir_(fs::absolute(data_dir).lexically_normal()),
      hidden_dir_(hideable(data_dir_) ? data_dir_.string() : std::string()),
      init_fd_(open_init(init_program)),
      uid_map_(std::to_string(kSandboxUid) + " " + std::to_string(::geteuid()) + " 1\n"),
      gid_map_(std::to_string(kSandboxGid) + " " + std::to_string(::getegid()) + " 1\n") {
  {
    std::ifstream in("/proc/sys/kernel/cap_last_cap");
    int last = 0;
    if (in >> last && last > 0 && last < 64) last_capability_ = last;
  }
  std::vector<Isolation> candidates;
  if (namespaces) {
    const bool root = ::geteuid() == 0;
    candidates.push_back(Isolation{.user_namespace = !root,
                                   .pid_namespace = true,
                                   .mount_namespace = true,
                                   .sandbox_user = true});
    candidates.push_back(
        Isolation{.user_namespace = !root, .mount_namespace = true, .sandbox_user = true});
  }
  if (candidates.empty()) return;  // real paths as the endpoint's user: nothing to probe
  const fs::path scratch = data_dir_ / "instances" / (".probe-" + random_uuid());
  std::error_code ec;
  fs::create_directories(scratch / "task", ec);
  fs::create_directories(scratch / "opt", ec);
  fs::create_directories(scratch / "tmp", ec);
  { std::ofstream(scratch / "task" / "marker") << "x"; }
  // Modes as Lambda wants a package's (world-readable): the probe asks what the kernel allows.
  constexpr auto kReadable = fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read;
  for (const char* dir : {"task", "opt"})
    fs::permissions(scratch / dir, kReadable | fs::perms::group_exec | fs::perms::others_exec, ec);
  fs::permissions(scratch / "task" / "marker", kReadable & ~fs::perms::owner_exec, ec);
  for (const Isolation& candidate : candidates) {
    if (!works(candidate, scratch)) continue;
    isolation_ = candidate;
    break;
  }
  if (isolation_.pid_namespace && init_fd_ >= 0) {
    Isolation with_init = isolation_;
    with_init.init = true;
    isolation_.init = works(with_init, scratch);
  }
  fs::remove_all(scratch, ec);
}

Sandbox::~Sandbox() {
  if (init_fd_ >= 0) ::close(init_fd_);
}

bool Sandbox::works(const Isolation& candidate, const fs::path& scratch) const {
  try {
    give_to_sandbox_user(scratch / "tmp", candidate);
  } catch (const Error&) {
    return false;
  }
  const MountPlan mounts(scratch / "task", scratch / "opt", scratch / "tmp");
  const std::string marker = "/var/task/marker";
  char* argv[] = {nullptr};
  char* envp[] = {nullptr};
  ChildPlan plan;
  plan.isolation = candidate;
  plan.mounts = &mounts;
  plan.uid_map = uid_map_.c_str();
  plan.gid_map = gid_map_.c_str();
  plan.hidden_dir = hidden_dir_.empty() ? nullptr : hidden_dir_.c_str();
  plan.workdir = "/var/task";
  plan.last_capability = last_capability_;
  plan.init_fd = candidate.init ? init_fd_ : -1;
  plan.argv = argv;
  plan.envp = envp;
  plan.probe_file = marker.c_str();
  plan.probe_dir = "/tmp";
  pid_t pid;
  try {
    pid = clone_child(plan);
  } catch (const Error&) {
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void Sandbox::hand_over(const fs::path& tmp_dir) const {
  give_to_sandbox_user(tmp_dir, isolation_);
}

pid_t Sandbox::start(const SandboxCommand& command) const {
  std::vector<std::string> env_strings = command.environment;
  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string program = command.program;
  char* argv[] = {program.data(), nullptr};
  std::optional<MountPlan> mounts;
  if (isolation_.mount_namespace)
    mounts.emplace(command.task_root, command.opt_root, command.tmp_root);

  ChildPlan plan;
  plan.isolation = isolation_;
  plan.mounts = mounts ? &*mounts : nullptr;
  plan.uid_map = uid_map_.c_str();
  plan.gid_map = gid_map_.c_str();
  plan.hidden_dir = hidden_dir_.empty() ? nullptr : hidden_dir_.c_str();
  plan.workdir = command.workdir.c_str();
  plan.stdout_fd = command.stdout_fd;
  plan.stderr_fd = command.stderr_fd;
  plan.status_fd = isolation_.init ? command.status_fd : -1;
  plan.init_fd = isolation_.init ? init_fd_ : -1;
  plan.last_capability = last_capability_;
  plan.argv = argv;
  plan.envp = envp.data();
  return clone_child(plan);
}

}  // namespace ld::local
