#include "deploy/package/closure.hpp"

#include <glob.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <set>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::deploy {
namespace fs = std::filesystem;
namespace {

void read_ld_so_conf(const fs::path& file, std::vector<fs::path>& dirs, int depth) {
  std::ifstream in(file);
  if (!in || depth > 8) return;
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::string text(trim(line));
    if (text.empty()) continue;
    if (text.starts_with("include") && text.size() > 7 && (text[7] == ' ' || text[7] == '\t')) {
      std::string pattern(trim(std::string_view(text).substr(8)));
      if (!pattern.starts_with("/")) pattern = (file.parent_path() / pattern).string();
      glob_t matches{};
      if (glob(pattern.c_str(), 0, nullptr, &matches) == 0)
        for (std::size_t i = 0; i < matches.gl_pathc; ++i)
          read_ld_so_conf(matches.gl_pathv[i], dirs, depth + 1);
      globfree(&matches);
    } else if (text.starts_with("/")) {
      dirs.emplace_back(text);
    }
  }
}

std::string expand_origin(std::string dir, const fs::path& object) {
  const std::string origin = object.parent_path().string();
  for (const std::string token : {"${ORIGIN}", "$ORIGIN"})
    for (auto at = dir.find(token); at != std::string::npos; at = dir.find(token, at))
      dir.replace(at, token.size(), origin);
  return dir;
}

// One step of the walk: a library name to find, and the object that asked for it.
struct Request {
  std::string name;
  fs::path requester;
  std::vector<std::string> inherited_rpath;  // DT_RPATH of the objects that loaded the requester
};

class Resolver {
 public:
  Resolver(const ElfImage& root, const LibrarySearch& search)
      : machine_(root.machine()),
        extra_(search.extra_dirs),
        system_(search.system_dirs.empty() ? system_library_dirs() : search.system_dirs) {}

  // The path the loader would pick for `name` needed by `object`, or empty when none fits.
  fs::path find(const std::string& name, const ElfImage& object,
                const std::vector<std::string>& inherited_rpath) {
    if (name.find('/') != std::string::npos) return fits(name) ? fs::path(name) : fs::path();
    std::vector<fs::path> dirs;
    if (object.runpath().empty()) {
      for (const auto& d : object.rpath()) dirs.emplace_back(expand_origin(d, object.path()));
      for (const auto& d : inherited_rpath) dirs.emplace_back(d);
    }
    dirs.insert(dirs.end(), extra_.begin(), extra_.end());
    for (const auto& d : object.runpath()) dirs.emplace_back(expand_origin(d, object.path()));
    dirs.insert(dirs.end(), system_.begin(), system_.end());
    for (const auto& dir : dirs) {
      fs::path candidate = dir / name;
      if (fits(candidate)) return candidate;
    }
    return {};
  }

 private:
  // An existing ELF64 file for the same machine as the root binary (skips i386 and the like).
  bool fits(const fs::path& candidate) {
    std::error_code ec;
    if (!fs::is_regular_file(candidate, ec)) return false;
    auto known = fits_.find(candidate);
    if (known != fits_.end()) return known->second;
    const bool ok = ElfImage::machine_of(candidate) == machine_;
    fits_[candidate] = ok;
    return ok;
  }

  std::uint16_t machine_;
  std::vector<fs::path> extra_;
  std::vector<fs::path> system_;
  std::map<fs::path, bool> fits_;
};

}  // namespace

std::vector<fs::path> system_library_dirs() {
  std::vector<fs::path> dirs;
  read_ld_so_conf("/etc/ld.so.conf", dirs, 0);
  for (const char* d : {"/lib64", "/usr/lib64", "/lib", "/usr/lib"}) dirs.emplace_back(d);
  std::vector<fs::path> unique;
  for (auto& d : dirs)
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  return unique;
}

bool is_runtime_library(const std::string& soname) {
  static const std::set<std::string> glibc = {
      "libc.so.6",       "libm.so.6",         "libpthread.so.0",      "libdl.so.2",
      "librt.so.1",      "libresolv.so.2",    "libutil.so.1",         "libanl.so.1",
      "libmvec.so.1",    "libthread_db.so.1", "libBrokenLocale.so.1", "libc_malloc_debug.so.0",
      "linux-vdso.so.1", "linux-gate.so.1"};
  const std::string base = fs::path(soname).filename().string();
  return glibc.count(base) > 0 || base.starts_with("ld-linux") || base.starts_with("libnss_");
}

bool should_be_static(const std::string& soname) {
  return soname.starts_with("libstdc++.so") || soname.starts_with("libgcc_s.so");
}

Closure closure_of(const fs::path& binary, const LibrarySearch& search) {
  const ElfImage root = ElfImage::load(binary);
  Resolver resolver(root, search);
  Closure closure;
  std::set<std::string> seen;
  std::vector<std::string> missing;
  std::deque<std::pair<ElfImage, std::vector<std::string>>> queue;
  queue.emplace_back(root, std::vector<std::string>{});

  while (!queue.empty()) {
    auto [object, inherited] = std::move(queue.front());
    queue.pop_front();
    std::vector<std::string> rpath_for_children = inherited;
    if (object.runpath().empty())
      for (const auto& d : object.rpath())
        rpath_for_children.push_back(expand_origin(d, object.path()));

    for (const auto& name : object.needed()) {
      if (!seen.insert(name).second) continue;
      if (is_runtime_library(name)) {
        closure.runtime_libraries.push_back(name);
        continue;
      }
      const fs::path found = resolver.find(name, object, inherited);
      if (found.empty()) {
        missing.push_back(name + " (needed by " + object.path().string() + ")");
        continue;
      }
      const fs::path real = fs::canonical(found);
      const std::string soname = fs::path(name).filename().string();
      closure.libraries.push_back({soname, real, object.path().string()});
      if (should_be_static(soname)) closure.flagged.push_back(soname);
      queue.emplace_back(ElfImage::load(found), rpath_for_children);
    }
  }
  if (!missing.empty()) {
    std::string text = binary.string() + ": shared libraries not found:";
    for (const auto& m : missing) text += "\n  " + m;
    throw Error(text);
  }
  auto by_name = [](const auto& a, const auto& b) { return a.soname < b.soname; };
  std::sort(closure.libraries.begin(), closure.libraries.end(), by_name);
  std::sort(closure.flagged.begin(), closure.flagged.end());
  std::sort(closure.runtime_libraries.begin(), closure.runtime_libraries.end());
  return closure;
}

}  // namespace ld::deploy
