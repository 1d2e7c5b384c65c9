// `lambdeploy local ARGS...`: runs `lambdeploy-local local ARGS...`, the endpoint's own program,
// in place of this process (execv: same pid, signals, exit code; --detach and the foreground
// server as before), so that lambdeploy links neither the endpoint nor httplib and SQLite.
// lambdeploy-local is looked for next to this binary, then on PATH.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "commands.hpp"
#include "core/error.hpp"

namespace ld::cli {

namespace {

namespace fs = std::filesystem;

constexpr const char* kProgram = "lambdeploy-local";

bool is_executable(const fs::path& path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

// lambdeploy-local next to the running binary, else the first on PATH; empty when neither has
// one, with `looked` saying where it was looked for.
fs::path find_local_program(std::string& looked) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / kProgram;
    if (is_executable(beside)) return beside;
    looked = "not at " + beside.string();
  } else {
    looked = "not next to lambdeploy (/proc/self/exe: " + ec.message() + ")";
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env != nullptr ? path_env : "";
  looked += path.empty() ? std::string(" and PATH is empty") : " nor on PATH (" + path + ")";
  if (path.empty()) return {};
  std::size_t begin = 0;
  while (begin <= path.size()) {
    std::size_t end = path.find(':', begin);
    if (end == std::string::npos) end = path.size();
    // An empty PATH entry is the current folder, as for execvp.
    const fs::path dir = end == begin ? fs::path(".") : fs::path(path.substr(begin, end - begin));
    if (is_executable(dir / kProgram)) return dir / kProgram;
    begin = end + 1;
  }
  return {};
}

[[noreturn]] void run_local_program(const std::string& argv0,
                                    const std::vector<std::string>& args) {
  std::string looked;
  const fs::path program = find_local_program(looked);
  if (program.empty())
    throw Error(std::string("`lambdeploy local` runs ") + kProgram +
                ", which was not found: " + looked);
  // argv[0] stays lambdeploy's, so that usage lines and messages read `lambdeploy local ...`.
  std::vector<std::string> words{argv0, "local"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  ::execv(program.c_str(), argv.data());
  throw Error("cannot run " + program.string() + ": " + std::strerror(errno));
}

}  // namespace

void add_local_command(CLI::App& app) {
  auto* local = app.add_subcommand("local", "the AWS-compatible endpoint on loopback");
  // Every word after `local` (--help too) is lambdeploy-local's: none is parsed here, and none
  // falls through to the global options.
  local->prefix_command();
  local->fallthrough(false);
  local->set_help_flag();
  local->callback(
      [local] { run_local_program(local->get_parent()->get_name(), local->remaining()); });
}

}  // namespace ld::cli
