#pragma once
// Resident memory of the processes an instance runs, read from /proc: what Lambda's MemorySize
// limits and REPORT's Max Memory Used says.
#include <sys/types.h>

namespace ld::local {

// Resident memory of one process in KB from /proc/<pid>/statm, kept open in `fd` (opened on first
// use, -1 before; the caller closes it): one pread per sample. 0 once the process is gone.
int process_rss_kb(pid_t pid, int& fd);

// The same from the statm file at `path` (opened into `fd` on first use; a failed open is tried
// again at the next call).
int statm_rss_kb(const char* path, int& fd);

// Resident memory in KB of every process of the PID namespace whose first process is `first`
// (as the namespace's own /proc shows them, through /proc/<first>/root/proc), summed; the first
// process left out when `without_first` (lambdeploy-init, the endpoint's, not the function's).
// setsid or daemonised children count: nothing leaves a PID namespace. Thread-safe.
int namespace_rss_kb(pid_t first, bool without_first);

// Resident memory in KB of a process group, summed over its processes (Lambda's limit bounds the
// whole sandbox, a runtime's workers too). One scan of /proc serves every group asked for within
// 10 ms of it. Thread-safe.
int process_group_rss_kb(pid_t group);

}  // namespace ld::local
