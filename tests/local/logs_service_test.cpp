// CloudWatch Logs on the local endpoint: served on 127.0.0.1 and called through the project's
// own LogsClient and /usr/bin/aws, with invocation logs written through the LogSink as the
// executor writes them.
#include "local/services/logs.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "aws/error.hpp"
#include "aws/services/logs.hpp"
#include "served_service.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A LogsService served on loopback, with the service kept for its sink.
struct Served {
  explicit Served(const std::filesystem::path& dir)
      : served(dir,
               [this](const State& state) {
                 service = std::make_shared<LogsService>(state);
                 return service;
               }),
        logs(served.config()) {}
  std::shared_ptr<LogsService> service;
  test::ServedService served;
  aws::LogsClient logs;
};

json put_log_events(const aws::LogsClient& logs, const json& input) {
  static const aws::Operation kPutLogEvents{.name = "PutLogEvents"};
  return logs.client().call(kPutLogEvents, aws::Call{.input = input}).output;
}

// The lines one Lambda invocation writes (START, the function's own, END, REPORT).
std::vector<LogEvent> invocation(std::int64_t at, const std::string& id, const std::string& line) {
  return {{at, "START RequestId: " + id + " Version: $LATEST\n"},
          {at + 1, line + "\n"},
          {at + 2, "END RequestId: " + id + "\n"},
          {at + 3, "REPORT RequestId: " + id +
                       "\tDuration: 2.51 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax "
                       "Memory Used: 20 MB\t\n"}};
}

std::vector<std::string> messages(const json& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.at("message").get<std::string>());
  return out;
}

TEST(LogsService, LogGroupsAreCreatedListedPagedGivenRetentionAndDeleted) {
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  const std::int64_t before = now_ms();
  for (const char* name : {"/aws/lambda/b", "/aws/lambda/a", "/other/c"})
    s.logs.create_log_group({{"logGroupName", name}});
  std::string message;
  EXPECT_EQ(test::error_of([&] {
              s.logs.create_log_group({{"logGroupName", "/aws/lambda/a"}});
            }),
            "ResourceAlreadyExistsException");
  EXPECT_EQ(test::error_of(
                [&] {
                  s.logs.create_log_group({{"logGroupName", "bad name!"}});
                },
                &message),
            "InvalidParameterException");
  EXPECT_NE(message.find("logGroupName"), std::string::npos) << message;

  json page = s.logs.describe_log_groups({{"logGroupNamePrefix", "/aws/lambda/"}, {"limit", 1}});
  ASSERT_EQ(page["logGroups"].size(), 1u);
  const json& a = page["logGroups"][0];
  EXPECT_EQ(a["logGroupName"], "/aws/lambda/a");
  EXPECT_EQ(a["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*");
  EXPECT_GE(a["creationTime"].get<std::int64_t>(), before);
  EXPECT_EQ(a["storedBytes"], 0);
  EXPECT_FALSE(a.contains("retentionInDays"));
  ASSERT_TRUE(page.contains("nextToken"));
  json second = s.logs.describe_log_groups(
      {{"logGroupNamePrefix", "/aws/lambda/"}, {"limit", 1}, {"nextToken", page["nextToken"]}});
  ASSERT_EQ(second["logGroups"].size(), 1u);
  EXPECT_EQ(second["logGroups"][0]["logGroupName"], "/aws/lambda/b");
  EXPECT_FALSE(second.contains("nextToken"));
  EXPECT_EQ(s.logs.describe_all_log_groups().size(), 3u);

  s.logs.put_retention_policy({{"logGroupName", "/aws/lambda/a"}, {"retentionInDays", 14}});
  EXPECT_EQ(s.logs.find_log_group("/aws/lambda/a").value()["retentionInDays"], 14);
  EXPECT_EQ(
      test::error_of([&] {
        s.logs.put_retention_policy({{"logGroupName", "/aws/lambda/a"}, {"retentionInDays", 8}});
      }),
      "InvalidParameterException");
  EXPECT_EQ(test::error_of([&] {
              s.logs.put_retention_policy({{"logGroupName", "/nope"}, {"retentionInDays", 7}});
            }),
            "ResourceNotFoundException");

  s.logs.delete_log_group({{"logGroupName", "/aws/lambda/a"}});
  EXPECT_FALSE(s.logs.find_log_group("/aws/lambda/a").has_value());
  EXPECT_EQ(test::error_of(
                [&] {
                  s.logs.delete_log_group({{"logGroupName", "/aws/lambda/a"}});
                },
                &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log group does not exist.");
}

TEST(LogsService, InvocationLogsFromTheSinkAreReadBackWithForwardAndBackwardTokens) {
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  const std::string group = "/aws/lambda/digest";
  const std::string stream = "2026/11/27/[$LATEST]0123456789abcdef";
  const std::int64_t t0 = now_ms() - 60'000;
  s.service->append(group, stream, invocation(t0, "r-1", "fetching repo lambdeploy"));
  s.service->append(group, stream, invocation(t0 + 1000, "r-2", "ERROR rate limited"));
  s.service->append(group, "2026/11/27/[$LATEST]older", invocation(t0 - 5000, "r-0", "cold"));

  // Streams by last event time, newest first, with their event times.
  json streams = s.logs.describe_log_streams(
      {{"logGroupName", group}, {"orderBy", "LastEventTime"}, {"descending", true}});
  ASSERT_EQ(streams["logStreams"].size(), 2u);
  const json& newest = streams["logStreams"][0];
  EXPECT_EQ(newest["logStreamName"], stream);
  EXPECT_EQ(newest["firstEventTimestamp"], t0);
  EXPECT_EQ(newest["lastEventTimestamp"], t0 + 1003);
  EXPECT_GE(newest["lastIngestionTime"].get<std::int64_t>(), t0);
  EXPECT_EQ(test::error_of([&] {
              s.logs.describe_log_streams({{"logGroupName", group},
                                           {"orderBy", "LastEventTime"},
                                           {"logStreamNamePrefix", "2026"}});
            }),
            "InvalidParameterException");
  EXPECT_EQ(
      s.logs
          .describe_log_streams({{"logGroupName", group},
                                 {"logStreamNamePrefix", "2026/11/27/[$LATEST]o"}})["logStreams"]
          .size(),
      1u);

  // The default reads the latest events; the backward token pages to older ones.
  json latest =
      s.logs.get_log_events({{"logGroupName", group}, {"logStreamName", stream}, {"limit", 3}});
  EXPECT_EQ(messages(latest["events"]),
            (std::vector<std::string>{"ERROR rate limited\n", "END RequestId: r-2\n",
                                      latest["events"][2]["message"].get<std::string>()}));
  EXPECT_EQ(latest["events"][2]["message"].get<std::string>().rfind("REPORT RequestId: r-2", 0),
            0u);
  EXPECT_EQ(latest["nextForwardToken"].get<std::string>().rfind("f/", 0), 0u);
  EXPECT_EQ(latest["nextBackwardToken"].get<std::string>().rfind("b/", 0), 0u);
  json older = s.logs.get_log_events({{"logGroupName", group},
                                      {"logStreamName", stream},
                                      {"limit", 3},
                                      {"nextToken", latest["nextBackwardToken"]}});
  EXPECT_EQ(messages(older["events"]),
            (std::vector<std::string>{"END RequestId: r-1\n",
                                      older["events"][1]["message"].get<std::string>(),
                                      "START RequestId: r-2 Version: $LATEST\n"}));

  // From the head, forward to the end: the last token comes back unchanged.
  json all = s.logs.get_all_log_events(
      {{"logGroupName", group}, {"logStreamName", stream}, {"startFromHead", true}, {"limit", 3}});
  ASSERT_EQ(all.size(), 8u);
  EXPECT_EQ(all[0]["message"], "START RequestId: r-1 Version: $LATEST\n");
  EXPECT_EQ(all[0]["timestamp"], t0);
  EXPECT_TRUE(all[0].contains("ingestionTime"));
  json end = s.logs.get_log_events(
      {{"logGroupName", group}, {"logStreamName", stream}, {"startFromHead", true}});
  json after = s.logs.get_log_events(
      {{"logGroupName", group}, {"logStreamName", stream}, {"nextToken", end["nextForwardToken"]}});
  EXPECT_TRUE(after["events"].empty());
  EXPECT_EQ(after["nextForwardToken"], end["nextForwardToken"]);
  // New events appear after the forward token (tailing).
  s.service->append(group, stream, {{t0 + 2000, "later\n"}});
  json tail = s.logs.get_log_events({{"logGroupName", group},
                                     {"logStreamName", stream},
                                     {"startFromHead", true},
                                     {"nextToken", end["nextForwardToken"]}});
  EXPECT_EQ(messages(tail["events"]), std::vector<std::string>{"later\n"});

  // Time window: [startTime, endTime).
  json window = s.logs.get_log_events({{"logGroupName", group},
                                       {"logStreamName", stream},
                                       {"startFromHead", true},
                                       {"startTime", t0 + 1},
                                       {"endTime", t0 + 3}});
  EXPECT_EQ(messages(window["events"]),
            (std::vector<std::string>{"fetching repo lambdeploy\n", "END RequestId: r-1\n"}));

  std::string message;
  EXPECT_EQ(test::error_of(
                [&] {
                  s.logs.get_log_events({{"logGroupName", group}, {"logStreamName", "nope"}});
                },
                &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log stream does not exist.");
  EXPECT_EQ(test::error_of(
                [&] {
                  s.logs.get_log_events({{"logGroupName", "/nope"}, {"logStreamName", "x"}});
                },
                &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log group does not exist.");
  EXPECT_EQ(test::error_of([&] {
              s.logs.get_log_events(
                  {{"logGroupName", group}, {"logStreamName", stream}, {"nextToken", "f/garbage"}});
            }),
            "InvalidParameterException");

  // storedBytes counts the messages.
  EXPECT_GT(s.logs.find_log_group(group).value()["storedBytes"].get<std::int64_t>(), 100);
}

TEST(LogsService, FilterLogEventsMatchesTermsPhrasesAlternativesAndStreams) {
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  const std::string group = "/aws/lambda/digest";
  const std::int64_t t0 = now_ms() - 60'000;
  s.service->append(group, "a", invocation(t0, "r-1", "ERROR rate limited by GitHub"));
  s.service->append(group, "b", invocation(t0 + 10, "r-2", "WARN slow response from GitHub"));
  s.service->append(group, "c", {{t0 + 20, "INFO all good"}});

  auto filter = [&](json input) {
    input["logGroupName"] = group;
    return messages(s.logs.filter_all_log_events(input)["events"]);
  };
  EXPECT_EQ(filter({{"filterPattern", "ERROR"}}),
            std::vector<std::string>{"ERROR rate limited by GitHub\n"});
  EXPECT_EQ(filter({{"filterPattern", "GitHub slow"}}),
            std::vector<std::string>{"WARN slow response from GitHub\n"});
  EXPECT_EQ(filter({{"filterPattern", "\"rate limited\""}}),
            std::vector<std::string>{"ERROR rate limited by GitHub\n"});
  EXPECT_TRUE(filter({{"filterPattern", "\"limited rate\""}}).empty());
  EXPECT_EQ(filter({{"filterPattern", "?ERROR ?WARN"}}),
            (std::vector<std::string>{"ERROR rate limited by GitHub\n",
                                      "WARN slow response from GitHub\n"}));
  EXPECT_EQ(filter({{"filterPattern", "GitHub -ERROR"}}),
            std::vector<std::string>{"WARN slow response from GitHub\n"});
  EXPECT_TRUE(filter({{"filterPattern", "error"}}).empty());  // case-sensitive
  EXPECT_EQ(filter({{"filterPattern", "REPORT"}, {"logStreamNames", {"b", "c"}}}).size(), 1u);
  EXPECT_EQ(filter({{"filterPattern", "RequestId"}, {"logStreamNamePrefix", "a"}}).size(), 3u);
  EXPECT_EQ(filter({{"startTime", t0 + 10}, {"endTime", t0 + 11}}).size(),
            2u);  // both ends inclusive

  json one = s.logs.filter_log_events({{"logGroupName", group}, {"limit", 4}});
  ASSERT_EQ(one["events"].size(), 4u);
  EXPECT_EQ(one["events"][0]["logStreamName"], "a");
  EXPECT_FALSE(one["events"][0]["eventId"].get<std::string>().empty());
  EXPECT_TRUE(one.contains("nextToken"));
  EXPECT_EQ(s.logs.filter_all_log_events({{"logGroupName", group}, {"limit", 4}})["events"].size(),
            9u);

  std::string message;
  EXPECT_EQ(test::error_of(
                [&] {
                  filter({{"filterPattern", "{ $.level = \"ERROR\" }"}});
                },
                &message),
            "InvalidParameterException");
  EXPECT_NE(message.find("JSON filter patterns are not supported"), std::string::npos) << message;
  EXPECT_EQ(test::error_of([&] {
              filter({{"filterPattern", "[ip, user]"}});
            }),
            "InvalidParameterException");
  EXPECT_EQ(test::error_of([&] {
              filter({{"filterPattern", "\"open"}});
            }),
            "InvalidParameterException");
  EXPECT_EQ(test::error_of([&] {
              s.logs.filter_log_events({{"logGroupName", "/nope"}});
            }),
            "ResourceNotFoundException");
}

TEST(LogsService, FilterLogEventsPagesStopAtOneMegabyteAsAwsDoes) {
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  const std::string group = "/aws/lambda/digest";
  const std::int64_t t0 = now_ms() - 60'000;
  std::vector<LogEvent> big;
  for (int i = 0; i < 3000; ++i) big.push_back({t0 + i, std::string(1000, 'x') + "\n"});
  s.service->append(group, "a", big);

  const json first = s.logs.filter_log_events({{"logGroupName", group}});
  EXPECT_GT(first["events"].size(), 500u);
  EXPECT_LT(first["events"].size(), 1100u);  // 3 MB of events: about a thousand to a page
  EXPECT_LE(first.dump().size(), 1024u * 1024u);
  ASSERT_TRUE(first.contains("nextToken"));
  EXPECT_EQ(s.logs.filter_all_log_events({{"logGroupName", group}})["events"].size(), 3000u);
}

TEST(LogsService, PutLogEventsRejectsTooOldAndTooNewEventsAndChecksItsInput) {
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  s.logs.create_log_group({{"logGroupName", "g"}});
  std::string message;
  EXPECT_EQ(test::error_of(
                [&] {
                  put_log_events(s.logs,
                                 {{"logGroupName", "g"},
                                  {"logStreamName", "s"},
                                  {"logEvents", {{{"timestamp", now_ms()}, {"message", "x"}}}}});
                },
                &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log stream does not exist.");
  static const aws::Operation kCreateLogStream{.name = "CreateLogStream"};
  s.logs.client().call(kCreateLogStream,
                       aws::Call{.input = {{"logGroupName", "g"}, {"logStreamName", "s"}}});
  EXPECT_EQ(test::error_of([&] {
              s.logs.client().call(kCreateLogStream, aws::Call{.input = {{"logGroupName", "g"},
                                                                         {"logStreamName", "s"}}});
            }),
            "ResourceAlreadyExistsException");

  const std::int64_t now = now_ms();
  const std::int64_t hour = 3600'000;
  const std::int64_t day = 24 * hour;
  auto put = [&](json events) {
    return put_log_events(s.logs,
                          {{"logGroupName", "g"}, {"logStreamName", "s"}, {"logEvents", events}});
  };
  auto event = [](std::int64_t t, const std::string& m) {
    return json{{"timestamp", t}, {"message", m}};
  };
  // Sequence tokens are neither needed nor checked, as AWS since 2023.
  json out = put_log_events(
      s.logs, {{"logGroupName", "g"},
               {"logStreamName", "s"},
               {"sequenceToken", "stale"},
               {"logEvents",
                {event(now - 14 * day - 2 * hour, "old"), event(now - 14 * day - hour, "old2"),
                 event(now - 14 * day + hour, "kept")}}});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"tooOldLogEventEndIndex", 2}}));
  out = put({event(now, "now"), event(now + 3 * hour, "future")});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"tooNewLogEventStartIndex", 1}}));
  EXPECT_FALSE(put({event(now + 1, "fine")}).contains("rejectedLogEventsInfo"));

  s.logs.put_retention_policy({{"logGroupName", "g"}, {"retentionInDays", 1}});
  out = put({event(now - day - hour / 2, "expired"), event(now - hour, "recent")});
  EXPECT_EQ(out["rejectedLogEventsInfo"], json({{"expiredLogEventEndIndex", 1}}));

  EXPECT_EQ(messages(s.logs.get_all_log_events(
                {{"logGroupName", "g"}, {"logStreamName", "s"}, {"startFromHead", true}})),
            (std::vector<std::string>{"kept", "recent", "now", "fine"}));

  EXPECT_EQ(test::error_of(
                [&] {
                  put({event(now, "b"), event(now - 1, "a")});
                },
                &message),
            "InvalidParameterException");
  EXPECT_EQ(message, "Log events in a single PutLogEvents request must be in chronological order.");
  EXPECT_EQ(test::error_of(
                [&] {
                  put({event(now - 2 * day, "a"), event(now, "b")});
                },
                &message),
            "InvalidParameterException");
  EXPECT_NE(message.find("24 hours"), std::string::npos) << message;
  EXPECT_EQ(test::error_of([&] { put(json::array()); }), "InvalidParameterException");
  EXPECT_EQ(test::error_of(
                [&] {
                  put_log_events(s.logs, {{"logGroupName", "nope"},
                                          {"logStreamName", "s"},
                                          {"logEvents", {event(now, "x")}}});
                },
                &message),
            "ResourceNotFoundException");
  EXPECT_EQ(message, "The specified log group does not exist.");
}

TEST(LogsService, TheAwsCliCreatesPutsGetsAndFilters) {
  if (!std::filesystem::exists("/usr/bin/aws")) GTEST_SKIP() << "/usr/bin/aws is not installed";
  ld::test::TempDir dir("logs");
  Served s(dir.path());
  auto created = s.served.aws({"logs", "create-log-group", "--log-group-name", "/aws/lambda/cli"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  static const aws::Operation kCreateLogStream{.name = "CreateLogStream"};
  s.logs.client().call(kCreateLogStream, aws::Call{.input = {{"logGroupName", "/aws/lambda/cli"},
                                                             {"logStreamName", "st"}}});
  const std::string t = std::to_string(now_ms());
  auto put = s.served.aws({"logs", "put-log-events", "--log-group-name", "/aws/lambda/cli",
                           "--log-stream-name", "st", "--log-events",
                           "timestamp=" + t + ",message=hello GitHub",
                           "timestamp=" + t + ",message=ERROR boom"});
  ASSERT_EQ(put.exit_code, 0) << put.err;
  EXPECT_TRUE(json::parse(put.out).contains("nextSequenceToken")) << put.out;

  auto got = s.served.aws({"logs", "get-log-events", "--log-group-name", "/aws/lambda/cli",
                           "--log-stream-name", "st", "--start-from-head"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  json events = json::parse(got.out);
  EXPECT_EQ(messages(events["events"]), (std::vector<std::string>{"hello GitHub", "ERROR boom"}));
  EXPECT_EQ(events["events"][0]["timestamp"], std::stoll(t));

  auto filtered = s.served.aws({"logs", "filter-log-events", "--log-group-name", "/aws/lambda/cli",
                                "--filter-pattern", "?ERROR ?FATAL"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  json found = json::parse(filtered.out);
  ASSERT_EQ(found["events"].size(), 1u) << filtered.out;
  EXPECT_EQ(found["events"][0]["message"], "ERROR boom");
  EXPECT_EQ(found["events"][0]["logStreamName"], "st");

  auto missing = s.served.aws(
      {"logs", "get-log-events", "--log-group-name", "/nope", "--log-stream-name", "st"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("ResourceNotFoundException"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("The specified log group does not exist."), std::string::npos)
      << missing.err;
}

TEST(LogsService, GroupsStreamsAndEventsSurviveReopeningTheState) {
  ld::test::TempDir dir("logs");
  const std::int64_t t0 = now_ms() - 1000;
  {
    Served s(dir.path());
    s.service->append("/aws/lambda/keep", "st", invocation(t0, "r-1", "remember me"));
    s.logs.put_retention_policy({{"logGroupName", "/aws/lambda/keep"}, {"retentionInDays", 30}});
  }
  Served again(dir.path());
  auto group = again.logs.find_log_group("/aws/lambda/keep");
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ((*group)["retentionInDays"], 30);
  json events = again.logs.get_all_log_events(
      {{"logGroupName", "/aws/lambda/keep"}, {"logStreamName", "st"}, {"startFromHead", true}});
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[1]["message"], "remember me\n");
  EXPECT_EQ(events[1]["timestamp"], t0 + 1);
}

}  // namespace
}  // namespace ld::local
