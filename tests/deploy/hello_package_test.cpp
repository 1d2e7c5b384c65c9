// The template service examples/hello as it is packaged and as Lambda runs it: dist/hello.zip
// holds the bootstrap and its version, dist/hello-deps.zip the layer with libz.so.1, and the
// bootstrap, extracted from the zips with only the layer's lib on LD_LIBRARY_PATH, answers
// Function URL events from a Runtime API served here, API key and all. Needs the build's
// package-hello (part of `all`; skipped when the zips are missing, as in a sanitizer build).
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/http_event.hpp"
#include "support/loopback_server.hpp"
#include "support/temp_dir.hpp"
#include "support/zip_entries.hpp"

namespace ld::deploy {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kRoot = fs::path(__FILE__).parent_path().parent_path().parent_path();
const fs::path kCodeZip = kRoot / "dist" / "hello.zip";
const fs::path kDepsZip = kRoot / "dist" / "hello-deps.zip";
constexpr const char* kKey = "hello-secret";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// examples/hello/version's first line: what the bootstrap was built with.
std::string expected_version() {
  std::string text = slurp(kRoot / "examples" / "hello" / "version");
  return text.substr(0, text.find('\n'));
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

// A Function URL event (payload 2.0) for GET `path`, with the API key or without it.
std::string event(const std::string& path, bool with_key) {
  web::Request request;
  request.method = "GET";
  request.path = request.raw_path = path;
  request.headers.add("host", "hello.lambda-url.us-east-1.localhost");
  if (with_key) request.headers.add("x-api-key", kKey);
  request.source_ip = "127.0.0.1";
  return runtime::event_from_request(request).dump();
}

// One GET /next answer carrying `payload` as invocation `id`.
test::Step invocation(const std::string& id, std::string payload) {
  return test::Step::respond(200, std::move(payload),
                             {{"Content-Type", "application/json"},
                              {"Lambda-Runtime-Aws-Request-Id", id},
                              {"Lambda-Runtime-Deadline-Ms", "9999999999999"},
                              {"Lambda-Runtime-Invoked-Function-Arn",
                               "arn:aws:lambda:us-east-1:123456789012:function:hello"}});
}

TEST(HelloPackage, CodeZipHoldsTheBootstrapAndVersion) {
  if (!fs::exists(kCodeZip)) GTEST_SKIP() << kCodeZip << " not built (target package-hello)";
  const auto code = test::read_zip(kCodeZip);
  ASSERT_EQ(code.size(), 2u);
  ASSERT_TRUE(code.count("bootstrap"));
  EXPECT_EQ(code.at("bootstrap").first.substr(0, 4),
            "\x7f"
            "ELF");
  EXPECT_EQ(code.at("bootstrap").second, 0755u);
  ASSERT_TRUE(code.count("version"));
  EXPECT_EQ(code.at("version").first, expected_version() + "\n");
  EXPECT_EQ(code.at("version").second, 0644u);
}

TEST(HelloPackage, LayerHoldsLibzAndNothingElse) {
  if (!fs::exists(kCodeZip)) GTEST_SKIP() << kCodeZip << " not built (target package-hello)";
  ASSERT_TRUE(fs::exists(kDepsZip)) << "hello links libz.so.1, so it needs a layer";
  const auto layer = test::read_zip(kDepsZip);
  ASSERT_EQ(layer.size(), 1u);
  ASSERT_TRUE(layer.count("lib/libz.so.1"));
  EXPECT_EQ(layer.at("lib/libz.so.1").second, 0755u);
  EXPECT_EQ(layer.at("lib/libz.so.1").first.substr(0, 4),
            "\x7f"
            "ELF");
}

TEST(HelloPackage, BootstrapAnswersFromTheZipsWithTheKeyAnd401WithoutIt) {
  if (!fs::exists(kCodeZip)) GTEST_SKIP() << kCodeZip << " not built (target package-hello)";
  test::TempDir dir("hello-lambda");
  const fs::path task = dir.path() / "var" / "task";
  const fs::path opt = dir.path() / "opt";
  extract(kCodeZip, task);
  extract(kDepsZip, opt);
  const fs::path bootstrap = task / "bootstrap";

  // libz.so.1 resolves inside the layer; everything else ldd lists is glibc's.
  const std::string ldd = run_and_read("env -i LD_LIBRARY_PATH='" + (opt / "lib").string() +
                                       "' ldd '" + bootstrap.string() + "' 2>&1");
  EXPECT_NE(ldd.find("libz.so.1 => " + (opt / "lib" / "libz.so.1").string()), std::string::npos)
      << ldd;
  EXPECT_EQ(ldd.find("not found"), std::string::npos) << ldd;
  EXPECT_EQ(ldd.find("libstdc++"), std::string::npos) << ldd;
  EXPECT_EQ(ldd.find("libfmt"), std::string::npos) << ldd;

  test::LoopbackServer runtime_api;
  runtime_api.script({invocation("req-1", event("/info/version", true)),
                      test::Step::respond(202, R"({"status":"OK"})"),
                      invocation("req-2", event("/info/version", false)),
                      test::Step::respond(202, R"({"status":"OK"})"),
                      invocation("req-3", event("/", true)),
                      test::Step::respond(202, R"({"status":"OK"})"), test::Step::hang()});
  std::vector<std::string> env = {
      "AWS_LAMBDA_RUNTIME_API=127.0.0.1:" + std::to_string(runtime_api.port()),
      "LD_LIBRARY_PATH=" + (opt / "lib").string(),
      "LAMBDA_TASK_ROOT=" + task.string(),
      "_HANDLER=bootstrap",
      "AWS_REGION=us-east-1",
      "AWS_LAMBDA_FUNCTION_NAME=hello",
      "STAGE=dev",
      "FAST_API__AUTH__API_KEY__NAME=x-api-key",
      std::string("FAST_API__AUTH__API_KEY__VALUE=") + kKey};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string path = bootstrap.string();
  char* argv[] = {path.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(::posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv, envp.data()), 0);
  const bool answered = runtime_api.wait_for_requests(6, std::chrono::seconds(10));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(answered) << "the bootstrap did not answer its three invocations";

  const auto requests = runtime_api.requests();
  const auto result = [&](std::size_t i, const std::string& id) {
    EXPECT_EQ(requests[i].method, "POST");
    EXPECT_EQ(requests[i].path, "/2018-06-01/runtime/invocation/" + id + "/response");
    return json::parse(requests[i].body);
  };
  const json with_key = result(1, "req-1");
  EXPECT_EQ(with_key["statusCode"], 200) << with_key;
  EXPECT_EQ(json::parse(with_key["body"].get<std::string>()),
            (json{{"version", expected_version()}}));

  const json without_key = result(3, "req-2");
  EXPECT_EQ(without_key["statusCode"], 401) << without_key;
  const json refusal = json::parse(without_key["body"].get<std::string>());
  EXPECT_EQ(refusal["status"], "error") << refusal;
  EXPECT_EQ(refusal["message"],
            "Client API key is missing, you need to set it on a header or cookie");

  const json hello = result(5, "req-3");
  EXPECT_EQ(hello["statusCode"], 200) << hello;
  const json greeting = json::parse(hello["body"].get<std::string>());
  EXPECT_EQ(greeting["message"], "hello");
  EXPECT_EQ(greeting["stage"], "dev");
  EXPECT_TRUE(greeting["zlib"].is_string() && !greeting["zlib"].get<std::string>().empty())
      << greeting;
}

}  // namespace
}  // namespace ld::deploy
