// ProcessProvider: a profile's credential_process command, run through /bin/sh.
#include "aws/credentials_chain.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "aws/credentials_detail.hpp"
#include "core/strings.hpp"

extern char** environ;

namespace ld::aws {

using namespace detail;

namespace {

// What a finished command left behind.
struct ProcessOutcome {
  int wait_status = 0;
  std::string out, err;
};

ProcessOutcome run_shell(const std::string& command) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    throw CredentialsError(std::string("cannot create a pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw CredentialsError(std::string("cannot create a pipe: ") + std::strerror(saved));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::string a0 = "sh", a1 = "-c", a2 = command;
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw CredentialsError("cannot start /bin/sh: " + std::string(std::strerror(rc)));
  }
  ProcessOutcome outcome;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&outcome.out, &outcome.err};
  int open_count = 2;
  char buffer[4096];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  while (waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

}  // namespace

// ---- ProcessProvider ----

ProcessProvider::ProcessProvider(std::string command, std::string origin)
    : command_(std::move(command)), origin_(std::move(origin)) {}

Credentials ProcessProvider::credentials() {
  std::string what = "credential_process of " + origin_ + " (`" + command_ + "`)";
  ProcessOutcome outcome = run_shell(command_);
  std::string stderr_note =
      trim(outcome.err).empty() ? std::string() : "; it said: " + excerpt(outcome.err, 2000);
  if (WIFSIGNALED(outcome.wait_status))
    throw CredentialsError(what + " was killed by signal " +
                           std::to_string(WTERMSIG(outcome.wait_status)) + stderr_note);
  int status = WIFEXITED(outcome.wait_status) ? WEXITSTATUS(outcome.wait_status) : -1;
  if (status != 0)
    throw CredentialsError(what + " failed with exit status " + std::to_string(status) +
                           stderr_note);
  json doc = json::parse(outcome.out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw CredentialsError(what + " printed something that is not a JSON object: " +
                           in_quotes(excerpt(outcome.out, 200)) + stderr_note);
  auto version = doc.find("Version");
  if (version == doc.end()) throw CredentialsError(what + " printed JSON without \"Version\": 1");
  if (!version->is_number_integer() || version->get<long long>() != 1)
    throw CredentialsError(what + " printed Version " + version->dump() +
                           "; only Version 1 is supported");
  Credentials c = credentials_from_json(doc, "SessionToken", what);
  c.source = "credential_process (" + origin_ + ")";
  return c;
}

}  // namespace ld::aws
