// The process executor with real bootstraps: shell scripts talking to their Runtime API with
// curl (as AWS's custom-runtime tutorial does) and the packaged GitHub Digest bootstrap.
#include "local/process_executor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <future>
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
      streams_[stream] += e.message;
    }
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
  bool ns = ex->status().isolation == "mount-namespace";
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
    EXPECT_EQ(e.extra["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
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

TEST_F(ExecutorTest, RunsThePackagedGithubDigestBootstrap) {
  if (!fs::exists(dist("github-digest.zip")))
    GTEST_SKIP() << dist("github-digest.zip") << " is not built (target package-github-digest)";
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

}  // namespace
}  // namespace ld::local
