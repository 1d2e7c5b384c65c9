// The packaged service as Lambda runs it: bootstrap and layer extracted from dist/ zips (modes
// from the zip), LD_LIBRARY_PATH holding only the layer's lib, talking to a Runtime API served
// here. Needs `cmake --build … --target package-github-digest` first (skipped otherwise); the
// zip can be named with LAMBDEPLOY_BOOTSTRAP_ZIP (and LAMBDEPLOY_DEPS_ZIP).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>

#include "deploy/package/closure.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_entries.hpp"

extern char** environ;

namespace ld::deploy {
namespace {
namespace fs = std::filesystem;

fs::path dist_zip(const char* variable, const std::string& name) {
  if (const char* value = std::getenv(variable)) return value;
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "dist" / name;
}

// Extracts every entry under `into`, giving each file the mode its Unix attributes carry.
void extract(const fs::path& zip_path, const fs::path& into) {
  for (const auto& [name, entry] : test::read_zip(zip_path)) {
    const fs::path out = into / name;
    fs::create_directories(out.parent_path());
    std::ofstream(out, std::ios::binary)
        .write(entry.first.data(), static_cast<std::streamsize>(entry.first.size()));
    ::chmod(out.c_str(), entry.second);
  }
}

std::string run_and_read(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  std::string out;
  char buffer[4096];
  while (pipe && std::fgets(buffer, sizeof buffer, pipe.get())) out += buffer;
  return out;
}

const char* kEvent = R"({"version":"2.0","routeKey":"$default","rawPath":"/info/version",
"rawQueryString":"","headers":{"x-api-key":"secret","host":"example.lambda-url.localhost"},
"requestContext":{"accountId":"123456789012","apiId":"example","domainName":"example.lambda-url.localhost",
"http":{"method":"GET","path":"/info/version","protocol":"HTTP/1.1","sourceIp":"127.0.0.1",
"userAgent":"test"},"requestId":"r-1","routeKey":"$default","stage":"$default",
"time":"27/Nov/2026:10:00:00 +0000","timeEpoch":1795773600000},"isBase64Encoded":false})";

TEST(PackagedBootstrap, RunsFromTheZipsWithOnlyTheLayerOnTheLibraryPath) {
  const fs::path code_zip = dist_zip("LAMBDEPLOY_BOOTSTRAP_ZIP", "github-digest.zip");
  const fs::path deps_zip = dist_zip("LAMBDEPLOY_DEPS_ZIP", "github-digest-deps.zip");
  if (!fs::exists(code_zip))
    GTEST_SKIP() << code_zip << " not built (target package-github-digest)";
  test::TempDir dir("lambda");
  const fs::path task = dir.path() / "var" / "task";
  const fs::path opt = dir.path() / "opt";
  extract(code_zip, task);
  fs::create_directories(opt / "lib");
  if (fs::exists(deps_zip)) extract(deps_zip, opt);  // none when the bootstrap needs only glibc
  const fs::path bootstrap = task / "bootstrap";
  ASSERT_TRUE(fs::exists(bootstrap));
  EXPECT_EQ(fs::status(bootstrap).permissions() & fs::perms::owner_exec, fs::perms::owner_exec);

  // Every library ldd resolves is either glibc's or inside the package.
  const std::string ldd = run_and_read("env -i LD_LIBRARY_PATH='" + (opt / "lib").string() +
                                       "' ldd '" + bootstrap.string() + "' 2>&1");
  std::size_t start = 0;
  while (start < ldd.size()) {
    const std::size_t end = ldd.find('\n', start);
    const std::string line = ldd.substr(start, end - start);
    start = end == std::string::npos ? ldd.size() : end + 1;
    const auto arrow = line.find(" => ");
    if (arrow == std::string::npos) continue;
    std::string name = line.substr(0, arrow);
    name.erase(0, name.find_first_not_of(" \t"));
    if (is_runtime_library(name)) continue;
    EXPECT_NE(line.find((opt / "lib").string()), std::string::npos)
        << "resolved outside the package: " << line;
  }
  EXPECT_EQ(ldd.find("not found"), std::string::npos) << ldd;

  test::LoopbackServer runtime_api;
  runtime_api.script({test::Step::respond(200, kEvent,
                                          {{"Content-Type", "application/json"},
                                           {"Lambda-Runtime-Aws-Request-Id", "req-1"},
                                           {"Lambda-Runtime-Deadline-Ms", "9999999999999"},
                                           {"Lambda-Runtime-Invoked-Function-Arn",
                                            "arn:aws:lambda:us-east-1:123456789012:function:gd"}}),
                      test::Step::respond(202, R"({"status":"OK"})"), test::Step::hang()});
  const std::string api = "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(runtime_api.port());
  const std::string library_path = "LD_LIBRARY_PATH=" + (opt / "lib").string();
  const std::string task_root = "LAMBDA_TASK_ROOT=" + task.string();
  std::vector<std::string> env = {api,
                                  library_path,
                                  task_root,
                                  "_HANDLER=bootstrap",
                                  "AWS_REGION=us-east-1",
                                  "AWS_LAMBDA_FUNCTION_NAME=gd",
                                  "FAST_API__AUTH__API_KEY__NAME=x-api-key",
                                  "FAST_API__AUTH__API_KEY__VALUE=secret"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = bootstrap.string();
  char* argv[] = {path.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, envp.data()), 0);

  const bool answered = runtime_api.wait_for_requests(2, std::chrono::seconds(10));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(answered) << "the bootstrap did not answer its invocation";
  const auto requests = runtime_api.requests();
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(requests[1].method, "POST");
  EXPECT_EQ(requests[1].path, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_NE(requests[1].body.find("\"statusCode\":200"), std::string::npos) << requests[1].body;
  EXPECT_NE(requests[1].body.find("version"), std::string::npos) << requests[1].body;
}

}  // namespace
}  // namespace ld::deploy
