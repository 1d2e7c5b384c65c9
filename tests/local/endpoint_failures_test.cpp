// The local endpoint's failure paths as a user sees them through the whole endpoint (a real
// ld::local::Endpoint, the project's own AWS clients, the AWS CLI v2 and Function URLs): a
// function timing out, crashing, failing its init, going over its MemorySize, LogType Tail and
// FunctionError through the CLI, and an alarm on the Errors metric going to ALARM.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "aws/services/cloudwatch.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"
#include "deploy/package/zip_writer.hpp"
#include "local/endpoint.hpp"
#include "local_client.hpp"
#include "support/aws_cli.hpp"
#include "support/conformance.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/script_function.hpp"
#include "support/temp_dir.hpp"
#include "tutorial_runtime.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

// Answers {"ok":true}, unless the event mentions "slow" (sleeps 3 s first), "crash" (exits 3)
// or "fail" (a handled MyError).
const std::string kMoody = test::tutorial_bootstrap("echo 'moody is up'", R"SH(
  case "$EVENT" in
    *slow*) echo "sleeping on $ID"; sleep 3 ;;
    *crash*) echo "about to crash" >&2; exit 3 ;;
    *fail*) echo "failing on purpose"; fail MyError "it broke"; continue ;;
  esac
  respond '{"ok":true}')SH");

class EndpointFailures : public ::testing::Test {
 protected:
  void SetUp() override {
    EndpointOptions options = ld::test::loopback_endpoint_options(dir_.path() / "data");
    // A 60-second alarm period lasts 3 s here.
    options.alarm_time_scale = 0.05;
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }

  aws::ClientConfig config() const { return test::client_config(endpoint_->url()); }
  aws::LambdaClient lambda() const { return aws::LambdaClient(config()); }

  void create(const std::string& name, const std::string& script, int timeout_s = 10,
              int memory_mb = 128) {
    ld::test::create_script_function(lambda(), dir_.path(), name, script,
                                     {{"Role", "arn:aws:iam::000000000000:role/" + name + "-role"},
                                      {"Timeout", timeout_s},
                                      {"MemorySize", memory_mb}});
  }

  aws::Result invoke(const std::string& name, const std::string& payload) const {
    return lambda().invoke({{"FunctionName", name}}, payload);
  }

  // The function's public Function URL ("http://{id}.lambda-url.us-east-1.localhost:PORT/").
  std::string public_url(const std::string& name) const {
    return ld::test::public_function_url(lambda(), name);
  }

  HttpResponse get(const std::string& url, const std::string& path) const {
    const std::string host = ld::test::function_url_host(url);
    HttpRequest request;
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = endpoint_->port();
    request.path = path;
    request.headers.set("Host", host + ":" + std::to_string(endpoint_->port()));
    return transport_->send(request);
  }

  // Every message in the function's log group, in order, one per line.
  std::string log_text(const std::string& name) const {
    aws::LogsClient logs(config());
    json events = logs.filter_log_events({{"logGroupName", "/aws/lambda/" + name}});
    std::string all;
    for (const auto& e : events["events"]) all += e["message"].get<std::string>();
    return all;
  }

  // The Sum of AWS/Lambda `metric` for the function over the last five minutes.
  double metric_sum(const std::string& name, const std::string& metric) const {
    aws::CloudWatchClient cloudwatch(config());
    const Timestamp now = system_now();
    json stats = cloudwatch.get_metric_statistics(
        {{"Namespace", "AWS/Lambda"},
         {"MetricName", metric},
         {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", name}}})},
         {"StartTime", format_iso8601(now - std::chrono::minutes(5))},
         {"EndTime", format_iso8601(now + std::chrono::minutes(1))},
         {"Period", 60},
         {"Statistics", json::array({"Sum"})}});
    double sum = 0;
    for (const auto& point : stats["Datapoints"]) sum += point["Sum"].get<double>();
    return sum;
  }

  test::TempDir dir_{"local-failures"};
  std::unique_ptr<Endpoint> endpoint_;
  std::shared_ptr<Transport> transport_ = make_socket_transport();
};

TEST_F(EndpointFailures, ATimeoutIsSandboxTimedoutLoggedCountedAndTheNextInvokeWorks) {
  create("sleepy", kMoody, 1);
  const auto started = std::chrono::steady_clock::now();
  aws::Result timed_out = invoke("sleepy", R"({"slow":true})");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  EXPECT_EQ(timed_out.status, 200);
  EXPECT_EQ(timed_out.headers.get("X-Amz-Function-Error").value_or(""), "Unhandled");
  json error = json::parse(timed_out.body);
  // As AWS answers since 2025 (test_lambda_invoke_with_timeout, recorded 25-11-2025).
  EXPECT_EQ(error["errorType"], "Sandbox.Timedout") << timed_out.body;
  EXPECT_EQ(error["errorMessage"],
            "RequestId: " + timed_out.request_id + " Error: Task timed out after 1.00 seconds")
      << timed_out.body;

  // The killed instance is replaced: the next invoke starts a fresh one and answers.
  aws::Result next = invoke("sleepy", "{}");
  EXPECT_EQ(next.output.value("FunctionError", ""), "");
  EXPECT_EQ(json::parse(next.body), json({{"ok", true}})) << next.body;

  // The log group tells what happened, as AWS writes it.
  const std::string logs = log_text("sleepy");
  EXPECT_NE(logs.find("sleeping on " + timed_out.request_id), std::string::npos) << logs;
  EXPECT_NE(logs.find(" " + timed_out.request_id + " Task timed out after 1.00 seconds\n"),
            std::string::npos)
      << logs;
  std::smatch report;
  ASSERT_TRUE(std::regex_search(logs, report,
                                std::regex("REPORT RequestId: " + timed_out.request_id +
                                           "\tDuration: ([0-9.]+) ms\t[^\n]*\tStatus: timeout\n")))
      << logs;
  EXPECT_GE(std::stod(report[1].str()), 1000.0) << report[0];
  EXPECT_NE(logs.find("INIT_START Runtime Version: provided.al2023"), std::string::npos);

  // The Errors metric counts the timeout, Invocations both calls.
  EXPECT_EQ(metric_sum("sleepy", "Errors"), 1.0);
  EXPECT_EQ(metric_sum("sleepy", "Invocations"), 2.0);

  // Through a Function URL a timeout is a 502 with Lambda's body.
  const std::string url = public_url("sleepy");
  HttpResponse through_url = get(url, "/slow");
  EXPECT_EQ(through_url.status, 502) << through_url.body;
  EXPECT_EQ(json::parse(through_url.body), json({{"Message", "Internal Server Error"}}))
      << through_url.body;
  EXPECT_EQ(get(url, "/").status, 200);
}

TEST_F(EndpointFailures, ACrashIsRuntimeExitErrorAndTheNextInvokeWorks) {
  create("crashy", kMoody);
  aws::Result crashed = invoke("crashy", R"({"crash":true})");
  EXPECT_EQ(crashed.status, 200);
  EXPECT_EQ(crashed.output.value("FunctionError", ""), "Unhandled");
  json error = json::parse(crashed.body);
  EXPECT_EQ(error["errorType"], "Runtime.ExitError") << crashed.body;
  EXPECT_EQ(error["errorMessage"],
            "RequestId: " + crashed.request_id + " Error: Runtime exited with error: exit status 3")
      << crashed.body;

  aws::Result next = invoke("crashy", "{}");
  EXPECT_EQ(next.output.value("FunctionError", ""), "");
  EXPECT_EQ(json::parse(next.body), json({{"ok", true}})) << next.body;

  const std::string logs = log_text("crashy");
  EXPECT_NE(logs.find("about to crash\n"), std::string::npos) << logs;
  EXPECT_NE(logs.find("RequestId: " + crashed.request_id +
                      " Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n"),
            std::string::npos)
      << logs;
  EXPECT_NE(logs.find("\tStatus: error\tError Type: Runtime.ExitError\n"), std::string::npos)
      << logs;
  EXPECT_EQ(metric_sum("crashy", "Errors"), 1.0);
}

TEST_F(EndpointFailures, AnInitErrorIsAnsweredWithThePostedErrorAtOnce) {
  // The runtime reports its init error and, unlike a well-behaved one, does not exit.
  create("misconfigured", R"SH(#!/bin/sh
echo "reading settings"
curl -sS -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" \
  -H "Lambda-Runtime-Function-Error-Type: Runtime.ConfigError" \
  --data-binary '{"errorMessage":"missing setting TABLE_NAME","errorType":"Runtime.ConfigError"}'
sleep 30
)SH");
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto started = std::chrono::steady_clock::now();
    aws::Result failed = invoke("misconfigured", "{}");
    EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "attempt " << attempt;
    EXPECT_EQ(failed.output.value("FunctionError", ""), "Unhandled");
    json error = json::parse(failed.body);
    EXPECT_EQ(error["errorType"], "Runtime.ConfigError") << failed.body;
    EXPECT_EQ(error["errorMessage"], "missing setting TABLE_NAME") << failed.body;
  }
  EXPECT_NE(log_text("misconfigured").find("reading settings\n"), std::string::npos);
}

TEST_F(EndpointFailures, ARuntimeExitingBeforeNextIsRuntimeExitError) {
  create("broken", "#!/bin/sh\necho 'cannot start: no config' >&2\nexit 3\n");
  aws::Result failed = invoke("broken", "{}");
  EXPECT_EQ(failed.output.value("FunctionError", ""), "Unhandled");
  json error = json::parse(failed.body);
  EXPECT_EQ(error["errorType"], "Runtime.ExitError") << failed.body;
  EXPECT_EQ(error["errorMessage"],
            "RequestId: " + failed.request_id + " Error: Runtime exited with error: exit status 3")
      << failed.body;
  EXPECT_NE(log_text("broken").find("cannot start: no config\n"), std::string::npos);
}

TEST_F(EndpointFailures, GoingOverMemorySizeIsRuntimeOutOfMemory) {
  // A worker process of the runtime (not the bootstrap itself) takes ~300 MB of a 128 MB
  // function: Lambda's limit is on the whole sandbox.
  create("hungry", test::tutorial_bootstrap("", R"SH(
  /usr/bin/python3 -c 'import time; b = b"x" * (300 << 20); time.sleep(3)'
  respond '{"ok":true}')SH"),
         10, 128);
  const auto started = std::chrono::steady_clock::now();
  aws::Result failed = invoke("hungry", "{}");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2500ms);
  EXPECT_EQ(failed.output.value("FunctionError", ""), "Unhandled");
  json error = json::parse(failed.body);
  EXPECT_EQ(error["errorType"], "Runtime.OutOfMemory") << failed.body;
  EXPECT_EQ(error["errorMessage"],
            "RequestId: " + failed.request_id + " Error: Runtime exited with error: signal: killed")
      << failed.body;
  std::smatch used;
  const std::string logs = log_text("hungry");
  ASSERT_TRUE(std::regex_search(logs, used,
                                std::regex("Memory Size: 128 MB\tMax Memory Used: ([0-9]+) MB")))
      << logs;
  EXPECT_GT(std::stoi(used[1].str()), 128) << used[0];
  EXPECT_NE(logs.find("Status: error\tError Type: Runtime.OutOfMemory"), std::string::npos) << logs;
}

TEST_F(EndpointFailures, TheCliShowsTheLogTailAndTheFunctionError) {
  if (!test::aws_cli_available()) GTEST_SKIP() << "/usr/bin/aws (AWS CLI v2) is not installed";
  create("moody", kMoody);
  const std::string out = (dir_.path() / "out.json").string();
  test::AwsCliRun run = test::run_aws_cli(
      endpoint_->url(),
      {"lambda", "invoke", "--function-name", "moody", "--log-type", "Tail", "--cli-binary-format",
       "raw-in-base64-out", "--payload", R"({"fail":true})", out});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json answer = run.json();
  EXPECT_EQ(answer["StatusCode"], 200) << run.out;
  EXPECT_EQ(answer["FunctionError"], "Unhandled") << run.out;
  EXPECT_EQ(answer["ExecutedVersion"], "$LATEST") << run.out;
  const std::string tail =
      base64_decode(answer.value("LogResult", "")).value_or("(LogResult is not base64)");
  EXPECT_LE(tail.size(), 4096u);
  EXPECT_NE(tail.find("START RequestId: "), std::string::npos) << tail;
  EXPECT_NE(tail.find("failing on purpose\n"), std::string::npos) << tail;
  EXPECT_NE(tail.find("REPORT RequestId: "), std::string::npos) << tail;
  EXPECT_EQ(json::parse(ld::test::read_file(out)),
            json({{"errorMessage", "it broke"}, {"errorType", "MyError"}}));
}

TEST_F(EndpointFailures, AnAlarmOnErrorsGoesToAlarm) {
  create("alarmed", kMoody);
  aws::CloudWatchClient cloudwatch(config());
  cloudwatch.put_metric_alarm(
      {{"AlarmName", "alarmed-errors"},
       {"Namespace", "AWS/Lambda"},
       {"MetricName", "Errors"},
       {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", "alarmed"}}})},
       {"Statistic", "Sum"},
       {"Period", 60},
       {"EvaluationPeriods", 1},
       {"Threshold", 0},
       {"ComparisonOperator", "GreaterThanThreshold"}});
  auto alarm = [&] {
    json described = cloudwatch.describe_alarms({{"AlarmNames", json::array({"alarmed-errors"})}});
    return described["MetricAlarms"].empty() ? json() : described["MetricAlarms"][0];
  };
  json first = alarm();
  EXPECT_EQ(first.value("StateValue", ""), "INSUFFICIENT_DATA") << first.dump();
  EXPECT_EQ(first.value("StateReason", ""), "Unchecked: Initial alarm creation");

  EXPECT_EQ(invoke("alarmed", R"({"fail":true})").output.value("FunctionError", ""), "Unhandled");
  EXPECT_EQ(invoke("alarmed", R"({"crash":true})").output.value("FunctionError", ""), "Unhandled");

  json now;
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < give_up) {
    now = alarm();
    if (now.value("StateValue", "") == "ALARM") break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(now.value("StateValue", ""), "ALARM") << now.dump();
  // "Threshold Crossed: 1 datapoint [2.0 (27/11/26 15:30:00)] was greater than the threshold
  // (0.0).", as CloudWatch words it.
  EXPECT_TRUE(std::regex_match(now.value("StateReason", ""),
                               std::regex(R"(Threshold Crossed: 1 datapoint \[[12]\.0 \()"
                                          R"(\d\d/\d\d/\d\d \d\d:\d\d:\d\d\)\] was greater than )"
                                          R"(the threshold \(0\.0\)\.)")))
      << now.value("StateReason", "");
  json reason_data = json::parse(now.value("StateReasonData", "{}"));
  EXPECT_EQ(reason_data.value("statistic", ""), "Sum") << reason_data.dump();
  EXPECT_EQ(reason_data.value("threshold", -1.0), 0.0);
}

}  // namespace
}  // namespace ld::local
