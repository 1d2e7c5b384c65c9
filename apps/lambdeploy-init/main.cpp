// lambdeploy-init: PID 1 of a function instance's PID namespace (src/local/sandbox.cpp starts
// the bootstrap as PID 2, then execs this program in PID 1 with `--bootstrap 2`). It reaps every
// process of the namespace (orphans come to PID 1), and when the bootstrap exits writes its wait
// status to fd 3, the endpoint's pipe, and exits: the kernel then kills whatever the instance left
// running. It exits as well when the endpoint goes away (fd 3's reader is closed), with the same
// effect. Without arguments it only exits 0 (the executor's check that it can be run here).
//
// It is exec'd at every cold start, so on x86-64 and AArch64 it is built without the C library
// (system calls made directly, its own _start): a static glibc program spends about 1 ms starting
// on a virtual machine (CPUID probing), this one about 0.1 ms. Elsewhere it is an ordinary program.
#include <poll.h>
#include <signal.h>  // NOLINT(modernize-deprecated-headers): freestanding, no C++ library
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) || defined(__aarch64__)
#define LAMBDEPLOY_INIT_FREESTANDING 1
#else
#include <unistd.h>

#include <cerrno>
#endif

namespace {

constexpr int kStatusFd = 3;

// One system call; a negative result is -errno.
long sys(long number, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0) {
#if defined(__x86_64__)
  long result;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  __asm__ volatile("syscall"
                   : "=a"(result)
                   : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return result;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = number;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  register long x4 __asm__("x4") = e;
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4) : "memory");
  return x0;
#else
  const long result = ::syscall(number, a, b, c, d, e);
  return result < 0 ? -errno : result;
#endif
}

// A pointer as a system call's argument.
long address(const void* p) {
  return static_cast<long>(reinterpret_cast<std::uintptr_t>(p));
}

// strcmp(a, b) == 0, without the C library.
bool same(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) ++a, ++b;
  return *a == *b;
}

// The decimal number `text` starts with (atoi without the C library).
int number(const char* text) {
  int n = 0;
  for (; *text >= '0' && *text <= '9'; ++text) n = n * 10 + (*text - '0');
  return n;
}

// Reaps every child that has exited; true (with its wait status written to fd 3) once the
// bootstrap is one of them.
bool reaped_bootstrap(int bootstrap) {
  int status = 0;
  long pid;
  while ((pid = sys(SYS_wait4, -1, address(&status), WNOHANG, 0)) > 0) {
    if (pid != bootstrap) continue;
    sys(SYS_write, kStatusFd, address(&status), sizeof status);
    return true;
  }
  return false;
}

// The program: argv is {"lambdeploy-init", "--bootstrap", "<pid>"}; returns the exit code.
int run(int argc, char** argv) {
  if (argc < 3 || !same(argv[1], "--bootstrap")) return 0;
  const int bootstrap = number(argv[2]);
  // Not dumpable: the function's processes (the same user) cannot trace or read this one.
  sys(SYS_prctl, PR_SET_DUMPABLE, 0);
  // SIGCHLD is read through a signalfd (it stays blocked); every other signal keeps its default,
  // which the kernel never delivers to a namespace's init from inside it: the function cannot
  // kill this process. (The kernel's sigset is 64 bits.)
  const std::uint64_t child_exits = std::uint64_t{1} << (SIGCHLD - 1);
  sys(SYS_rt_sigprocmask, SIG_SETMASK, address(&child_exits), 0, sizeof child_exits);
  const long exits =
      sys(SYS_signalfd4, -1, address(&child_exits), sizeof child_exits, SFD_CLOEXEC | SFD_NONBLOCK);
  if (exits < 0) return 1;
  while (!reaped_bootstrap(bootstrap)) {
    // POLLERR on the status pipe's write end: nobody reads it any more (the endpoint is gone).
    pollfd watched[2];
    watched[0].fd = static_cast<int>(exits);
    watched[0].events = POLLIN;
    watched[0].revents = 0;
    watched[1].fd = kStatusFd;
    watched[1].events = 0;
    watched[1].revents = 0;
    if (sys(SYS_ppoll, address(watched), 2, 0, 0, 0) < 0) continue;  // EINTR
    if ((watched[1].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return 1;
    signalfd_siginfo info;
    while (sys(SYS_read, exits, address(&info), sizeof info) > 0) {
    }
  }
  return 0;
}

}  // namespace

#if LAMBDEPLOY_INIT_FREESTANDING
// What the compiler may call for copies and zeroing, as no C library provides them here.
extern "C" void* memset(void* to, int value, std::size_t n) {
  auto* p = static_cast<unsigned char*>(to);
  while (n-- > 0) *p++ = static_cast<unsigned char>(value);
  return to;
}
extern "C" void* memcpy(void* to, const void* from, std::size_t n) {
  auto* p = static_cast<unsigned char*>(to);
  const auto* q = static_cast<const unsigned char*>(from);
  while (n-- > 0) *p++ = *q++;
  return to;
}

// Called by _start with the initial stack: argc, then argv.
extern "C" [[noreturn]] void lambdeploy_init_start(long* stack) {
  const int code = run(static_cast<int>(stack[0]), reinterpret_cast<char**>(stack + 1));
  for (;;) sys(SYS_exit_group, code);
}

#if defined(__x86_64__)
__asm__(
    ".text\n.global _start\n_start:\n"
    "  xor %rbp, %rbp\n  mov %rsp, %rdi\n  and $-16, %rsp\n  call lambdeploy_init_start\n  hlt\n");
#elif defined(__aarch64__)
__asm__(
    ".text\n.global _start\n_start:\n"
    "  mov x29, #0\n  mov x30, #0\n  mov x0, sp\n  bl lambdeploy_init_start\n  brk #0\n");
#endif
#else
int main(int argc, char** argv) {
  return run(argc, argv);
}
#endif
