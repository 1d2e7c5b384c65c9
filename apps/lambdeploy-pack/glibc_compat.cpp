// Compiled into a packaged executable (not into lambdeploy-pack) by lambdeploy_package(...
// GLIBC_COMPAT ON): definitions of the two glibc symbols that GCC 12's static libstdc++ and
// libgcc pull in when built on glibc ≥ 2.35, so the bootstrap runs on provided.al2023 (2.34).
// The linker binds the static archives' references to these instead of libc's versioned ones;
// the packager's glibc check still refuses anything newer that is left.
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#if defined(__GLIBC_PREREQ)
#if __GLIBC_PREREQ(2, 36)
// std::random_device's default source (arc4random@GLIBC_2.36), from getrandom (glibc 2.25).
extern "C" std::uint32_t arc4random(void) noexcept {
  std::uint32_t value = 0;
  auto* out = reinterpret_cast<unsigned char*>(&value);
  std::size_t have = 0;
  while (have < sizeof value) {
    const ssize_t n = getrandom(out + have, sizeof value - have, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::abort();  // glibc's arc4random terminates too when the kernel has no entropy
    have += static_cast<std::size_t>(n);
  }
  return value;
}
#endif

#if __GLIBC_PREREQ(2, 35)
namespace {

// What one dl_iterate_phdr step is looking for, and what it found.
struct ObjectSearch {
  std::uintptr_t pc;
  dl_find_object* result;
  bool found;
};

int find_object_of_pc(dl_phdr_info* info, std::size_t, void* data) {
  auto* search = static_cast<ObjectSearch*>(data);
  bool contains = false;
  std::uintptr_t start = UINTPTR_MAX, end = 0;
  void* eh_frame = nullptr;
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    const std::uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      if (search->pc >= begin && search->pc < begin + ph.p_memsz) contains = true;
      if (begin < start) start = begin;
      if (begin + ph.p_memsz > end) end = begin + ph.p_memsz;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh_frame = reinterpret_cast<void*>(begin);
    }
  }
  if (!contains) return 0;
  search->result->dlfo_flags = 0;
  search->result->dlfo_map_start = reinterpret_cast<void*>(start);
  search->result->dlfo_map_end = reinterpret_cast<void*>(end);
  search->result->dlfo_link_map = nullptr;
  search->result->dlfo_eh_frame = eh_frame;
  search->found = true;
  return 1;
}

}  // namespace

// The unwinder's lookup of the object holding a code address (_dl_find_object@GLIBC_2.35),
// answered with dl_iterate_phdr as libgcc did before glibc 2.35.
extern "C" int _dl_find_object(void* pc, dl_find_object* result) noexcept {
  ObjectSearch search{reinterpret_cast<std::uintptr_t>(pc), result, false};
  dl_iterate_phdr(find_object_of_pc, &search);
  return search.found ? 0 : -1;
}
#endif
#endif
