#include "local/process_memory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>

namespace ld::local {

namespace fs = std::filesystem;

namespace {

long page_kb() {
  static const long kb = std::max(1L, ::sysconf(_SC_PAGESIZE) / 1024);
  return kb;
}

}  // namespace

// One pread of statm per sample: reading `status` cost an open, reads and a close.
int process_rss_kb(pid_t pid, int& fd) {
  if (fd >= 0) return statm_rss_kb(nullptr, fd);
  return statm_rss_kb(("/proc/" + std::to_string(pid) + "/statm").c_str(), fd);
}

int statm_rss_kb(const char* path, int& fd) {
  if (fd < 0 && path != nullptr) fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[128];
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  if (n <= 0) return 0;  // the process is gone
  text[n] = '\0';
  long size_pages = 0, resident_pages = 0;
  if (std::sscanf(text, "%ld %ld", &size_pages, &resident_pages) != 2) return 0;
  return static_cast<int>(resident_pages * page_kb());
}

int namespace_rss_kb(pid_t first, bool without_first) {
  const std::string proc = "/proc/" + std::to_string(first) + "/root/proc/";
  DIR* dir = ::opendir(proc.c_str());
  if (dir == nullptr) return 0;  // gone
  long total = 0;
  std::string path = proc;
  while (const dirent* entry = ::readdir(dir)) {
    const char* name = entry->d_name;
    if (name[0] < '1' || name[0] > '9' || std::strspn(name, "0123456789") != std::strlen(name))
      continue;
    if (without_first && std::strcmp(name, "1") == 0) continue;
    path.resize(proc.size());
    path += name;
    path += "/statm";
    int fd = -1;
    total += statm_rss_kb(path.c_str(), fd);
    if (fd >= 0) ::close(fd);
  }
  ::closedir(dir);
  return static_cast<int>(total);
}

int process_group_rss_kb(pid_t group) {
  static std::mutex m;
  static std::chrono::steady_clock::time_point scanned{};
  static std::map<pid_t, long> by_group;
  std::lock_guard lock(m);
  if (std::chrono::steady_clock::now() - scanned > std::chrono::milliseconds(10)) {
    by_group.clear();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream in(entry.path() / "stat");
      std::string stat;
      std::getline(in, stat);
      // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
      // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss
      const auto paren = stat.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream fields(stat.substr(paren + 1));
      std::string state;
      long ppid = 0, pgrp = 0, skip = 0, rss_pages = 0;
      fields >> state >> ppid >> pgrp;
      for (int i = 0; i < 18 && fields; ++i) fields >> skip;
      fields >> rss_pages;
      if (fields) by_group[static_cast<pid_t>(pgrp)] += rss_pages * page_kb();
    }
    scanned = std::chrono::steady_clock::now();
  }
  auto it = by_group.find(group);
  return it == by_group.end() ? 0 : static_cast<int>(it->second);
}

}  // namespace ld::local
