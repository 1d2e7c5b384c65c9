#pragma once
// Resident memory of the processes an instance runs, read from /proc: what Lambda's MemorySize
// limits and REPORT's Max Memory Used says.
#include <sys/types.h>

namespace ld::local {

// Resident memory of one process in KB from /proc/<pid>/statm, kept open in `fd` (opened on first
// use, -1 before; the caller closes it): one pread per sample. 0 once the process is gone.
int process_rss_kb(pid_t pid, int& fd);

// Resident memory in KB of a process group, summed over its processes (Lambda's limit bounds the
// whole sandbox, a runtime's workers too). One scan of /proc serves every group asked for within
// 10 ms of it. Thread-safe.
int process_group_rss_kb(pid_t group);

}  // namespace ld::local
