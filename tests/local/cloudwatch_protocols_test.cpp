// CloudWatch in its three protocols: awsQuery (the project's own client), AWS JSON 1.0
// (query-compatible: botocore, JS v3) and Smithy RPC v2 CBOR (Java v2, Go v2). The decoders and
// encoders are checked against the conformance vectors (the js-v3 snapshots and the Smithy
// protocol tests), then the same calls go through a real endpoint on loopback in each protocol.
#include "local/wire_query_compatible.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "aws/endpoints.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"
#include "local/services/cloudwatch.hpp"
#include "served_service.hpp"
#include "support/cloudwatch_requests.hpp"
#include "support/conformance.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

std::filesystem::path vectors() {
  return ld::test::conformance_dir() / "cloudwatch-protocols";
}

// One js-v3 snapshot request: its headers and its JSON body.
struct SnapshotRequest {
  HttpRequest http;
  json body;
};

// Reads sdk-js-v3-snapshots/req/{name}.txt: method and URL, path, headers, then the body.
SnapshotRequest snapshot_request(const std::string& name) {
  const std::string text =
      ld::test::read_file(vectors() / "sdk-js-v3-snapshots/req" / (name + ".txt"));
  SnapshotRequest out;
  out.http.method = "POST";
  out.http.path = "/";
  // The body follows "[string (json)]" (or "[Uint8Array (json)]" in DescribeAlarms.txt).
  std::size_t body_at = text.find("(json)]\n");
  std::vector<std::string> lines = split(text.substr(0, text.rfind('[', body_at)), '\n');
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const std::size_t colon = lines[i].find(": ");
    if (colon == std::string::npos) continue;
    out.http.headers.set(lines[i].substr(0, colon), lines[i].substr(colon + 2));
  }
  std::string body = text.substr(body_at + 8);
  body = body.substr(0, body.find("\n==="));
  out.http.body = json::parse(body).dump();
  out.body = json::parse(body);
  return out;
}

// The body, status and headers of one js-v3 response snapshot's "w/ optional fields" section.
struct SnapshotResponse {
  int status = 0;
  std::string content_type;
  json body;
};

SnapshotResponse snapshot_response(const std::string& folder, const std::string& name) {
  const std::string text =
      ld::test::read_file(vectors() / "sdk-js-v3-snapshots" / folder / (name + ".txt"));
  const std::string section = text.substr(text.find("=== w/ optional fields ==="));
  SnapshotResponse out;
  out.status = std::stoi(section.substr(section.find("[status] ") + 9, 3));
  const std::size_t type_at = section.find("content-type: ") + 14;
  out.content_type = section.substr(type_at, section.find('\n', type_at) - type_at);
  const std::size_t body_at = section.find("[Uint8Array (json)]\n") + 20;
  out.body = json::parse(section.substr(body_at, section.find("\n\n\n---", body_at) - body_at));
  return out;
}

// The body of the Smithy protocol test `id` in `file` (one line, base64 for CBOR, or a """
// block), decoded.
std::string smithy_body(const std::string& file, const std::string& id, bool base64) {
  const std::string text = ld::test::read_file(vectors() / file);
  const std::size_t at = text.find("id: \"" + id + "\"");
  EXPECT_NE(at, std::string::npos) << id;
  const std::size_t body = text.find("body: ", at) + 6;
  std::string value;
  if (text.compare(body, 3, "\"\"\"") == 0) {
    value = text.substr(body + 3, text.find("\"\"\"", body + 3) - body - 3);
  } else {
    value = text.substr(body + 1, text.find('"', body + 1) - body - 1);
  }
  if (!base64) return value;
  return base64_decode(value).value_or("<not base64>");
}

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (unsigned v : values) out += static_cast<char>(v);
  return out;
}

using ld::test::cloudwatch_cbor_request;
using ld::test::cloudwatch_json_request;

// --- js-v3 snapshots: 4 requests, 1 response, 2 errors ---

TEST(CloudWatchProtocolVectors, JsV3RequestsDecodeToTheirBodies) {
  for (const char* name :
       {"PutMetricAlarm", "DescribeAlarms", "GetMetricStatistics", "PutMetricData"}) {
    SCOPED_TRACE(name);
    SnapshotRequest request = snapshot_request(name);
    ASSERT_EQ(compatible_protocol_of(aws::kCloudWatch, request.http), CompatibleProtocol::Json10);
    CompatibleCall call = decode_compatible(CompatibleProtocol::Json10, request.http);
    EXPECT_EQ(call.operation, name);
    EXPECT_EQ(call.input, request.body);
  }
  // The epoch-seconds timestamp arrives as the number the service reads.
  CompatibleCall call =
      decode_compatible(CompatibleProtocol::Json10, snapshot_request("GetMetricStatistics").http);
  EXPECT_DOUBLE_EQ(call.input["StartTime"].get<double>(), 946702799.999);
}

TEST(CloudWatchProtocolVectors, JsV3GetMetricStatisticsResponseHasEpochSeconds) {
  SnapshotResponse expected = snapshot_response("res", "GetMetricStatistics");
  ApiReply reply;
  reply.output = expected.body;
  for (auto& point : reply.output["Datapoints"]) point["Timestamp"] = "2000-01-01T04:59:59.999Z";
  HttpResponse response =
      encode_compatible_reply(CompatibleProtocol::Json10, "GetMetricStatistics", reply, "rid");
  EXPECT_EQ(response.status, expected.status);
  EXPECT_EQ(response.headers.get("Content-Type"), expected.content_type);
  EXPECT_EQ(response.headers.get("x-amzn-RequestId"), "rid");
  EXPECT_EQ(json::parse(response.body), expected.body);
}

TEST(CloudWatchProtocolVectors, JsV3ErrorsCarryShapeIdAndQueryError) {
  struct Case {
    const char* file;
    const char* code;
    int status;
  };
  for (const Case& c : {Case{"ResourceNotFound", "ResourceNotFound", 404},
                        Case{"InvalidParameterValueException", "InvalidParameterValue", 400}}) {
    SCOPED_TRACE(c.file);
    SnapshotResponse expected = snapshot_response("res-err", c.file);
    HttpResponse response = encode_compatible_error(
        CompatibleProtocol::Json10, ApiError(c.code, "__message__", c.status), "rid");
    EXPECT_EQ(response.status, expected.status);
    EXPECT_EQ(response.headers.get("Content-Type"), expected.content_type);
    EXPECT_EQ(json::parse(response.body), expected.body);
    // The snapshots print "undefined;Sender" (their generator had no code); AWS sends the code.
    EXPECT_EQ(response.headers.get("x-amzn-query-error"), std::string(c.code) + ";Sender");
  }
}

// --- Smithy awsJson1_0 ---

TEST(CloudWatchProtocolVectors, AwsJson10EmptyInputAndOutput) {
  // AwsJson10MustAlwaysSendEmptyJsonPayload, AwsJson10ServiceSupportsNoPayloadForNoInput.
  for (const char* id :
       {"AwsJson10MustAlwaysSendEmptyJsonPayload", "AwsJson10ServiceSupportsNoPayloadForNoInput"}) {
    SCOPED_TRACE(id);
    const std::string body = smithy_body("awsJson1_0/empty-input-output.smithy", id, false);
    CompatibleCall call = decode_compatible(CompatibleProtocol::Json10,
                                            cloudwatch_json_request("DescribeAlarms", body));
    EXPECT_EQ(call.input, json::object());
  }
  // AwsJson10ServiceRespondsWithNoPayload: an operation without output, no body, Content-Type.
  HttpResponse none =
      encode_compatible_reply(CompatibleProtocol::Json10, "PutMetricAlarm", ApiReply{}, "rid");
  EXPECT_EQ(none.body, smithy_body("awsJson1_0/empty-input-output.smithy",
                                   "AwsJson10ServiceRespondsWithNoPayload", false));
  EXPECT_EQ(none.headers.get("Content-Type"), "application/x-amz-json-1.0");
  // AwsJson10EmptyInputAndEmptyOutputSendJsonObject: a modeled but empty output is {}.
  HttpResponse empty =
      encode_compatible_reply(CompatibleProtocol::Json10, "ListMetrics", ApiReply{}, "rid");
  EXPECT_EQ(empty.body, smithy_body("awsJson1_0/empty-input-output.smithy",
                                    "AwsJson10EmptyInputAndEmptyOutputSendJsonObject", false));
}

TEST(CloudWatchProtocolVectors, AwsJson10QueryCompatibleErrors) {
  // QueryCompatibleAwsJson10CustomCodeError: the code and fault in x-amzn-query-error.
  const json custom = json::parse(smithy_body("awsJson1_0/query-compatible.smithy",
                                              "QueryCompatibleAwsJson10CustomCodeError", false));
  HttpResponse response =
      encode_compatible_error(CompatibleProtocol::Json10, ApiError("Customized", "Hi"), "rid");
  EXPECT_EQ(response.headers.get("x-amzn-query-error"), "Customized;Sender");
  EXPECT_EQ(json::parse(response.body)["message"], custom["message"]);
  // QueryCompatibleAwsJson10NoCustomCodeError: no awsQueryError code (CloudWatch's
  // ConflictException), no header; clients use __type.
  const json plain = json::parse(smithy_body("awsJson1_0/query-compatible.smithy",
                                             "QueryCompatibleAwsJson10NoCustomCodeError", false));
  HttpResponse conflict = encode_compatible_error(CompatibleProtocol::Json10,
                                                  ApiError("ConflictException", "Hi", 409), "rid");
  EXPECT_FALSE(conflict.headers.has("x-amzn-query-error"));
  const json body = json::parse(conflict.body);
  EXPECT_EQ(body["__type"], "com.amazonaws.cloudwatch#ConflictException");
  EXPECT_EQ(body["Message"], plain["message"]);  // the model spells it Message here
}

// --- Smithy rpcv2Cbor ---

TEST(CloudWatchProtocolVectors, RpcV2CborEmptyInputs) {
  for (const char* id : {"NoInputServerAllowsEmptyCbor", "NoInputServerAllowsEmptyBody",
                         "empty_input", "empty_input_no_body"}) {
    SCOPED_TRACE(id);
    HttpRequest request = cloudwatch_cbor_request(
        "DescribeAlarms", smithy_body("rpcv2Cbor/empty-input-output.smithy", id, true));
    ASSERT_EQ(compatible_protocol_of(aws::kCloudWatch, request), CompatibleProtocol::RpcV2Cbor);
    CompatibleCall call = decode_compatible(CompatibleProtocol::RpcV2Cbor, request);
    EXPECT_EQ(call.operation, "DescribeAlarms");
    EXPECT_EQ(call.input, json::object());
  }
}

TEST(CloudWatchProtocolVectors, RpcV2CborEmptyOutputs) {
  // no_output: an operation whose output is Unit has no body and no Content-Type.
  HttpResponse none =
      encode_compatible_reply(CompatibleProtocol::RpcV2Cbor, "PutMetricAlarm", ApiReply{}, "rid");
  EXPECT_EQ(none.body, smithy_body("rpcv2Cbor/empty-input-output.smithy", "no_output", true));
  EXPECT_FALSE(none.headers.has("Content-Type"));
  EXPECT_EQ(none.headers.get("Smithy-Protocol"), "rpc-v2-cbor");
  // empty_output: an empty map (bf ff there; a0, its definite form, here).
  HttpResponse empty =
      encode_compatible_reply(CompatibleProtocol::RpcV2Cbor, "ListMetrics", ApiReply{}, "rid");
  EXPECT_EQ(
      json::from_cbor(empty.body),
      json::from_cbor(smithy_body("rpcv2Cbor/empty-input-output.smithy", "empty_output", true)));
  EXPECT_EQ(empty.headers.get("Content-Type"), "application/cbor");
}

TEST(CloudWatchProtocolVectors, RpcV2CborFractionalSecondsTimestamp) {
  // RpcV2CborDateTimeWithFractionalSeconds: bf 68 "datetime" c1 fb 41cc37db380fbe77 ff.
  const std::string body = smithy_body("rpcv2Cbor/fractional-seconds.smithy",
                                       "RpcV2CborDateTimeWithFractionalSeconds", true);
  const json read = read_cbor_object(body, "the vector");
  EXPECT_DOUBLE_EQ(read["datetime"].get<double>(), 946845296.123);
  // The encoder writes the same tag and float for a CloudWatch timestamp member.
  ApiReply reply;
  reply.output = {{"Datapoints", {{{"Timestamp", "2000-01-02T20:34:56.123Z"}}}}};
  HttpResponse response =
      encode_compatible_reply(CompatibleProtocol::RpcV2Cbor, "GetMetricStatistics", reply, "rid");
  const std::string tagged = bytes({0xc1, 0xfb, 0x41, 0xcc, 0x37, 0xdb, 0x38, 0x0f, 0xbe, 0x77});
  EXPECT_NE(response.body.find(tagged), std::string::npos);
  EXPECT_NE(body.find(tagged), std::string::npos);
}

TEST(CloudWatchProtocolVectors, RpcV2CborQueryCompatibleErrors) {
  // QueryCompatibleRpcV2CborCustomCodeError: {__type, message} and Customized;Sender.
  const json custom =
      json::from_cbor(smithy_body("rpcv2Cbor/aws-query-compatible/query-compatible.smithy",
                                  "QueryCompatibleRpcV2CborCustomCodeError", true));
  HttpResponse response =
      encode_compatible_error(CompatibleProtocol::RpcV2Cbor, ApiError("Customized", "Hi"), "rid");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.headers.get("x-amzn-query-error"), "Customized;Sender");
  EXPECT_EQ(response.headers.get("Smithy-Protocol"), "rpc-v2-cbor");
  EXPECT_EQ(response.headers.get("Content-Type"), "application/cbor");
  const json body = json::from_cbor(response.body);
  EXPECT_EQ(body["message"], custom["message"]);
  EXPECT_EQ(body.size(), custom.size());
  // QueryCompatibleRpcV2CborNoCustomCodeError: no header without an awsQueryError code.
  HttpResponse conflict = encode_compatible_error(CompatibleProtocol::RpcV2Cbor,
                                                  ApiError("ConflictException", "Hi", 409), "rid");
  EXPECT_FALSE(conflict.headers.has("x-amzn-query-error"));
  EXPECT_EQ(json::from_cbor(conflict.body)["__type"], "com.amazonaws.cloudwatch#ConflictException");
}

TEST(CloudWatchProtocolVectors, RpcV2CborRefusesTargetHeaderAndDeepInput) {
  HttpRequest targeted = cloudwatch_cbor_request("DescribeAlarms", "");
  targeted.headers.set("X-Amz-Target", "GraniteServiceVersion20100801.DescribeAlarms");
  EXPECT_THROW(decode_compatible(CompatibleProtocol::RpcV2Cbor, targeted), ApiError);
  // 200 nested one-element arrays inside a map: refused before it is built.
  std::string deep = bytes({0xa1, 0x61, 'A'}) + std::string(200, '\x81') + bytes({0xf6});
  EXPECT_THROW(read_cbor_object(deep, "deep"), ApiError);
  EXPECT_THROW(read_cbor_object(bytes({0x81, 0x01}), "an array"), ApiError);
}

// --- the same calls through a real endpoint, in all three protocols ---

// A CloudWatchService on loopback, and signed raw requests for JSON 1.0 and CBOR.
struct Endpoint {
  explicit Endpoint(const std::filesystem::path& dir)
      : served(dir,
               [](const State& state) {
                 return std::make_shared<CloudWatchService>(
                     state,
                     CloudWatchOptions{.seconds_per_period_second = 1.0, .evaluate_alarms = false});
               }),
        cloudwatch(served.config()) {}

  HttpResponse send(HttpRequest request) const {
    return ld::test::send_signed(served.url(), std::move(request), "monitoring");
  }

  test::ServedService served;
  aws::CloudWatchClient cloudwatch;
};

json alarm_input(const std::string& name) {
  return {{"AlarmName", name},
          {"Namespace", "AWS/Lambda"},
          {"MetricName", "Errors"},
          {"Dimensions", {{{"Name", "FunctionName"}, {"Value", "digest"}}}},
          {"Statistic", "Sum"},
          {"Period", 60},
          {"EvaluationPeriods", 1},
          {"Threshold", 2.5},
          {"ComparisonOperator", "GreaterThanOrEqualToThreshold"}};
}

double now_seconds() {
  return static_cast<double>(system_now().time_since_epoch().count()) / 1000.0;
}

// A decoded answer: status, headers and the body as JSON (from JSON or CBOR).
struct Answer {
  HttpResponse http;
  json body;
};

Answer call(const Endpoint& endpoint, bool cbor, const std::string& operation, const json& input) {
  HttpRequest request = cbor ? cloudwatch_cbor_request(operation, std::string())
                             : cloudwatch_json_request(operation, input.dump());
  if (cbor) {
    // Timestamps as tag 1, as the CBOR SDKs send them.
    request.body = write_cbor(input);
    request.headers.set("Content-Type", "application/cbor");
  }
  Answer answer;
  answer.http = endpoint.send(request);
  if (!answer.http.body.empty()) {
    answer.body =
        cbor ? read_cbor_object(answer.http.body, "the answer") : json::parse(answer.http.body);
  }
  return answer;
}

void round_trip(bool cbor) {
  ld::test::TempDir dir(cbor ? "cw-cbor" : "cw-json10");
  Endpoint endpoint(dir.path());
  const std::string media = cbor ? "application/cbor" : "application/x-amz-json-1.0";

  Answer put = call(endpoint, cbor, "PutMetricAlarm", alarm_input("errors"));
  ASSERT_EQ(put.http.status, 200) << put.http.body;
  EXPECT_TRUE(put.http.body.empty());
  EXPECT_EQ(put.http.headers.has("Content-Type"), !cbor);
  EXPECT_TRUE(put.http.headers.has("x-amzn-RequestId"));
  if (cbor) {
    EXPECT_EQ(put.http.headers.get("Smithy-Protocol"), "rpc-v2-cbor");
  }

  Answer described = call(endpoint, cbor, "DescribeAlarms", {{"AlarmNames", {"errors"}}});
  ASSERT_EQ(described.http.status, 200) << described.http.body;
  EXPECT_EQ(described.http.headers.get("Content-Type"), media);
  ASSERT_EQ(described.body["MetricAlarms"].size(), 1u) << described.body.dump();
  const json& alarm = described.body["MetricAlarms"][0];
  EXPECT_EQ(alarm["AlarmName"], "errors");
  EXPECT_EQ(alarm["Period"], 60);
  EXPECT_DOUBLE_EQ(alarm["Threshold"].get<double>(), 2.5);
  EXPECT_EQ(alarm["StateValue"], "INSUFFICIENT_DATA");
  EXPECT_EQ(alarm["Dimensions"][0]["Value"], "digest");
  EXPECT_EQ(alarm["ActionsEnabled"], true);
  ASSERT_TRUE(alarm["StateUpdatedTimestamp"].is_number()) << alarm.dump();
  EXPECT_NEAR(alarm["StateUpdatedTimestamp"].get<double>(), now_seconds(), 60);
  if (cbor) {
    EXPECT_NE(described.http.body.find('\xc1'), std::string::npos);  // tag 1
  }

  const double now = std::floor(now_seconds());
  Answer data = call(endpoint, cbor, "PutMetricData",
                     {{"Namespace", "Digest"},
                      {"MetricData",
                       {{{"MetricName", "Latency"}, {"Value", 7.5}, {"Timestamp", now - 30}},
                        {{"MetricName", "Latency"}, {"Value", 2.5}, {"Timestamp", now - 30}}}}});
  ASSERT_EQ(data.http.status, 200) << data.http.body;
  Answer stats = call(endpoint, cbor, "GetMetricStatistics",
                      {{"Namespace", "Digest"},
                       {"MetricName", "Latency"},
                       {"StartTime", now - 600},
                       {"EndTime", now + 60},
                       {"Period", 60},
                       {"Statistics", {"Sum", "SampleCount", "Maximum"}}});
  ASSERT_EQ(stats.http.status, 200) << stats.http.body;
  ASSERT_EQ(stats.body["Datapoints"].size(), 1u) << stats.body.dump();
  const json& point = stats.body["Datapoints"][0];
  EXPECT_DOUBLE_EQ(point["Sum"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(point["SampleCount"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(point["Maximum"].get<double>(), 7.5);
  ASSERT_TRUE(point["Timestamp"].is_number()) << point.dump();
  EXPECT_NEAR(point["Timestamp"].get<double>(), now - 30, 60);

  Answer missing = call(endpoint, cbor, "SetAlarmState",
                        {{"AlarmName", "nope"}, {"StateValue", "OK"}, {"StateReason", "r"}});
  EXPECT_EQ(missing.http.status, 404);
  EXPECT_EQ(missing.http.headers.get("x-amzn-query-error"), "ResourceNotFound;Sender");
  EXPECT_EQ(missing.http.headers.get("Content-Type"), media);
  EXPECT_EQ(missing.body["__type"], "com.amazonaws.cloudwatch#ResourceNotFound");
  EXPECT_EQ(missing.body["message"], "Alarm nope not found");

  // A missing parameter: the modeled shape and its query code.
  Answer invalid = call(endpoint, cbor, "PutMetricAlarm", {{"AlarmName", "x"}});
  EXPECT_EQ(invalid.http.status, 400);
  EXPECT_EQ(invalid.body["__type"], "com.amazonaws.cloudwatch#MissingRequiredParameterException");
  EXPECT_EQ(invalid.http.headers.get("x-amzn-query-error"), "MissingParameter;Sender");

  // A bad signature answers in the request's protocol too.
  HttpRequest unsigned_request = cbor ? cloudwatch_cbor_request("DescribeAlarms", "")
                                      : cloudwatch_json_request("DescribeAlarms", "{}");
  const aws::Endpoint at = aws::Endpoint::parse(endpoint.served.url());
  unsigned_request.scheme = at.scheme;
  unsigned_request.host = at.host;
  unsigned_request.port = at.port;
  unsigned_request.headers.set(
      "Authorization",
      "AWS4-HMAC-SHA256 Credential=nobody/20250101/us-east-1/monitoring/aws4_request, "
      "SignedHeaders=host, Signature=00");
  unsigned_request.headers.set("X-Amz-Date", "20250101T000000Z");
  HttpResponse refused = make_socket_transport()->send(unsigned_request);
  EXPECT_GE(refused.status, 400);
  EXPECT_EQ(refused.headers.get("Content-Type"), media);
  EXPECT_TRUE(refused.headers.has("x-amzn-query-error"));
}

TEST(CloudWatchProtocols, Json10RoundTrip) {
  round_trip(false);
}

TEST(CloudWatchProtocols, RpcV2CborRoundTrip) {
  round_trip(true);
}

TEST(CloudWatchProtocols, QueryRoundTripThroughOwnClient) {
  ld::test::TempDir dir("cw-query");
  Endpoint endpoint(dir.path());
  endpoint.cloudwatch.put_metric_alarm(alarm_input("errors"));
  json page = endpoint.cloudwatch.describe_alarms({{"AlarmNames", {"errors"}}});
  ASSERT_EQ(page["MetricAlarms"].size(), 1u) << page.dump();
  EXPECT_EQ(page["MetricAlarms"][0]["AlarmName"], "errors");
  std::string message;
  EXPECT_EQ(test::error_of(
                [&] {
                  static const aws::Operation kSetAlarmState{.name = "SetAlarmState"};
                  endpoint.cloudwatch.client().call(kSetAlarmState,
                                                    aws::Call{.input = {{"AlarmName", "nope"},
                                                                        {"StateValue", "OK"},
                                                                        {"StateReason", "r"}}});
                },
                &message),
            "ResourceNotFound");
  EXPECT_EQ(message, "Alarm nope not found");
  static const aws::Operation kGetMetricStatistics{.name = "GetMetricStatistics"};
  const double now = std::floor(now_seconds());
  aws::Result stats = endpoint.cloudwatch.client().call(
      kGetMetricStatistics,
      aws::Call{.input = {{"Namespace", "Digest"},
                          {"MetricName", "Latency"},
                          {"StartTime", format_iso8601(Timestamp(std::chrono::milliseconds(
                                            static_cast<std::int64_t>(now - 600) * 1000)))},
                          {"EndTime", format_iso8601(Timestamp(std::chrono::milliseconds(
                                          static_cast<std::int64_t>(now) * 1000)))},
                          {"Period", 60},
                          {"Statistics", {"Sum"}}}});
  EXPECT_TRUE(stats.output.contains("Datapoints") || stats.output.empty()) << stats.output.dump();
}

TEST(CloudWatchProtocols, AnUnservedOperationIsNamedOnStderr) {
  ld::test::TempDir dir("cw-unserved");
  Endpoint endpoint(dir.path());
  testing::internal::CaptureStderr();
  Answer json10 = call(endpoint, false, "ListFrobs", json::object());
  Answer cbor = call(endpoint, true, "ListFrobs", json::object());
  const std::string printed = testing::internal::GetCapturedStderr();
  EXPECT_NE(printed.find("lambdeploy local: CloudWatch ListFrobs is not served\n"),
            std::string::npos)
      << printed;
  for (const Answer* answer : {&json10, &cbor}) {
    EXPECT_EQ(answer->http.status, 400);
    EXPECT_EQ(answer->body["__type"], "UnknownOperationException");
    EXPECT_EQ(answer->http.headers.get("x-amzn-query-error"), "InvalidAction;Sender");
  }
}

}  // namespace
}  // namespace ld::local
