#pragma once
// Running a program to its end and collecting what it printed (credential_process, the CMake
// build of a package, git).
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ld {

// What a finished program left behind.
struct ProcessOutcome {
  int wait_status = 0;  // as waitpid gives it
  std::string out, err;
  // The exit code, or -1 when a signal ended it.
  int exit_code() const;
  // "exit status 2" or "signal 9".
  std::string ended() const;
};

// Runs `argv` (argv[0] looked up in PATH) in `cwd` (empty: this process's folder) with this
// process's environment changed by `env` (a value sets the variable, nullopt removes it), and
// waits for it. Throws ld::Error when it cannot be started.
using EnvChanges = std::map<std::string, std::optional<std::string>>;
ProcessOutcome run_process(const std::vector<std::string>& argv,
                           const std::filesystem::path& cwd = {}, const EnvChanges& env = {});

}  // namespace ld
