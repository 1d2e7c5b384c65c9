// Cold start of the packaged bootstrap: from spawning the process to its first
// `GET /2018-06-01/runtime/invocation/next` arriving at a Runtime API on loopback (the moment
// Lambda can hand it an event). BOOTSTRAP names the binary (bench/run extracts
// dist/github-digest.zip and points it at the extracted `bootstrap`).
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace {

// A listening socket on 127.0.0.1 with an ephemeral port.
struct Listener {
  int fd = -1;
  int port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~Listener() { ::close(fd); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
};

// Reads from `fd` until the request head is complete; false on EOF or after 2 s.
bool read_head(int fd, std::string& head) {
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 2000) <= 0) return false;
    ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
    if (got <= 0) return false;
    head.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

void BM_SpawnToFirstNext(benchmark::State& state) {
  const char* bootstrap = std::getenv("BOOTSTRAP");
  if (bootstrap == nullptr) {
    state.SkipWithError("BOOTSTRAP is not set (the extracted package's bootstrap)");
    return;
  }
  Listener listener;
  const std::string api = "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(listener.port);
  // Lambda's environment for a provided.al2023 function, as far as the bootstrap reads it.
  std::vector<std::string> env_text = {api,
                                       "_HANDLER=bootstrap",
                                       "AWS_REGION=us-east-1",
                                       "AWS_LAMBDA_FUNCTION_NAME=github-digest",
                                       "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512",
                                       "FAST_API__AUTH__API_KEY__NAME=x-api-key",
                                       "FAST_API__AUTH__API_KEY__VALUE=bench-key",
                                       "LD_LIBRARY_PATH=/nonexistent",
                                       "PATH=/usr/bin:/bin"};
  std::vector<char*> envp;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string program = bootstrap;
  char* argv[] = {program.data(), nullptr};

  for (auto _ : state) {
    auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    if (::posix_spawn(&pid, bootstrap, nullptr, nullptr, argv, envp.data()) != 0) {
      state.SkipWithError("cannot spawn BOOTSTRAP");
      return;
    }
    int conn = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC);
    std::string head;
    bool ok = conn >= 0 && read_head(conn, head);
    auto end = std::chrono::steady_clock::now();
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    if (conn >= 0) ::close(conn);
    if (!ok || !head.starts_with("GET /2018-06-01/runtime/invocation/next ")) {
      state.SkipWithError("the bootstrap did not ask for an invocation");
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(end - start).count());
  }
}
BENCHMARK(BM_SpawnToFirstNext)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(50)
    ->Repetitions(5)
    ->ComputeStatistics("median", [](const std::vector<double>& v) {
      std::vector<double> s = v;
      std::nth_element(s.begin(), s.begin() + static_cast<long>(s.size() / 2), s.end());
      return s[s.size() / 2];
    });

}  // namespace
