// The process executor with real bootstraps: shell scripts talking to their Runtime API with
// curl (as AWS's custom-runtime tutorial does) and the packaged GitHub Digest bootstrap.
#include "local/process_executor.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "deploy/package/zip_writer.hpp"
#include "local/api_call.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Records every log event by stream.
class RecordingLogSink : public LogSink {
 public:
  void append(const std::string& group, const std::string& stream,
              std::vector<LogEvent> events) override {
    std::lock_guard lock(m_);
    for (auto& e : events) {
      groups_[stream] = group;
      sizes_[stream].push_back(e.message.size());
      streams_[stream] += e.message;
    }
  }
  // The size of each event of a stream, in order.
  std::vector<std::size_t> event_sizes(const std::string& stream) const {
    std::lock_guard lock(m_);
    auto it = sizes_.find(stream);
    return it == sizes_.end() ? std::vector<std::size_t>{} : it->second;
  }
  // The stream holding `needle`, or "" when none does yet.
  std::string stream_with(const std::string& needle) const {
    std::lock_guard lock(m_);
    for (const auto& [name, text] : streams_)
      if (text.find(needle) != std::string::npos) return name;
    return {};
  }
  std::string text(const std::string& stream) const {
    std::lock_guard lock(m_);
    auto it = streams_.find(stream);
    return it == streams_.end() ? "" : it->second;
  }
  std::string group(const std::string& stream) const {
    std::lock_guard lock(m_);
    return groups_.at(stream);
  }
  bool wait_for(const std::string& needle, std::chrono::milliseconds limit) const {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (!stream_with(needle).empty()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

 private:
  mutable std::mutex m_;
  std::map<std::string, std::string> streams_, groups_;
  std::map<std::string, std::vector<std::size_t>> sizes_;
};

// Records every metric datum.
class RecordingMetricSink : public MetricSink {
 public:
  void put(std::vector<MetricDatum> data) override {
    std::lock_guard lock(m_);
    for (auto& d : data) data_.push_back(std::move(d));
  }
  std::vector<MetricDatum> named(const std::string& name) const {
    std::lock_guard lock(m_);
    std::vector<MetricDatum> out;
    for (const auto& d : data_)
      if (d.name == name) out.push_back(d);
    return out;
  }

 private:
  mutable std::mutex m_;
  std::vector<MetricDatum> data_;
};

const std::string kEcho = test::tutorial_bootstrap("echo \"init $AWS_LAMBDA_FUNCTION_NAME\"",
                                                   R"SH(  respond "$EVENT")SH");

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorOptions options() {
    ExecutorOptions o;
    o.data_dir = dir_.path() / "data";
    o.idle_timeout = 30s;
    return o;
  }
  std::unique_ptr<Executor> executor(ExecutorOptions o) {
    return make_process_executor(std::move(o), logs_, metrics_);
  }
  std::unique_ptr<Executor> executor() { return executor(options()); }

  // A function whose zip holds `bootstrap` (and any extra files).
  FunctionImage image(const std::string& name, const std::string& bootstrap,
                      std::vector<deploy::ZipEntry> extra = {}) {
    extra.push_back({"bootstrap", bootstrap, true});
    auto facts = deploy::write_deterministic_zip(dir_.path() / "zips" / (name + ".zip"), extra);
    FunctionImage img;
    img.function_name = name;
    img.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:" + name;
    img.code_sha256 = facts.sha256_hex;
    img.config_revision = "r1";
    img.code_zip = facts.path;
    img.log_group = "/aws/lambda/" + name;
    return img;
  }

  InvokeRequest request(const FunctionImage& img, std::string payload = R"({"hello":"world"})") {
    InvokeRequest r;
    r.image = img;
    r.payload = std::move(payload);
    r.tail_log = true;
    return r;
  }

  test::TempDir dir_{"executor"};
  std::shared_ptr<RecordingLogSink> logs_ = std::make_shared<RecordingLogSink>();
  std::shared_ptr<RecordingMetricSink> metrics_ = std::make_shared<RecordingMetricSink>();
};

TEST_F(ExecutorTest, EchoesThePayloadAndLogsStartEndReportIntoTheInstanceStream) {
  auto ex = executor();
  InvokeResult r = ex->invoke(request(image("echo", kEcho)));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.payload, R"({"hello":"world"})");
  EXPECT_FALSE(r.function_error);
  EXPECT_EQ(r.executed_version, "$LATEST");
  EXPECT_EQ(r.request_id.size(), 36u);
  EXPECT_NE(r.log_tail.find("START RequestId: " + r.request_id + " Version: $LATEST\n"),
            std::string::npos)
      << r.log_tail;
  EXPECT_NE(r.log_tail.find("END RequestId: " + r.request_id + "\n"), std::string::npos);
  EXPECT_NE(r.log_tail.find("REPORT RequestId: " + r.request_id + "\tDuration: "),
            std::string::npos);
  EXPECT_NE(r.log_tail.find(" ms\tMemory Size: 128 MB\tMax Memory Used: "), std::string::npos);
  EXPECT_NE(r.log_tail.find("\tInit Duration: "), std::string::npos) << r.log_tail;
  std::string stream = logs_->stream_with("START RequestId: " + r.request_id);
  ASSERT_FALSE(stream.empty());
  EXPECT_EQ(logs_->group(stream), "/aws/lambda/echo");
  // YYYY/MM/DD/[$LATEST]<32 hex>
  ASSERT_EQ(stream.size(), 11u + 9u + 32u) << stream;
  EXPECT_EQ(stream.substr(11, 9), "[$LATEST]");
  EXPECT_NE(logs_->text(stream).find("init echo\n"), std::string::npos) << logs_->text(stream);
  EXPECT_EQ(ex->status().instances, 1);
  EXPECT_EQ(ex->status().busy, 0);
}

TEST_F(ExecutorTest, GivesTheBootstrapLambdasEnvironmentAndLayout) {
  auto img = image(
      "env",
      test::tutorial_bootstrap(
          "",
          R"SH(  respond "$(env; echo PWD_IS=$(pwd); touch /tmp/w && echo TMP_WRITABLE=yes; cat /opt/layer.txt)")SH"));
  img.environment = {{"MY_SETTING", "on"}};
  img.memory_mb = 256;
  auto layer = deploy::write_deterministic_zip(dir_.path() / "layer.zip",
                                               {{"layer.txt", "from the layer\n", false}});
  img.layer_zips = {layer.path};
  auto ex = executor();
  InvokeResult r = ex->invoke(request(img));
  const std::string& env = r.payload;
  bool ns = ex->status().isolation.find("mount namespace") != std::string::npos;
  std::printf("isolation: %s\n", ex->status().isolation.c_str());
  std::string task = ns ? "/var/task" : (dir_.path() / "data" / "tasks" / img.code_sha256).string();
  EXPECT_NE(env.find("AWS_LAMBDA_RUNTIME_API=127.0.0.1:"), std::string::npos) << env;
  EXPECT_NE(env.find("LAMBDA_TASK_ROOT=" + task + "\n"), std::string::npos) << env;
  EXPECT_NE(env.find("PWD_IS=" + task + "\n"), std::string::npos) << env;
  EXPECT_NE(env.find("_HANDLER=bootstrap\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_FUNCTION_NAME=env\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_FUNCTION_VERSION=$LATEST\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/env\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_LOG_STREAM_NAME=" + logs_->stream_with(r.request_id) + "\n"),
            std::string::npos);
  EXPECT_NE(env.find("AWS_REGION=us-east-1\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_DEFAULT_REGION=us-east-1\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_LAMBDA_INITIALIZATION_TYPE=on-demand\n"), std::string::npos);
  EXPECT_NE(env.find("TZ=:UTC\n"), std::string::npos);
  EXPECT_NE(env.find("AWS_ACCESS_KEY_ID=test\n"), std::string::npos);
  EXPECT_NE(env.find("MY_SETTING=on\n"), std::string::npos);
  EXPECT_NE(env.find("LD_LIBRARY_PATH=" + task + ":" + task + "/lib:"), std::string::npos);
  EXPECT_NE(env.find("TMP_WRITABLE=yes"), std::string::npos);
  if (ns) {
    EXPECT_NE(env.find("from the layer"), std::string::npos) << env;
  }
}

TEST_F(ExecutorTest, ReusesAWarmInstanceWithoutInitDurationInTheSameStream) {
  auto ex = executor();
  auto img = image("warm", kEcho);
  InvokeResult first = ex->invoke(request(img, "1"));
  InvokeResult second = ex->invoke(request(img, "2"));
  EXPECT_EQ(second.payload, "2");
  EXPECT_NE(first.log_tail.find("Init Duration"), std::string::npos);
  EXPECT_EQ(second.log_tail.find("Init Duration"), std::string::npos) << second.log_tail;
  EXPECT_EQ(second.log_tail.find(first.request_id), std::string::npos);  // its own tail only
  EXPECT_EQ(logs_->stream_with(first.request_id), logs_->stream_with(second.request_id));
  EXPECT_EQ(ex->status().instances, 1);
}

TEST_F(ExecutorTest, FunctionErrorsComeBackAsUnhandledWithTheRuntimesDocument) {
  auto ex = executor();
  auto img = image(
      "fails", test::tutorial_bootstrap("", R"(  echo "to stderr" >&2; fail MyError "it broke")"));
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "MyError");
  EXPECT_EQ(doc["errorMessage"], "it broke");
  EXPECT_NE(r.log_tail.find("to stderr\n"), std::string::npos) << r.log_tail;
  EXPECT_EQ(ex->status().instances, 1);  // a handled error keeps the instance
}

TEST_F(ExecutorTest, KillsTheInstanceAtTheTimeout) {
  auto ex = executor();
  auto img = image("slow", test::tutorial_bootstrap("", R"(  sleep 30; respond late)"));
  img.timeout_s = 1;
  auto started = std::chrono::steady_clock::now();
  InvokeResult r = ex->invoke(request(img));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, 3s);
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  // As AWS answers since 2025 (the log line keeps the timestamped form).
  EXPECT_EQ(doc["errorType"], "Sandbox.Timedout");
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + r.request_id + " Error: Task timed out after 1.00 seconds");
  EXPECT_NE(r.log_tail.find("Task timed out after 1.00 seconds"), std::string::npos);
  EXPECT_NE(r.log_tail.find("\tStatus: timeout"), std::string::npos) << r.log_tail;
  // The killed instance is gone; the next invocation starts a new one.
  auto start_wait = std::chrono::steady_clock::now();
  while (ex->status().instances != 0 && std::chrono::steady_clock::now() - start_wait < 2s)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(ex->status().instances, 0);
}

TEST_F(ExecutorTest, ACrashMidInvocationIsRuntimeExitError) {
  auto ex = executor();
  auto img = image("crash", test::tutorial_bootstrap("", R"(  echo "about to crash" >&2; exit 1)"));
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "Runtime.ExitError");
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 1");
  EXPECT_NE(r.log_tail.find("about to crash\n"), std::string::npos) << r.log_tail;
  EXPECT_NE(r.log_tail.find("Status: error\tError Type: Runtime.ExitError"), std::string::npos);
  EXPECT_EQ(ex->status().instances, 0);
}

TEST_F(ExecutorTest, AKilledRuntimeSaysSignalKilled) {
  auto ex = executor();
  auto img = image("killed", test::tutorial_bootstrap("", R"(  kill -9 $$)"));
  InvokeResult r = ex->invoke(request(img));
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + r.request_id + " Error: Runtime exited with error: signal: killed");
}

TEST_F(ExecutorTest, InitErrorsCarryTheRuntimesErrorType) {
  auto ex = executor();
  auto img = image("initerr", R"(#!/bin/sh
curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" \
  -H "Lambda-Runtime-Function-Error-Type: Runtime.ConfigError" \
  --data-binary '{"errorMessage":"missing setting","errorType":"Runtime.ConfigError"}'
exit 1
)");
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "Runtime.ConfigError");
  EXPECT_EQ(doc["errorMessage"], "missing setting");
}

TEST_F(ExecutorTest, ExitingBeforeTheFirstNextIsRuntimeExitError) {
  auto ex = executor();
  auto img = image("noinit", "#!/bin/sh\necho 'cannot start' >&2\nexit 3\n");
  InvokeResult r = ex->invoke(request(img));
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "Runtime.ExitError");
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + r.request_id + " Error: Runtime exited with error: exit status 3");
  EXPECT_NE(r.log_tail.find("cannot start\n"), std::string::npos) << r.log_tail;
}

TEST_F(ExecutorTest, AZipWithoutBootstrapIsInvalidEntrypoint) {
  auto ex = executor();
  auto facts = deploy::write_deterministic_zip(dir_.path() / "nob.zip", {{"x.txt", "x", false}});
  auto img = image("nob", kEcho);
  img.code_zip = facts.path;
  img.code_sha256 = facts.sha256_hex;
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled");
  EXPECT_EQ(nlohmann::json::parse(r.payload)["errorType"], "Runtime.InvalidEntrypoint");
}

TEST_F(ExecutorTest, MemoryOverTheLimitIsRuntimeOutOfMemory) {
  auto ex = executor();
  // The shell itself grows to ~48 MB (over a 32 MB MemorySize, set low to keep the test short)
  // holding the string.
  auto img = image(
      "hog", test::tutorial_bootstrap(
                 "", R"SH(  X=$(head -c 48000000 /dev/zero | tr '\0' a); respond "${#X}")SH"));
  img.memory_mb = 32;
  img.timeout_s = 10;
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "Runtime.OutOfMemory") << r.payload;
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + r.request_id + " Error: Runtime exited with error: signal: killed");
}

TEST_F(ExecutorTest, AResponseOver6MBFailsTheInvocation) {
  auto ex = executor();
  auto img = image(
      "big",
      test::tutorial_bootstrap(
          "",
          R"SH(  CODE=$(head -c 7000000 /dev/zero | tr '\0' a | curl -s -o /dev/null -w '%{http_code}' -X POST "$API/invocation/$ID/response" --data-binary @-); echo "runtime api said $CODE")SH"));
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled");
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["errorType"], "Function.ResponseSizeTooLarge");
  EXPECT_TRUE(logs_->wait_for("runtime api said 413", 2s));
}

TEST_F(ExecutorTest, StartsInstancesUpToTheLimitThenThrottles) {
  auto o = options();
  o.max_instances_per_function = 3;
  auto ex = executor(o);
  auto img = image("busy", test::tutorial_bootstrap("", R"(  sleep 1; respond "$EVENT")"));
  std::vector<std::future<InvokeResult>> running;
  for (int i = 0; i < 3; ++i)
    running.push_back(std::async(std::launch::async,
                                 [&, i] { return ex->invoke(request(img, std::to_string(i))); }));
  auto wait_start = std::chrono::steady_clock::now();
  while (ex->status().busy < 3 && std::chrono::steady_clock::now() - wait_start < 2s)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(ex->status().busy, 3);
  try {
    ex->invoke(request(img));
    FAIL() << "expected a throttle";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "TooManyRequestsException");
    EXPECT_EQ(e.status(), 429);
    EXPECT_STREQ(e.what(), "Rate Exceeded.");
    EXPECT_EQ(e.extra["Reason"], "ConcurrentInvocationLimitExceeded");
  }
  std::set<std::string> streams;
  for (int i = 0; i < 3; ++i) {
    InvokeResult r = running[i].get();
    EXPECT_EQ(r.payload, std::to_string(i));
    streams.insert(logs_->stream_with("START RequestId: " + r.request_id));
  }
  EXPECT_EQ(streams.size(), 3u);
  EXPECT_EQ(ex->status().instances, 3);
  EXPECT_EQ(metrics_->named("Throttles").size(), 1u);
  double peak = 0;
  for (const auto& d : metrics_->named("ConcurrentExecutions")) peak = std::max(peak, d.value);
  EXPECT_EQ(peak, 3);
}

TEST_F(ExecutorTest, RetireStopsTheFunctionsInstances) {
  auto ex = executor();
  auto img = image("retired", kEcho);
  InvokeResult first = ex->invoke(request(img));
  EXPECT_EQ(ex->status().instances, 1);
  ex->retire("retired");
  EXPECT_EQ(ex->status().instances, 0);
  InvokeResult second = ex->invoke(request(img));
  EXPECT_NE(second.log_tail.find("Init Duration"), std::string::npos);
  EXPECT_NE(logs_->stream_with(first.request_id), logs_->stream_with(second.request_id));
}

TEST_F(ExecutorTest, NewCodeGetsANewInstance) {
  auto ex = executor();
  InvokeResult first = ex->invoke(request(image("changing", kEcho)));
  auto img = image("changing", test::tutorial_bootstrap("", R"(  respond changed)"));
  InvokeResult second = ex->invoke(request(img));
  EXPECT_EQ(second.payload, "changed");
  EXPECT_EQ(ex->status().instances, 1);
}

TEST_F(ExecutorTest, PrepareUnzipsTheCodeBeforeTheFirstInvocation) {
  auto ex = executor();
  const FunctionImage img = image("ready", kEcho, {{"data/big.txt", std::string(1 << 20, 'x')}});
  const fs::path task = dir_.path() / "data" / "tasks" / img.code_sha256;
  EXPECT_FALSE(fs::exists(task));
  ex->prepare(img);
  for (int i = 0; i < 200 && !fs::exists(task / "data" / "big.txt"); ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(fs::exists(task / "bootstrap"));
  EXPECT_EQ(fs::file_size(task / "data" / "big.txt"), 1u << 20);
  EXPECT_EQ(ex->status().instances, 0);  // files only: no instance yet
  EXPECT_EQ(ex->invoke(request(img)).payload, R"({"hello":"world"})");
  // A zip that cannot be unzipped is left for the invocation to report.
  FunctionImage broken = img;
  broken.code_sha256 = std::string(64, 'a');
  broken.code_zip = dir_.path() / "no-such.zip";
  ex->prepare(broken);
  EXPECT_ANY_THROW(ex->invoke(request(broken)));
}

TEST_F(ExecutorTest, IdleInstancesAreReaped) {
  auto o = options();
  o.idle_timeout = 200ms;
  auto ex = executor(o);
  ex->invoke(request(image("idle", kEcho)));
  EXPECT_EQ(ex->status().instances, 1);
  auto start = std::chrono::steady_clock::now();
  while (ex->status().instances != 0 && std::chrono::steady_clock::now() - start < 3s)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(ex->status().instances, 0);
}

// Waits up to 5 s for `condition`.
bool eventually(const std::function<bool()>& condition) {
  const auto end = std::chrono::steady_clock::now() + 5s;
  while (!condition() && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(10ms);
  return condition();
}

TEST_F(ExecutorTest, ProvisionedInstancesRunAheadOfInvocationsUntilReleased) {
  auto o = options();
  o.idle_timeout = 100ms;  // provisioned instances are never reaped as idle
  auto ex = executor(o);
  FunctionImage img = image("warm", kEcho);
  img.version = "3";
  ex->provision("warm", {{img, 2}});
  ASSERT_TRUE(eventually([&] { return ex->status().provisioned == 2; }));
  EXPECT_EQ(ex->status().instances, 2);
  // Both initialised (waiting in GET /next) before any invocation.
  ASSERT_TRUE(eventually([&] { return logs_->text(logs_->stream_with("init warm")).size() > 0; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(ex->status().provisioned, 2);

  for (int i = 0; i < 3; ++i) {
    InvokeResult r = ex->invoke(request(img));
    EXPECT_EQ(r.payload, R"({"hello":"world"})");
    EXPECT_EQ(r.executed_version, "3");
    EXPECT_EQ(r.log_tail.find("Init Duration"), std::string::npos) << r.log_tail;
    EXPECT_NE(r.log_tail.find("REPORT RequestId: " + r.request_id), std::string::npos);
  }
  EXPECT_EQ(ex->status().instances, 2);

  // Another version is not theirs: it starts an instance of its own.
  FunctionImage other = img;
  other.version = "4";
  other.config_revision = "r2";
  EXPECT_NE(ex->invoke(request(other)).log_tail.find("Init Duration"), std::string::npos);
  EXPECT_EQ(ex->status().instances, 3);

  // Retired (new configuration): they are started again.
  ex->retire("warm");
  EXPECT_TRUE(eventually([&] { return ex->status().provisioned == 2; }));

  // Released: they stop.
  ex->provision("warm", {});
  EXPECT_EQ(ex->status().provisioned, 0);
  EXPECT_TRUE(eventually([&] { return ex->status().instances == 0; }));
}

TEST_F(ExecutorTest, EventInvocationsAnswer202AndRunInTheBackground) {
  auto ex = executor();
  auto req = request(
      image("async", test::tutorial_bootstrap("", R"(  sleep 0.3; echo "ran $EVENT"; respond ok)")),
      "event-1");
  req.type = InvocationType::Event;
  auto started = std::chrono::steady_clock::now();
  InvokeResult r = ex->invoke(req);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 200ms);
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.payload, "");
  EXPECT_TRUE(logs_->wait_for("END RequestId: " + r.request_id, 5s));
  EXPECT_FALSE(logs_->stream_with("ran event-1").empty());
}

TEST_F(ExecutorTest, DryRunAnswers204AndRunsNothing) {
  auto ex = executor();
  auto req = request(image("dry", kEcho));
  req.type = InvocationType::DryRun;
  InvokeResult r = ex->invoke(req);
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.payload, "");
  EXPECT_EQ(ex->status().instances, 0);
  EXPECT_TRUE(metrics_->named("Invocations").empty());
}

TEST_F(ExecutorTest, TheLogTailIsTheLast4KB) {
  auto ex = executor();
  auto img = image(
      "chatty",
      test::tutorial_bootstrap(
          "",
          R"SH(  i=0; while [ $i -lt 200 ]; do echo "line $i of a rather long log output"; i=$((i+1)); done; respond ok)SH"));
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.log_tail.size(), 4096u);
  EXPECT_NE(r.log_tail.find("REPORT RequestId: " + r.request_id), std::string::npos);
  EXPECT_EQ(r.log_tail.find("START RequestId"), std::string::npos);
  EXPECT_NE(logs_->text(logs_->stream_with(r.request_id)).find("line 0 of"), std::string::npos);
}

TEST_F(ExecutorTest, RecordsLambdaMetricsWithAliasAndVersionDimensions) {
  auto ex = executor();
  auto img = image("measured", kEcho);
  img.version = "3";
  auto req = request(img);
  req.alias = "live";
  req.invoked_arn = img.function_arn + ":live";
  InvokeResult r = ex->invoke(req);
  EXPECT_EQ(r.executed_version, "3");
  using Dims = std::vector<std::pair<std::string, std::string>>;
  std::vector<Dims> seen;
  for (const auto& d : metrics_->named("Invocations")) {
    EXPECT_EQ(d.metric_namespace, "AWS/Lambda");
    EXPECT_EQ(d.unit, "Count");
    EXPECT_EQ(d.value, 1);
    seen.push_back(d.dimensions);
  }
  EXPECT_NE(std::find(seen.begin(), seen.end(), Dims{{"FunctionName", "measured"}}), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(),
                      Dims{{"FunctionName", "measured"}, {"Resource", "measured:live"}}),
            seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(),
                      Dims{{"FunctionName", "measured"},
                           {"Resource", "measured:live"},
                           {"ExecutedVersion", "3"}}),
            seen.end());
  ASSERT_FALSE(metrics_->named("Duration").empty());
  EXPECT_EQ(metrics_->named("Duration")[0].unit, "Milliseconds");
  ASSERT_FALSE(metrics_->named("Errors").empty());
  EXPECT_EQ(metrics_->named("Errors")[0].value, 0);
  std::string stream = logs_->stream_with(r.request_id);
  EXPECT_EQ(stream.substr(11, 3), "[3]");
}

// The packaged GitHub Digest bootstrap, as deployed (code zip + dependency layer).
fs::path dist(const std::string& name) {
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "dist" / name;
}

const char* kVersionEvent = R"({"version":"2.0","routeKey":"$default","rawPath":"/info/version",
"rawQueryString":"","headers":{"x-api-key":"k","host":"example.lambda-url.localhost"},
"requestContext":{"accountId":"000000000000","apiId":"example","domainName":"example.lambda-url.localhost",
"http":{"method":"GET","path":"/info/version","protocol":"HTTP/1.1","sourceIp":"127.0.0.1",
"userAgent":"test"},"requestId":"r-1","routeKey":"$default","stage":"$default",
"time":"27/Nov/2026:10:00:00 +0000","timeEpoch":1795773600000},"isBase64Encoded":false})";

// The packaged GitHub Digest (dist/github-digest.zip, and its deps layer when built) with the
// API key `k`.
FunctionImage github_digest_image() {
  auto facts = deploy::describe_file(dist("github-digest.zip"));
  FunctionImage img;
  img.function_name = "github-digest";
  img.function_arn = "arn:aws:lambda:us-east-1:000000000000:function:github-digest";
  img.code_sha256 = facts.sha256_hex;
  img.code_zip = facts.path;
  if (fs::exists(dist("github-digest-deps.zip"))) img.layer_zips = {dist("github-digest-deps.zip")};
  img.log_group = "/aws/lambda/github-digest";
  img.environment = {{"FAST_API__AUTH__API_KEY__NAME", "x-api-key"},
                     {"FAST_API__AUTH__API_KEY__VALUE", "k"}};
  return img;
}

TEST_F(ExecutorTest, RunsThePackagedGithubDigestBootstrap) {
  if (!fs::exists(dist("github-digest.zip")))
    GTEST_SKIP() << dist("github-digest.zip") << " is not built (target package-github-digest)";
  const FunctionImage img = github_digest_image();
  auto ex = executor();
  InvokeResult r = ex->invoke(request(img, kVersionEvent));
  ASSERT_FALSE(r.function_error) << r.payload << "\n" << r.log_tail;
  auto doc = nlohmann::json::parse(r.payload);
  EXPECT_EQ(doc["statusCode"], 200) << r.payload;
  EXPECT_NE(doc["body"].get<std::string>().find("version"), std::string::npos) << r.payload;
  std::string report = r.log_tail.substr(r.log_tail.find("REPORT"));
  std::printf("cold: %s", report.c_str());

  InvokeResult bad = ex->invoke(request(img, "{}"));
  EXPECT_EQ(bad.function_error, "Unhandled");
  EXPECT_EQ(nlohmann::json::parse(bad.payload)["errorType"], "Runtime.UnsupportedEvent")
      << bad.payload;

  // Warm round trips through the executor (the figure in the report).
  int n = 1000;
  std::vector<double> micros;
  auto warm = request(img, kVersionEvent);
  warm.tail_log = false;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    InvokeResult w = ex->invoke(warm);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_FALSE(w.function_error) << w.payload;
  }
  std::sort(micros.begin(), micros.end());
  std::printf("warm invoke round trip over %d: median %.0f us, p99 %.0f us\n", n, micros[n / 2],
              micros[n * 99 / 100]);
  EXPECT_EQ(ex->status().instances, 1);

  // The same cold start without the mount namespace (real paths), for comparison.
  auto o = options();
  o.mount_namespace = false;
  o.data_dir = dir_.path() / "data-paths";
  auto plain = executor(o);
  EXPECT_EQ(plain->status().isolation, "paths");
  InvokeResult p = plain->invoke(request(img, kVersionEvent));
  ASSERT_FALSE(p.function_error) << p.payload << "\n" << p.log_tail;
  std::printf("cold (paths): %s", p.log_tail.substr(p.log_tail.find("REPORT")).c_str());
}

// Cold starts of the packaged bootstrap through the executor (each one a new instance): the
// figure to compare when the way instances are started changes.
TEST_F(ExecutorTest, ColdStartsOfThePackagedGithubDigestBootstrap) {
  if (!fs::exists(dist("github-digest.zip")))
    GTEST_SKIP() << dist("github-digest.zip") << " is not built (target package-github-digest)";
  const FunctionImage img = github_digest_image();
  auto ex = executor();
  auto req = request(img, kVersionEvent);
  ex->invoke(req);  // unzipped once
  const int n = 50;
  std::vector<double> wall, init;
  for (int i = 0; i < n; ++i) {
    ex->retire("github-digest");
    auto t0 = std::chrono::steady_clock::now();
    InvokeResult r = ex->invoke(req);
    wall.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    ASSERT_FALSE(r.function_error) << r.payload;
    auto at = r.log_tail.find("Init Duration: ");
    ASSERT_NE(at, std::string::npos) << r.log_tail;
    init.push_back(std::stod(r.log_tail.substr(at + 15)));
  }
  std::sort(wall.begin(), wall.end());
  std::sort(init.begin(), init.end());
  std::printf(
      "cold invoke over %d (%s): wall median %.2f ms, p90 %.2f ms; Init Duration median "
      "%.2f ms\n",
      n, ex->status().isolation.c_str(), wall[n / 2], wall[n * 9 / 10], init[n / 2]);
}

// The endpoint's own memory is not the function's: a cold start of a function whose
// MemorySize is below what the endpoint uses must not be reported out of memory.
TEST_F(ExecutorTest, ColdStartsAreNotChargedTheEndpointsMemory) {
  // This process (the endpoint) grows to ~300 MB resident.
  std::vector<char> ballast(300u << 20);
  for (std::size_t i = 0; i < ballast.size(); i += 4096) ballast[i] = 1;
  auto o = options();
  o.memory_sample_interval = 1ms;
  auto ex = executor(o);
  auto img = image("small", kEcho);
  img.memory_mb = 128;
  for (int i = 0; i < 10; ++i) {
    ex->retire("small");
    InvokeResult r = ex->invoke(request(img));
    ASSERT_FALSE(r.function_error) << "cold start " << i << ": " << r.payload << "\n" << r.log_tail;
    auto at = r.log_tail.find("Max Memory Used: ");
    ASSERT_NE(at, std::string::npos);
    EXPECT_LT(std::stoi(r.log_tail.substr(at + 17)), 128) << r.log_tail;
  }
  EXPECT_EQ(ballast[4096], 1);
}

// Whether a process whose command line is exactly `argv` (NUL-separated) is running.
bool process_running(const std::string& argv) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline == argv) return true;
  }
  return false;
}

// Kills what `argv` matches (so that a failing test leaves nothing running).
void kill_processes(const std::string& argv) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline == argv) ::kill(std::stoi(entry.path().filename().string()), SIGKILL);
  }
}

// Whether instances get namespaces at all (not "paths": the kernel or the user allows none).
bool sandboxed(Executor& ex) {
  return !ex.status().isolation.starts_with("paths");
}

// Issue 11: `kill -9 $PPID` used to kill the endpoint. The instance is in a PID namespace of its
// own: its parent is lambdeploy-init, and the endpoint is not there to signal, trace or read.
TEST_F(ExecutorTest, AFunctionCannotSignalTraceOrReadTheEndpoint) {
  auto ex = executor();
  if (!sandboxed(*ex)) GTEST_SKIP() << "no namespaces here: " << ex->status().isolation;
  auto img = image("hostile", test::tutorial_bootstrap("", R"SH(  kill -9 $PPID
  kill -9 "$ENDPOINT_PID" 2>/dev/null && killed=yes || killed=no
  [ -r "/proc/$ENDPOINT_PID/mem" ] && readable=yes || readable=no
  respond "ppid=$PPID init=$(tr '\0' ' ' < /proc/1/cmdline) killed=$killed readable=$readable processes=$(ls /proc | grep -c '^[0-9]')")SH"));
  img.environment = {{"ENDPOINT_PID", std::to_string(::getpid())}};
  InvokeResult r = ex->invoke(request(img));
  ASSERT_FALSE(r.function_error) << r.payload << "\n" << r.log_tail;
  EXPECT_NE(r.payload.find("ppid=1 init=lambdeploy-init --bootstrap 2 "), std::string::npos)
      << r.payload;
  EXPECT_NE(r.payload.find("killed=no readable=no"), std::string::npos) << r.payload;
  // lambdeploy-init, the bootstrap, the shell of $(...), ls and grep: the endpoint is not there.
  const auto processes = r.payload.find("processes=");
  ASSERT_NE(processes, std::string::npos) << r.payload;
  EXPECT_LE(std::stoi(r.payload.substr(processes + 10)), 6) << r.payload;
  // Still there, and still serving it.
  EXPECT_EQ(ex->invoke(request(img)).function_error, std::nullopt);
}

// As root, bootstraps run as Lambda's sbx_user1051 (993) with no capability, in a session of
// their own, with a /tmp they can write, the task and layers readable and the data dir hidden.
TEST_F(ExecutorTest, AsRootBootstrapsRunAsAnUnprivilegedUserInTheirOwnSession) {
  if (::geteuid() != 0) GTEST_SKIP() << "not root";
  // A data dir outside /tmp (a /tmp one is out of sight behind the instance's own /tmp).
  const fs::path data = fs::current_path() / ("executor-data-" + std::to_string(::getpid()));
  struct Cleanup {
    fs::path dir;
    ~Cleanup() { fs::remove_all(dir); }
  } cleanup{data};
  fs::create_directories(data);
  fs::permissions(data, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                            fs::perms::others_read | fs::perms::others_exec);
  std::ofstream(data / "secret") << "state";
  auto o = options();
  o.data_dir = data;
  auto ex = executor(o);
  if (!sandboxed(*ex)) GTEST_SKIP() << "no namespaces here: " << ex->status().isolation;
  auto img = image("unprivileged",
                   test::tutorial_bootstrap("", R"SH(  respond "ids=$(id -u):$(id -g):$(id -G)
$(grep -E '^(Cap(Prm|Eff|Bnd|Amb)|NoNewPrivs)' /proc/self/status | tr -s '\t' ' ')
session=$(cut -d' ' -f6 /proc/$$/stat) pid=$$
tmp=$(echo x > /tmp/f && stat -c %u:%a /tmp)
task=$(cat /var/task/bootstrap | head -c 9) layer=$(cat /opt/layer.txt)
data=$(ls -A "$DATA_DIR" | wc -l) secret=$(cat "$DATA_DIR/secret" 2>&1 >/dev/null | wc -l)")SH"));
  auto layer = deploy::write_deterministic_zip(dir_.path() / "layer.zip",
                                               {{"layer.txt", "from the layer", false}});
  img.layer_zips = {layer.path};
  img.environment = {{"DATA_DIR", data.string()}};
  InvokeResult r = ex->invoke(request(img));
  ASSERT_FALSE(r.function_error) << r.payload << "\n" << r.log_tail;
  const std::string& out = r.payload;
  EXPECT_NE(out.find("ids=993:993:993\n"), std::string::npos) << out;
  for (const char* set : {"CapPrm", "CapEff", "CapBnd", "CapAmb"})
    EXPECT_NE(out.find(std::string(set) + ": 0000000000000000\n"), std::string::npos) << set << "\n"
                                                                                      << out;
  EXPECT_NE(out.find("NoNewPrivs: 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("session=2 pid=2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("tmp=993:700\n"), std::string::npos) << out;
  EXPECT_NE(out.find("task=#!/bin/sh layer=from the layer\n"), std::string::npos) << out;
  EXPECT_NE(out.find("data=0 secret=1"), std::string::npos) << out;
}

// Run as an ordinary user, the endpoint gives instances a user namespace (993 inside is the
// endpoint's user outside) with the same PID and mount namespaces.
TEST_F(ExecutorTest, AsAnotherUserInstancesGetAUserNamespace) {
  if (::geteuid() != 0) GTEST_SKIP() << "runs the executor as uid 1000 (needs root to switch)";
  auto img = image(
      "userns",
      test::tutorial_bootstrap(
          "", R"SH(  respond "id=$(id -u) ppid=$PPID map=$(tr -s ' ' < /proc/self/uid_map)")SH"));
  // Its memory is counted as root's is (through the namespace's own /proc).
  auto hog =
      image("userns-hog",
            test::tutorial_bootstrap(
                "", R"SH(  setsid sh -c 'X=$(head -c 48000000 /dev/zero | tr "\0" a); sleep 30' &
  sleep 4; respond "not counted")SH"));
  hog.memory_mb = 32;
  hog.timeout_s = 10;
  for (const auto& entry : fs::recursive_directory_iterator(dir_.path()))
    ::lchown(entry.path().c_str(), 1000, 1000);
  ::chown(dir_.path().c_str(), 1000, 1000);
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(out[0]);
    std::string report = "cannot switch user";
    if (::setgroups(0, nullptr) == 0 && ::setresgid(1000, 1000, 1000) == 0 &&
        ::setresuid(1000, 1000, 1000) == 0) {
      // As a program started as that user is: setresuid left this process non-dumpable, which
      // would make its /proc/self/uid_map root's.
      ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
      try {
        auto ex = executor();
        report = ex->status().isolation + "\n" + ex->invoke(request(img)).payload + "\n" +
                 ex->invoke(request(hog)).payload;
      } catch (const std::exception& e) {
        report = e.what();
      }
    }
    [[maybe_unused]] auto n = ::write(out[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(out[1]);
  std::string report;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(out[0], buffer, sizeof buffer)) > 0)
    report.append(buffer, static_cast<std::size_t>(n));
  ::close(out[0]);
  ::waitpid(child, nullptr, 0);
  if (report.starts_with("paths")) GTEST_SKIP() << "no user namespaces here";
  EXPECT_NE(report.find("user+pid+mount namespaces, uid 993\n"), std::string::npos) << report;
  EXPECT_NE(report.find("id=993 ppid=1 map= 993 1000 1"), std::string::npos) << report;
  EXPECT_NE(report.find(R"("errorType":"Runtime.OutOfMemory")"), std::string::npos) << report;
}

// Children a bootstrap starts in a session of their own (setsid) used to outlive their instance:
// they die with it now, when it is retired and when the executor stops (`local stop`).
TEST_F(ExecutorTest, SetsidChildrenDieWithTheInstanceAndWithTheExecutor) {
  const std::string marker = std::to_string(900000 + ::getpid() % 90000);
  const std::string argv = std::string("sleep\0", 6) + marker + std::string("\0", 1);
  struct Cleanup {
    std::string argv;
    ~Cleanup() { kill_processes(argv); }
  } cleanup{argv};
  auto img = image("daemon", test::tutorial_bootstrap("setsid sleep " + marker + " &",
                                                      R"SH(  respond started)SH"));
  {
    auto ex = executor();
    EXPECT_EQ(ex->invoke(request(img)).payload, "started");
    ASSERT_TRUE(eventually([&] { return process_running(argv); }));
    ex->retire("daemon");
    EXPECT_TRUE(eventually([&] { return !process_running(argv); })) << "survived retire";

    EXPECT_EQ(ex->invoke(request(img)).payload, "started");
    ASSERT_TRUE(eventually([&] { return process_running(argv); }));
  }
  EXPECT_TRUE(eventually([&] { return !process_running(argv); })) << "survived the executor";
}

// When the endpoint itself is killed (`local stop` ends with SIGKILL after 5 s), lambdeploy-init
// sees its pipe close and exits, and the kernel takes the rest of the instance with it.
TEST_F(ExecutorTest, InstancesDieWhenTheEndpointIsKilled) {
  const std::string marker = std::to_string(800000 + ::getpid() % 90000);
  const std::string argv = std::string("sleep\0", 6) + marker + std::string("\0", 1);
  struct Cleanup {
    std::string argv;
    ~Cleanup() { kill_processes(argv); }
  } cleanup{argv};
  auto img = image("orphan", test::tutorial_bootstrap("setsid sleep " + marker + " &",
                                                      R"SH(  respond started)SH"));
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t endpoint = ::fork();
  ASSERT_GE(endpoint, 0);
  if (endpoint == 0) {
    ::close(ready[0]);
    auto ex = executor();
    const bool contained = sandboxed(*ex);
    const std::string payload = ex->invoke(request(img)).payload;
    const char answer = payload == "started" && contained ? 'y' : 'n';
    [[maybe_unused]] auto n = ::write(ready[1], &answer, 1);
    ::pause();  // killed here
    ::_exit(0);
  }
  ::close(ready[1]);
  char answer = 0;
  ASSERT_EQ(::read(ready[0], &answer, 1), 1);
  ::close(ready[0]);
  if (answer != 'y') {
    ::kill(endpoint, SIGKILL);
    ::waitpid(endpoint, nullptr, 0);
    GTEST_SKIP() << "no namespaces here";
  }
  ASSERT_TRUE(eventually([&] { return process_running(argv); }));
  ::kill(endpoint, SIGKILL);
  ::waitpid(endpoint, nullptr, 0);
  EXPECT_TRUE(eventually([&] { return !process_running(argv); })) << "outlived the endpoint";
}

// Every process of an instance counts towards its MemorySize, a setsid one too.
TEST_F(ExecutorTest, SetsidChildrenCountTowardsTheInstancesMemory) {
  auto ex = executor();
  if (!sandboxed(*ex)) GTEST_SKIP() << "no namespaces here: " << ex->status().isolation;
  auto img =
      image("hidden-hog",
            test::tutorial_bootstrap(
                "", R"SH(  setsid sh -c 'X=$(head -c 48000000 /dev/zero | tr "\0" a); sleep 30' &
  sleep 4; respond "not counted")SH"));
  img.memory_mb = 32;
  img.timeout_s = 10;
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.function_error, "Unhandled") << r.payload;
  EXPECT_EQ(nlohmann::json::parse(r.payload)["errorType"], "Runtime.OutOfMemory") << r.payload;
}

// Output is cut into events CloudWatch Logs accepts (262,118 bytes at most), and an instance
// printing without end stores its budget's worth (a 10 MiB burst, then 1 MiB/s) and one line
// saying what was dropped, not everything.
TEST_F(ExecutorTest, OutputIsCutIntoEventsAndBoundedPerInstance) {
  auto ex = executor();
  auto img =
      image("flood", test::tutorial_bootstrap("", R"SH(  head -c 300000 /dev/zero | tr '\0' a; echo
  echo "line after the long one"
  head -c 40000000 /dev/zero | tr '\0' y
  echo; echo "line after the flood"
  respond done)SH"));
  InvokeResult r = ex->invoke(request(img));
  EXPECT_EQ(r.payload, "done");
  const std::string stream = logs_->stream_with(r.request_id);
  ASSERT_TRUE(logs_->wait_for("output dropped", 5s));
  const std::vector<std::size_t> sizes = logs_->event_sizes(stream);
  const std::string text = logs_->text(stream);
  // INIT_START, START, then the 300,000-byte line in two events.
  ASSERT_GE(sizes.size(), 4u);
  EXPECT_EQ(sizes[2], 262'118u);
  EXPECT_EQ(sizes[3], 300'001u - 262'117u);
  EXPECT_EQ(*std::max_element(sizes.begin(), sizes.end()), 262'118u);
  EXPECT_NE(text.find("line after the long one\n"), std::string::npos);
  EXPECT_LT(text.size(), 12'000'000u);
  const auto notice = text.find("lambdeploy: output dropped: ");
  ASSERT_NE(notice, std::string::npos);
  EXPECT_NE(text.find(" bytes over the limit (1 MiB/s after a burst of 10 MiB)\n", notice),
            std::string::npos)
      << text.substr(notice, 200);
  const std::size_t dropped = std::stoul(text.substr(notice + 28));
  EXPECT_GT(dropped, 28'000'000u);
  EXPECT_LT(dropped, 40'000'000u);
}

// Issue 11: a cold start whose init overran the 10 s init timeout used to be cut off there,
// reported as "Task timed out after <the function's timeout>" (25 s for a function that had run
// 10 s). As on Lambda, the invocation now gives init and handler the function's timeout after it.
TEST_F(ExecutorTest, AnInitOverrunningTheInitTimeoutGetsTheFunctionsTimeout) {
  auto o = options();
  o.init_timeout = 500ms;
  auto ex = executor(o);
  auto slow = image("slow-init", test::tutorial_bootstrap("sleep 1", R"SH(  respond ready)SH"));
  slow.timeout_s = 2;
  InvokeResult r = ex->invoke(request(slow));
  EXPECT_EQ(r.payload, "ready") << r.log_tail;
  EXPECT_NE(r.log_tail.find("INIT_REPORT Init Duration: "), std::string::npos) << r.log_tail;
  EXPECT_NE(r.log_tail.find(" ms\tPhase: init\tStatus: timeout\n"), std::string::npos);

  auto stuck = image("stuck-init", test::tutorial_bootstrap("sleep 30", R"SH(  respond never)SH"));
  stuck.timeout_s = 1;
  auto started = std::chrono::steady_clock::now();
  InvokeResult t = ex->invoke(request(stuck));
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 1400ms);
  EXPECT_LT(took, 4s);
  auto doc = nlohmann::json::parse(t.payload);
  EXPECT_EQ(doc["errorType"], "Sandbox.Timedout");
  EXPECT_EQ(doc["errorMessage"],
            "RequestId: " + t.request_id + " Error: Task timed out after 1.00 seconds");
}

// What a function prints before it answers is in that invocation's tail, ahead of END (the
// output is read on another thread: the REPORT waits for it, briefly).
TEST_F(ExecutorTest, WhatAFunctionPrintsBeforeAnsweringIsInItsTail) {
  auto ex = executor();
  auto img = image("printer", test::tutorial_bootstrap("", R"SH(  echo "printed for $ID"
  echo "and to stderr for $ID" >&2
  respond ok)SH"));
  for (int i = 0; i < 30; ++i) {
    InvokeResult r = ex->invoke(request(img));
    const auto printed = r.log_tail.find("printed for " + r.request_id + "\n");
    const auto printed_err = r.log_tail.find("and to stderr for " + r.request_id + "\n");
    const auto end = r.log_tail.find("END RequestId: " + r.request_id);
    ASSERT_NE(printed, std::string::npos) << i << "\n" << r.log_tail;
    ASSERT_NE(printed_err, std::string::npos) << i << "\n" << r.log_tail;
    EXPECT_LT(printed, end);
    EXPECT_LT(printed_err, end);
  }
}

// Instance folders (each instance's /tmp) left by an endpoint that was killed go when an
// executor starts, and whatever is left goes when it stops.
TEST_F(ExecutorTest, StaleInstanceFoldersAreRemovedAtStartAndStop) {
  const fs::path instances = dir_.path() / "data" / "instances";
  fs::create_directories(instances / "left-by-a-killed-endpoint" / "tmp" / "deep");
  std::ofstream(instances / "left-by-a-killed-endpoint" / "tmp" / "deep" / "file") << "x";
  {
    auto ex = executor();
    EXPECT_FALSE(fs::exists(instances / "left-by-a-killed-endpoint"));
    ex->invoke(request(image("stale", kEcho)));
    EXPECT_EQ(std::distance(fs::directory_iterator(instances), fs::directory_iterator()), 1);
    fs::create_directories(instances / "left-over");
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(instances), fs::directory_iterator()), 0);
}

}  // namespace
}  // namespace ld::local
