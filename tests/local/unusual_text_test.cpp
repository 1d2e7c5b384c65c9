// Text a client may send that the endpoint must not choke on: bytes that are not UTF-8 (in an S3
// key or header, an IAM or STS form, an SSM or Logs body) get the service's own 400, never a 500
// with the JSON library's message; bytes AWS keeps (S3 header values, a function's output) are
// kept; and an S3 key with a newline is stored, read back and listed.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "aws/error.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/sts.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/transport.hpp"
#include "core/utf8.hpp"
#include "local/endpoint.hpp"
#include "local/front_end.hpp"
#include "local/services/logs.hpp"
#include "local/services/s3.hpp"
#include "local_client.hpp"
#include "served_service.hpp"
#include "support/aws_cli.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// The whole endpoint on a free port, its state in a temp dir.
class Running {
 public:
  Running() : dir_("unusual-text") {
    EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_.path() / "data";
    endpoint_ = std::make_unique<Endpoint>(options);
    endpoint_->start();
  }
  std::string url() const { return endpoint_->url(); }
  aws::ClientConfig config() const { return ld::test::client_config(url()); }

  // `request` (path as it goes on the wire) signed with the default key for `service`, sent.
  HttpResponse send(HttpRequest request, const std::string& service) const {
    return ld::test::send_signed(url(), std::move(request), service);
  }

  // A json-1.1 call (SSM, Logs) with `body` sent as given.
  HttpResponse send_json(const std::string& target, const std::string& body,
                         const std::string& service) const {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers.set("Content-Type", "application/x-amz-json-1.1");
    request.headers.set("X-Amz-Target", target);
    request.body = body;
    return send(request, service);
  }

  // A query-protocol call (IAM, STS) with the form `body` sent as given.
  HttpResponse send_form(const std::string& body, const std::string& service) const {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = body;
    return send(request, service);
  }

 private:
  ld::test::TempDir dir_;
  std::unique_ptr<Endpoint> endpoint_;
};

// The code and status a call fails with ("" and 0 when it succeeds).
template <typename F>
std::pair<std::string, int> failure_of(F&& f) {
  try {
    f();
  } catch (const aws::AwsError& e) {
    return {e.code(), e.http_status()};
  }
  return {"", 0};
}

TEST(UnusualText, Utf8ValidityIsRfc3629s) {
  EXPECT_TRUE(is_valid_utf8("plain ascii, caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("\xFF\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));          // cut short
  EXPECT_TRUE(is_valid_utf8(std::string("nul\0inside", 10)));
}

TEST(UnusualText, AnS3KeyThatIsNotUtf8IsInvalidUri) {
  Running endpoint;
  aws::S3Client s3(endpoint.config());
  s3.create_bucket({{"Bucket", "bytes"}});
  HttpRequest put;
  put.method = "PUT";
  put.path = "/bytes/%FF%FE";
  put.body = "hello";
  HttpResponse answer = endpoint.send(put, "s3");
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_NE(answer.body.find("<Code>InvalidURI</Code>"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("<Message>Couldn't parse the specified URI.</Message>"),
            std::string::npos)
      << answer.body;
  EXPECT_EQ(answer.headers.get("Content-Type"), "application/xml");

  HttpRequest get;
  get.path = "/bytes/a%C0%AF";
  EXPECT_EQ(endpoint.send(get, "s3").status, 400);
  HttpRequest list;
  list.path = "/bytes";
  list.query = {{"list-type", "2"}, {"prefix", "\xFF"}};
  HttpResponse listed = endpoint.send(list, "s3");
  EXPECT_EQ(listed.status, 400);
  EXPECT_NE(listed.body.find("<Code>InvalidURI</Code>"), std::string::npos) << listed.body;

  s3.put_object({{"Bucket", "bytes"}, {"Key", "source"}}, "x");
  HttpRequest copy;
  copy.method = "PUT";
  copy.path = "/bytes/copy";
  // The byte as sent raw: the listener (cpp-httplib 0.11) percent-decodes header values itself.
  copy.headers.set("x-amz-copy-source", "/bytes/\xFFsource");
  HttpResponse copied = endpoint.send(copy, "s3");
  EXPECT_EQ(copied.status, 400) << copied.body;
  EXPECT_NE(copied.body.find("<Message>Invalid copy source encoding.</Message>"), std::string::npos)
      << copied.body;

  HttpRequest delete_objects;
  delete_objects.method = "POST";
  delete_objects.path = "/bytes";
  delete_objects.query = {{"delete", ""}};
  delete_objects.body = "<Delete><Object><Key>\xFF</Key></Object></Delete>";
  HttpResponse deleted = endpoint.send(delete_objects, "s3");
  EXPECT_EQ(deleted.status, 400) << deleted.body;
  EXPECT_NE(deleted.body.find("<Code>MalformedXML</Code>"), std::string::npos) << deleted.body;
}

TEST(UnusualText, S3KeepsHeaderBytesAsS3Does) {
  Running endpoint;
  aws::S3Client s3(endpoint.config());
  s3.create_bucket({{"Bucket", "headers"}});
  HttpRequest put;
  put.method = "PUT";
  put.path = "/headers/file.txt";
  put.body = "hello";
  put.headers.set("Content-Disposition", "attachment; filename=\"caf\xE9.txt\"");  // ISO-8859-1
  put.headers.set("x-amz-meta-note", "d\xC3\xA9j\xC3\xA0 vu");                     // UTF-8
  put.headers.set("x-amz-meta-raw", "\xFF");
  HttpResponse stored = endpoint.send(put, "s3");
  ASSERT_EQ(stored.status, 200) << stored.body;

  HttpRequest head;
  head.method = "HEAD";
  head.path = "/headers/file.txt";
  HttpResponse got = endpoint.send(head, "s3");
  ASSERT_EQ(got.status, 200);
  // Header values come back byte for byte; metadata beyond printable ASCII RFC 2047-encoded.
  EXPECT_EQ(got.headers.get("Content-Disposition"), "attachment; filename=\"caf\xE9.txt\"");
  EXPECT_EQ(got.headers.get("x-amz-meta-note"), "=?UTF-8?Q?d=C3=A9j=C3=A0_vu?=");
  EXPECT_EQ(got.headers.get("x-amz-meta-raw"), "=?UTF-8?Q?=FF?=");

  // response-* overrides go out as ISO-8859-1; what it cannot hold is InvalidArgument.
  HttpRequest get;
  get.path = "/headers/file.txt";
  get.query = {{"response-content-disposition", "inline; filename=\"\xC3\xA9.txt\""}};
  HttpResponse latin1 = endpoint.send(get, "s3");
  EXPECT_EQ(latin1.status, 200) << latin1.body;
  EXPECT_EQ(latin1.headers.get("Content-Disposition"), "inline; filename=\"\xE9.txt\"");
  get.query = {{"response-content-disposition", "inline; filename=\"\xE6\x96\x87.txt\""}};
  HttpResponse refused = endpoint.send(get, "s3");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("Header value cannot be represented using ISO-8859-1."),
            std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("<ArgumentName>response-content-disposition</ArgumentName>"),
            std::string::npos)
      << refused.body;
}

// S3 itself, behind the front end (no listener): a key with a newline is stored, read back and
// listed, plainly (the XML keeps the newline) and with encoding-type=url.
TEST(UnusualText, S3StoresReadsAndListsAKeyWithANewline) {
  ld::test::TempDir dir("newline-key");
  State state = State::open(dir.path());
  FrontEnd front_end(std::make_shared<KeyRing>());
  front_end.add(std::make_shared<S3Service>(state));
  auto call = [&](HttpRequest request) {
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = 4566;
    ld::test::sign_with_test_key(request, "s3");
    return front_end.handle(request);
  };
  HttpRequest bucket;
  bucket.method = "PUT";
  bucket.path = "/lines";
  ASSERT_EQ(call(bucket).status, 200);
  HttpRequest put;
  put.method = "PUT";
  put.path = "/lines/a%0Ab";
  put.body = "two lines";
  HttpResponse stored = call(put);
  ASSERT_EQ(stored.status, 200) << stored.body;
  HttpRequest get;
  get.path = "/lines/a%0Ab";
  HttpResponse got = call(get);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, "two lines");

  HttpRequest list;
  list.path = "/lines";
  list.query = {{"list-type", "2"}};
  HttpResponse listed = call(list);
  EXPECT_NE(listed.body.find("<Key>a\nb</Key>"), std::string::npos) << listed.body;
  list.query = {{"encoding-type", "url"}, {"list-type", "2"}};
  HttpResponse encoded = call(list);
  EXPECT_NE(encoded.body.find("<Key>a%0Ab</Key>"), std::string::npos) << encoded.body;
}

// The same through the listener, as clients reach it. Needs the listener to route paths holding
// a newline (cpp-httplib matches its route patterns against the decoded path, and ".*" stops at
// a newline).
TEST(UnusualText, AnS3KeyWithANewlineIsStoredReadAndListed) {
  Running endpoint;
  aws::S3Client s3(endpoint.config());
  s3.create_bucket({{"Bucket", "lines"}});
  s3.put_object({{"Bucket", "lines"}, {"Key", "a\nb"}}, "two lines");
  EXPECT_EQ(s3.get_object({{"Bucket", "lines"}, {"Key", "a\nb"}}).body, "two lines");
  json listed = s3.list_objects_v2({{"Bucket", "lines"}});
  ASSERT_EQ(listed["Contents"].size(), 1u) << listed.dump();
  EXPECT_EQ(listed["Contents"][0]["Key"], "a\nb");
  json encoded = s3.list_objects_v2({{"Bucket", "lines"}, {"EncodingType", "url"}});
  ASSERT_EQ(encoded["Contents"].size(), 1u) << encoded.dump();
  EXPECT_EQ(encoded["Contents"][0]["Key"], "a%0Ab");

  if (!ld::test::aws_cli_available()) return;
  // The AWS CLI asks for url-encoded listings and decodes them.
  auto run =
      ld::test::run_aws_cli(endpoint.url(), {"s3api", "list-objects-v2", "--bucket", "lines"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json()["Contents"][0]["Key"], "a\nb") << run.out;
}

TEST(UnusualText, IamAndStsFormsThatAreNotUtf8AreValidationErrors) {
  Running endpoint;
  const std::string trust =
      R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":)"
      R"("lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]})";
  HttpResponse role = endpoint.send_form(
      "Action=CreateRole&Version=2010-05-08&RoleName=r1&Description=%FF&"
      "AssumeRolePolicyDocument=" +
          uri_encode(trust),
      "iam");
  EXPECT_EQ(role.status, 400) << role.body;
  EXPECT_NE(role.body.find("<Code>ValidationError</Code>"), std::string::npos) << role.body;
  EXPECT_NE(role.body.find("'description'"), std::string::npos) << role.body;

  HttpResponse tags = endpoint.send_form(
      "Action=CreateRole&Version=2010-05-08&RoleName=r2&Tags.member.1.Key=team&"
      "Tags.member.1.Value=%C0%AF&AssumeRolePolicyDocument=" +
          uri_encode(trust),
      "iam");
  EXPECT_EQ(tags.status, 400) << tags.body;
  EXPECT_NE(tags.body.find("<Code>ValidationError</Code>"), std::string::npos) << tags.body;
  // Nothing was stored.
  EXPECT_EQ(failure_of([&] {
              aws::IamClient(endpoint.config()).get_role({{"RoleName", "r1"}});
            }).first,
            "NoSuchEntity");

  HttpResponse assumed = endpoint.send_form(
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr"
      "&RoleSessionName=s1&Policy=%FF",
      "sts");
  EXPECT_EQ(assumed.status, 400) << assumed.body;
  EXPECT_NE(assumed.body.find("<Code>ValidationError</Code>"), std::string::npos) << assumed.body;
}

TEST(UnusualText, CloudWatchFormsThatAreNotUtf8AreValidationErrors) {
  Running endpoint;
  HttpResponse alarm = endpoint.send_form(
      "Action=PutMetricAlarm&Version=2010-08-01&AlarmName=a1&AlarmDescription=%FF&"
      "MetricName=Errors&Namespace=AWS%2FLambda&Statistic=Sum&Period=60&EvaluationPeriods=1&"
      "Threshold=1&ComparisonOperator=GreaterThanThreshold",
      "monitoring");
  EXPECT_EQ(alarm.status, 400) << alarm.body;
  EXPECT_NE(alarm.body.find("<Code>ValidationError</Code>"), std::string::npos) << alarm.body;
  HttpResponse data = endpoint.send_form(
      "Action=PutMetricData&Version=2010-08-01&Namespace=App&MetricData.member.1.MetricName=m&"
      "MetricData.member.1.Value=1&MetricData.member.1.Dimensions.member.1.Name=d&"
      "MetricData.member.1.Dimensions.member.1.Value=%FF",
      "monitoring");
  EXPECT_EQ(data.status, 400) << data.body;
  EXPECT_NE(data.body.find("<Code>ValidationError</Code>"), std::string::npos) << data.body;
}

TEST(UnusualText, SsmAndLogsBodiesThatAreNotUtf8Are400s) {
  Running endpoint;
  HttpResponse parameter =
      endpoint.send_json("AmazonSSM.PutParameter",
                         "{\"Name\":\"/app/\xFF\",\"Value\":\"v\",\"Type\":\"String\"}", "ssm");
  EXPECT_EQ(parameter.status, 400) << parameter.body;
  EXPECT_EQ(json::parse(parameter.body)["__type"], "SerializationException") << parameter.body;
  HttpResponse value = endpoint.send_json(
      "AmazonSSM.PutParameter",
      "{\"Name\":\"/app/secret\",\"Value\":\"\xC0\xAF\",\"Type\":\"SecureString\"}", "ssm");
  EXPECT_EQ(value.status, 400) << value.body;
  // A lone surrogate escaped is no better.
  HttpResponse escaped = endpoint.send_json(
      "AmazonSSM.PutParameter", R"({"Name":"/app/x","Value":"\ud800","Type":"String"})", "ssm");
  EXPECT_EQ(escaped.status, 400) << escaped.body;

  aws::LogsClient(endpoint.config()).create_log_group({{"logGroupName", "/app"}});
  HttpResponse events = endpoint.send_json(
      "Logs_20140328.PutLogEvents",
      "{\"logGroupName\":\"/app\",\"logStreamName\":\"s\",\"logEvents\":[{\"timestamp\":1,"
      "\"message\":\"\xFF\"}]}",
      "logs");
  EXPECT_EQ(events.status, 400) << events.body;
  EXPECT_EQ(json::parse(events.body)["__type"], "SerializationException") << events.body;
}

TEST(UnusualText, AFunctionsOutputThatIsNotUtf8IsReadBackWithReplacementCharacters) {
  ld::test::TempDir dir("logs-bytes");
  std::shared_ptr<LogsService> logs;
  test::ServedService served(dir.path(), [&](const State& state) {
    logs = std::make_shared<LogsService>(state);
    return logs;
  });
  logs->append("/aws/lambda/f", "stream", {{1000, "before \xFF after"}});
  json got = aws::LogsClient(served.config())
                 .get_log_events({{"logGroupName", "/aws/lambda/f"}, {"logStreamName", "stream"}});
  ASSERT_EQ(got["events"].size(), 1u) << got.dump();
  EXPECT_EQ(got["events"][0]["message"], "before \xEF\xBF\xBD after");
}

}  // namespace
}  // namespace ld::local
