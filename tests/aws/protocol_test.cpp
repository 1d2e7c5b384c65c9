// The four wire protocols as the services in scope use them: Lambda (rest-json), S3 (rest-xml),
// CloudWatch Logs (json 1.1) and IAM / CloudWatch (query): requests, responses and errors.
#include "aws/protocol.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "aws/protocol_detail.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"

namespace ld::aws {
namespace {

using nlohmann::json;

const Operation kGetFunction{.name = "GetFunction",
                             .method = "GET",
                             .uri = "/2015-03-31/functions/{FunctionName}",
                             .input = {{"FunctionName", Location::Uri, "FunctionName"},
                                       {"Qualifier", Location::Query, "Qualifier"}}};
const Operation kCreateFunction{
    .name = "CreateFunction", .uri = "/2015-03-31/functions", .success_status = 201};
const Operation kInvoke{.name = "Invoke",
                        .uri = "/2015-03-31/functions/{FunctionName}/invocations",
                        .input = {{"FunctionName", Location::Uri, "FunctionName"},
                                  {"InvocationType", Location::Header, "X-Amz-Invocation-Type"},
                                  {"Payload", Location::Payload, ""},
                                  {"Qualifier", Location::Query, "Qualifier"}},
                        .output = {{"StatusCode", Location::StatusCode, ""},
                                   {"FunctionError", Location::Header, "X-Amz-Function-Error"},
                                   {"Payload", Location::Payload, ""}}};
const Operation kPutObject{.name = "PutObject",
                           .method = "PUT",
                           .uri = "/{Bucket}/{Key+}",
                           .input = {{"Body", Location::Payload, ""},
                                     {"Bucket", Location::Uri, "Bucket"},
                                     {"ContentType", Location::Header, "Content-Type"},
                                     {"Key", Location::Uri, "Key"},
                                     {"Metadata", Location::HeaderPrefix, "x-amz-meta-"}}};
const Operation kHeadObject{
    .name = "HeadObject",
    .method = "HEAD",
    .uri = "/{Bucket}/{Key+}",
    .input = {{"Bucket", Location::Uri, "Bucket"}, {"Key", Location::Uri, "Key"}},
    .output = {{"ETag", Location::Header, "ETag"},
               {"ContentLength", Location::Header, "Content-Length"},
               {"Metadata", Location::HeaderPrefix, "x-amz-meta-"}}};
const Operation kGetObject{
    .name = "GetObject",
    .method = "GET",
    .uri = "/{Bucket}/{Key+}?x-id=GetObject",
    .input = {{"Bucket", Location::Uri, "Bucket"}, {"Key", Location::Uri, "Key"}},
    .output = {{"Body", Location::Payload, ""}, {"ContentType", Location::Header, "Content-Type"}}};
const Operation kListObjectsV2{
    .name = "ListObjectsV2",
    .method = "GET",
    .uri = "/{Bucket}?list-type=2",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"Prefix", Location::Query, "prefix"},
              {"ContinuationToken", Location::Query, "continuation-token"}}};
const Operation kCreateBucket{
    .name = "CreateBucket",
    .method = "PUT",
    .uri = "/{Bucket}",
    .input = {{"Bucket", Location::Uri, "Bucket"},
              {"CreateBucketConfiguration", Location::Payload, "CreateBucketConfiguration"}}};
const Operation kDeleteObjects{
    .name = "DeleteObjects",
    .uri = "/{Bucket}?delete",
    .input = {{"Bucket", Location::Uri, "Bucket"}, {"Delete", Location::Payload, "Delete"}}};
const Operation kPutLogEvents{.name = "PutLogEvents"};
const Operation kCreateRole{.name = "CreateRole"};
const Operation kGetRole{.name = "GetRole"};

std::vector<std::pair<std::string, std::string>> form_pairs(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t start = 0; start <= body.size();) {
    std::size_t amp = body.find('&', start);
    std::string part =
        body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = part.find('=');
    out.emplace_back(uri_decode(part.substr(0, eq)), uri_decode(part.substr(eq + 1)));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

Call input_call(json input, std::string body = {}) {
  Call call;
  call.input = std::move(input);
  call.body = std::move(body);
  return call;
}

HttpResponse response(int status, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  for (auto& [name, value] : headers) r.headers.add(name, value);
  return r;
}

// ---- rest-json (Lambda) ----------------------------------------------------------------------

TEST(RestJson, LabelsAreEncodedAndBoundMembersLeaveTheBody) {
  HttpRequest r = serialize_request(
      kLambda, kGetFunction,
      input_call({{"FunctionName", "arn:aws:lambda:x/y z"}, {"Qualifier", "LIVE"}}));
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/2015-03-31/functions/arn%3Aaws%3Alambda%3Ax%2Fy%20z");
  ASSERT_EQ(r.query.size(), 1u);
  EXPECT_EQ(r.query[0], (std::pair<std::string, std::string>{"Qualifier", "LIVE"}));
  EXPECT_EQ(r.body, "");
  EXPECT_FALSE(r.headers.has("Content-Type"));
}

TEST(RestJson, MissingOrEmptyLabelIsAnErrorNamingOperationAndMember) {
  try {
    serialize_request(kLambda, kGetFunction, input_call({{"Qualifier", "1"}}));
    FAIL() << "no error";
  } catch (const Error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("Lambda GetFunction"), std::string::npos) << what;
    EXPECT_NE(what.find("'FunctionName'"), std::string::npos) << what;
  }
  EXPECT_THROW(serialize_request(kLambda, kGetFunction, input_call({{"FunctionName", ""}})), Error);
  EXPECT_THROW(
      serialize_request(kLambda, kGetFunction, input_call({{"FunctionName", json::array({"a"})}})),
      Error);
}

TEST(RestJson, UnboundMembersAreTheJsonBodyWithoutNulls) {
  json input = {{"FunctionName", "f"},
                {"Role", "arn:aws:iam::1:role/r"},
                {"MemorySize", 512},
                {"Description", nullptr},
                {"Environment", {{"Variables", {{"A", "1"}, {"B", nullptr}}}}},
                {"Layers", json::array({"arn:1", "arn:2"})}};
  HttpRequest r = serialize_request(kLambda, kCreateFunction, input_call(input));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/2015-03-31/functions");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/json");
  json body = json::parse(r.body);
  EXPECT_EQ(body, json({{"FunctionName", "f"},
                        {"Role", "arn:aws:iam::1:role/r"},
                        {"MemorySize", 512},
                        {"Environment", {{"Variables", {{"A", "1"}}}}},
                        {"Layers", json::array({"arn:1", "arn:2"})}}));
}

TEST(RestJson, RawPayloadFromCallBodyWithHeadersAndQuery) {
  HttpRequest r = serialize_request(
      kLambda, kInvoke,
      input_call(
          {{"FunctionName", "f"}, {"InvocationType", "RequestResponse"}, {"Qualifier", "LIVE"}},
          R"({"k": 1})"));
  EXPECT_EQ(r.path, "/2015-03-31/functions/f/invocations");
  EXPECT_EQ(r.body, R"({"k": 1})");
  EXPECT_EQ(r.headers.get("X-Amz-Invocation-Type"), "RequestResponse");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.query, (QueryParams{{"Qualifier", "LIVE"}}));

  Call streamed = input_call({{"FunctionName", "f"}});
  streamed.body_file = std::filesystem::path("/tmp/x.zip");
  HttpRequest s = serialize_request(kLambda, kInvoke, streamed);
  EXPECT_EQ(s.body_file, std::filesystem::path("/tmp/x.zip"));
  EXPECT_EQ(s.body, "");

  HttpRequest empty = serialize_request(kLambda, kInvoke, input_call({{"FunctionName", "f"}}));
  EXPECT_EQ(empty.body, "");
  EXPECT_FALSE(empty.headers.has("Content-Type"));
}

TEST(RestJson, PayloadOutputIsRawAndBindingsAreApplied) {
  Result r = parse_response(
      kLambda, kInvoke,
      response(200, R"({"statusCode": 200})",
               {{"X-Amz-Function-Error", "Unhandled"}, {"x-amzn-RequestId", "req-1"}}));
  EXPECT_EQ(r.body, R"({"statusCode": 200})");
  EXPECT_EQ(r.output, json({{"StatusCode", 200}, {"FunctionError", "Unhandled"}}));
  EXPECT_EQ(r.request_id, "req-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.get("X-Amz-Function-Error"), "Unhandled");
}

TEST(RestJson, JsonOutputDropsNullsAndAcceptsAnEmptyBody) {
  Result r = parse_response(
      kLambda, kGetFunction,
      response(200,
               R"({"Configuration": {"FunctionName": "f", "KMSKeyArn": null}, "Tags": null})"));
  EXPECT_EQ(r.output, json({{"Configuration", {{"FunctionName", "f"}}}}));
  EXPECT_EQ(parse_response(kLambda, kGetFunction, response(204, "")).output, json::object());
  EXPECT_THROW(parse_response(kLambda, kGetFunction, response(200, "<html>")), Error);
  EXPECT_THROW(parse_response(kLambda, kGetFunction, response(200, "[1]")), Error);
}

TEST(RestJson, TypeMarkerIsDroppedOnlyAtTheTopAndNullInputIsEmpty) {
  Result r = parse_response(kLambda, kGetFunction,
                            response(200, R"({"__type":"x","Tags":{"__type":"kept"}})"));
  EXPECT_EQ(r.output, json({{"Tags", {{"__type", "kept"}}}}));
  HttpRequest q =
      serialize_request(kLambda, kCreateFunction, input_call({{"Tags", {{"__type", "t"}}}}));
  EXPECT_EQ(json::parse(q.body), json({{"Tags", {{"__type", "t"}}}}));
  EXPECT_EQ(serialize_request(kLogs, kPutLogEvents, input_call(nullptr)).body, "{}");
  EXPECT_EQ(serialize_request(kLambda, kCreateFunction, input_call(nullptr)).body, "");
}

TEST(RestJson, LambdaErrorsReadHeaderCodeAndEitherMessageCase) {
  AwsError e = parse_error(
      kLambda, kGetFunction,
      response(
          404,
          R"({"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:1:function:f"})",
          {{"X-Amzn-ErrorType",
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/"},
           {"x-amzn-RequestId", "r-404"}}));
  EXPECT_EQ(e.code(), "ResourceNotFoundException");
  EXPECT_EQ(e.message(), "Function not found: arn:aws:lambda:us-east-1:1:function:f");
  EXPECT_EQ(e.http_status(), 404);
  EXPECT_EQ(e.request_id(), "r-404");
  EXPECT_EQ(e.service(), "Lambda");
  EXPECT_EQ(e.operation(), "GetFunction");
  EXPECT_NE(std::string(e.what()).find("ResourceNotFoundException"), std::string::npos);

  AwsError conflict =
      parse_error(kLambda, kCreateFunction,
                  response(409, R"({"Type":"User","message":"Function already exist: f"})",
                           {{"X-Amzn-ErrorType", "ResourceConflictException"}}));
  EXPECT_EQ(conflict.code(), "ResourceConflictException");
  EXPECT_EQ(conflict.message(), "Function already exist: f");

  AwsError from_body =
      parse_error(kLambda, kCreateFunction,
                  response(400, R"({"__type":"ns#ValidationException","message":"bad"})"));
  EXPECT_EQ(from_body.code(), "ValidationException");
  EXPECT_EQ(from_body.message(), "bad");
}

TEST(RestJson, UnreadableErrorBodiesGetAStatusCodeAndAnExcerpt) {
  AwsError html =
      parse_error(kLambda, kGetFunction, response(502, "<html><body>Bad Gateway</body></html>"));
  EXPECT_EQ(html.code(), "BadGateway");
  EXPECT_EQ(html.http_status(), 502);
  EXPECT_NE(html.message().find("Bad Gateway"), std::string::npos) << html.message();

  AwsError text = parse_error(kLambda, kGetFunction, response(503, "upstream connect error\n"));
  EXPECT_EQ(text.code(), "ServiceUnavailable");
  EXPECT_EQ(text.message(), "HTTP 503: upstream connect error");

  AwsError empty = parse_error(kLambda, kGetFunction, response(500, ""));
  EXPECT_EQ(empty.code(), "InternalServerError");
  EXPECT_EQ(empty.message(), "HTTP 500 with no body");

  AwsError odd = parse_error(kLambda, kGetFunction, response(418, std::string("\xff\xfe\x00{", 4)));
  EXPECT_EQ(odd.code(), "Http418");

  AwsError long_body = parse_error(kLambda, kGetFunction, response(500, std::string(5000, 'x')));
  EXPECT_LT(long_body.message().size(), 300u);
  EXPECT_TRUE(long_body.message().ends_with("...")) << long_body.message();
}

// ---- rest-xml (S3) ---------------------------------------------------------------------------

TEST(RestXml, GreedyKeyKeepsSlashesAndMetadataSpreadsOverHeaders) {
  HttpRequest r =
      serialize_request(kS3, kPutObject,
                        input_call({{"Bucket", "deps"},
                                    {"Key", "lambda-code/f/a b+c.zip"},
                                    {"Metadata", {{"sha256", "abc"}, {"stage", "dev"}}}},
                                   "PK\x03\x04"));
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/deps/lambda-code/f/a%20b%2Bc.zip");
  EXPECT_EQ(r.headers.get("x-amz-meta-sha256"), "abc");
  EXPECT_EQ(r.headers.get("x-amz-meta-stage"), "dev");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/octet-stream");
  EXPECT_EQ(r.body, "PK\x03\x04");

  HttpRequest typed = serialize_request(
      kS3, kPutObject,
      input_call({{"Bucket", "b"}, {"Key", "k"}, {"ContentType", "application/zip"}}, "x"));
  EXPECT_EQ(typed.headers.get("Content-Type"), "application/zip");
}

TEST(RestXml, FixedQueryInTheTemplateComesFirst) {
  HttpRequest list = serialize_request(kS3, kListObjectsV2,
                                       input_call({{"Bucket", "b"}, {"Prefix", "lambda-code/"}}));
  EXPECT_EQ(list.path, "/b");
  EXPECT_EQ(list.query, (QueryParams{{"list-type", "2"}, {"prefix", "lambda-code/"}}));

  HttpRequest get =
      serialize_request(kS3, kGetObject, input_call({{"Bucket", "b"}, {"Key", "k/v"}}));
  EXPECT_EQ(get.path, "/b/k/v");
  EXPECT_EQ(get.query, (QueryParams{{"x-id", "GetObject"}}));

  HttpRequest del = serialize_request(
      kS3, kDeleteObjects,
      input_call(
          {{"Bucket", "b"},
           {"Delete",
            {{"Object", json::array({{{"Key", "a"}}, {{"Key", "b&<c>"}}})}, {"Quiet", true}}}}));
  EXPECT_EQ(del.query, (QueryParams{{"delete", ""}}));
  EXPECT_EQ(
      del.body,
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a</Key></Object>"
      "<Object><Key>b&amp;&lt;c&gt;</Key></Object><Quiet>true</Quiet></Delete>");
  EXPECT_EQ(del.headers.get("Content-Type"), "application/xml");
}

TEST(RestXml, CreateBucketConfigurationCarriesTheS3Namespace) {
  HttpRequest r = serialize_request(
      kS3, kCreateBucket,
      input_call(
          {{"Bucket", "b"}, {"CreateBucketConfiguration", {{"LocationConstraint", "eu-west-1"}}}}));
  EXPECT_EQ(r.body,
            "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
  HttpRequest none = serialize_request(kS3, kCreateBucket, input_call({{"Bucket", "b"}}));
  EXPECT_EQ(none.body, "");
  EXPECT_FALSE(none.headers.has("Content-Type"));
}

TEST(RestXml, ListObjectsRepeatedContentsBecomeAnArray) {
  std::string body =
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>deps</Name><Prefix>lambda-code/</Prefix><KeyCount>2</KeyCount><IsTruncated>false</IsTruncated>
  <Contents><Key>lambda-code/a.zip</Key><Size>10</Size><ETag>&quot;e1&quot;</ETag></Contents>
  <Contents><Key>lambda-code/b.zip</Key><Size>20</Size><ETag>&quot;e2&quot;</ETag></Contents>
</ListBucketResult>)";
  Result r =
      parse_response(kS3, kListObjectsV2, response(200, body, {{"x-amz-request-id", "s3-req"}}));
  EXPECT_EQ(r.request_id, "s3-req");
  EXPECT_EQ(r.output["Name"], "deps");
  EXPECT_EQ(r.output["KeyCount"], "2");
  EXPECT_EQ(r.output["IsTruncated"], "false");
  ASSERT_TRUE(r.output["Contents"].is_array());
  ASSERT_EQ(r.output["Contents"].size(), 2u);
  EXPECT_EQ(r.output["Contents"][1]["Key"], "lambda-code/b.zip");
  EXPECT_EQ(r.output["Contents"][0]["ETag"], "\"e1\"");

  Result one = parse_response(
      kS3, kListObjectsV2,
      response(200, "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>"));
  EXPECT_EQ(one.output["Contents"], json({{"Key", "k"}}));
}

TEST(RestXml, HeadObjectHeadersAndMetadataMap) {
  Result r = parse_response(kS3, kHeadObject,
                            response(200, "",
                                     {{"ETag", "\"abc\""},
                                      {"Content-Length", "1234"},
                                      {"x-amz-meta-sha256", "deadbeef"},
                                      {"X-Amz-Meta-Stage", "dev"},
                                      {"x-amz-request-id", "r"}}));
  EXPECT_EQ(r.output["ETag"], "\"abc\"");
  EXPECT_EQ(r.output["ContentLength"], "1234");
  EXPECT_EQ(r.output["Metadata"], json({{"sha256", "deadbeef"}, {"Stage", "dev"}}));
  Result bare = parse_response(kS3, kHeadObject, response(200, ""));
  EXPECT_EQ(bare.output, json({{"Metadata", json::object()}}));
}

TEST(RestXml, GetObjectBodyIsRawEvenWhenItLooksLikeXml) {
  Result r = parse_response(kS3, kGetObject,
                            response(200, "<a>not parsed</a>", {{"Content-Type", "text/xml"}}));
  EXPECT_EQ(r.body, "<a>not parsed</a>");
  EXPECT_EQ(r.output, json({{"ContentType", "text/xml"}}));
}

TEST(RestXml, S3ErrorsAndBodilessHeadErrors) {
  AwsError e = parse_error(
      kS3, kGetObject,
      response(404,
               "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>"
               "<Message>The specified key does not exist.</Message><Key>k</Key>"
               "<RequestId>4442587FB7D0A2F9</RequestId><HostId>h</HostId></Error>"));
  EXPECT_EQ(e.code(), "NoSuchKey");
  EXPECT_EQ(e.message(), "The specified key does not exist.");
  EXPECT_EQ(e.request_id(), "4442587FB7D0A2F9");
  EXPECT_EQ(e.http_status(), 404);

  AwsError head = parse_error(kS3, kHeadObject, response(404, "", {{"x-amz-request-id", "h1"}}));
  EXPECT_EQ(head.code(), "NotFound");
  EXPECT_EQ(head.request_id(), "h1");
  AwsError forbidden = parse_error(kS3, kHeadObject, response(403, ""));
  EXPECT_EQ(forbidden.code(), "Forbidden");
}

TEST(RestXml, AnErrorDocumentInA200IsThrown) {
  try {
    parse_response(
        kS3, kListObjectsV2,
        response(200, "<Error><Code>InternalError</Code><Message>retry</Message></Error>"));
    FAIL() << "no error";
  } catch (const AwsError& e) {
    EXPECT_EQ(e.code(), "InternalError");
    EXPECT_EQ(e.http_status(), 200);
  }
  EXPECT_THROW(parse_response(kS3, kListObjectsV2, response(200, "not xml")), Error);
}

// ---- json 1.1 (CloudWatch Logs) --------------------------------------------------------------

TEST(Json11, TargetContentTypeAndBody) {
  json input = {{"logGroupName", "/aws/lambda/f"},
                {"logStreamName", "s"},
                {"sequenceToken", nullptr},
                {"logEvents", json::array({{{"timestamp", 1700000000000}, {"message", "héllo"}}})}};
  HttpRequest r = serialize_request(kLogs, kPutLogEvents, input_call(input));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.query.empty());
  EXPECT_EQ(r.headers.get("X-Amz-Target"), "Logs_20140328.PutLogEvents");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/x-amz-json-1.1");
  input.erase("sequenceToken");
  EXPECT_EQ(json::parse(r.body), input);

  HttpRequest empty = serialize_request(kLogs, kPutLogEvents, Call{});
  EXPECT_EQ(empty.body, "{}");
  EXPECT_THROW(serialize_request(kLogs, kPutLogEvents, input_call(json::array())), Error);
  EXPECT_THROW(
      serialize_request(kLogs, kPutLogEvents, input_call({{"m", std::string("\xff\xfe")}})), Error);
}

TEST(Json11, OutputAndErrors) {
  Result r =
      parse_response(kLogs, kPutLogEvents,
                     response(200, R"({"nextSequenceToken":"49","rejectedLogEventsInfo":null})",
                              {{"x-amzn-RequestId", "logs-1"}}));
  EXPECT_EQ(r.output, json({{"nextSequenceToken", "49"}}));
  EXPECT_EQ(r.request_id, "logs-1");

  AwsError e = parse_error(
      kLogs, kPutLogEvents,
      response(
          400,
          R"({"__type":"com.amazonaws.logs#ResourceNotFoundException","message":"The specified log group does not exist."})"));
  EXPECT_EQ(e.code(), "ResourceNotFoundException");
  EXPECT_EQ(e.message(), "The specified log group does not exist.");

  AwsError compatible = parse_error(
      kLogs, kPutLogEvents,
      response(400, R"({"__type":"ns#QueueDoesNotExist"})",
               {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}}));
  EXPECT_EQ(compatible.code(), "AWS.SimpleQueueService.NonExistentQueue");
}

// ---- query (IAM, CloudWatch) -----------------------------------------------------------------

TEST(Query, FormBodyFlattensStructuresAndLists) {
  json input = {{"RoleName", "f-role"},
                {"AssumeRolePolicyDocument", R"({"Version":"2012-10-17"})"},
                {"MaxSessionDuration", 3600},
                {"Tags", json::array({{{"Key", "stage"}, {"Value", "dev qa"}}})},
                {"Description", nullptr},
                {"PermissionsBoundary", {{"Nested", {{"Flag", true}}}}},
                {"Empty", json::array()},
                {"Threshold", 10.5}};
  HttpRequest r = serialize_request(kIam, kCreateRole, input_call(input));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/");
  EXPECT_EQ(r.headers.get("Content-Type"), "application/x-www-form-urlencoded; charset=utf-8");
  EXPECT_TRUE(r.body.starts_with("Action=CreateRole&Version=2010-05-08&")) << r.body;
  EXPECT_NE(r.body.find("Tags.member.1.Value=dev%20qa"), std::string::npos) << r.body;
  auto pairs = form_pairs(r.body);
  std::sort(pairs.begin(), pairs.end());
  std::vector<std::pair<std::string, std::string>> want = {
      {"Action", "CreateRole"},
      {"AssumeRolePolicyDocument", R"({"Version":"2012-10-17"})"},
      {"Empty", ""},
      {"MaxSessionDuration", "3600"},
      {"PermissionsBoundary.Nested.Flag", "true"},
      {"RoleName", "f-role"},
      {"Tags.member.1.Key", "stage"},
      {"Tags.member.1.Value", "dev qa"},
      {"Threshold", "10.5"},
      {"Version", "2010-05-08"}};
  EXPECT_EQ(pairs, want);
}

TEST(Query, ResultUnwrappedListsAndMapsAndRequestId) {
  std::string body = R"(<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetRoleResult>
    <Role>
      <RoleName>f-role</RoleName>
      <AssumeRolePolicyDocument>%7B%22Version%22%7D</AssumeRolePolicyDocument>
      <Tags>
        <member><Key>stage</Key><Value>dev</Value></member>
      </Tags>
      <Counts><entry><key>Users</key><value>3</value></entry><entry><key>Roles</key><value>7</value></entry></Counts>
      <Description/>
    </Role>
  </GetRoleResult>
  <ResponseMetadata><RequestId>iam-req-1</RequestId></ResponseMetadata>
</GetRoleResponse>)";
  Result r = parse_response(kIam, kGetRole, response(200, body));
  EXPECT_EQ(r.request_id, "iam-req-1");
  EXPECT_FALSE(r.output.contains("ResponseMetadata"));
  const json& role = r.output.at("Role");
  EXPECT_EQ(role["RoleName"], "f-role");
  EXPECT_EQ(role["Tags"], json::array({{{"Key", "stage"}, {"Value", "dev"}}}));
  EXPECT_EQ(role["Counts"], json({{"Users", "3"}, {"Roles", "7"}}));
  EXPECT_EQ(role["Description"], "");

  Result deleted =
      parse_response(kIam, kCreateRole,
                     response(200,
                              "<DeleteRoleResponse><ResponseMetadata><RequestId>d1</RequestId>"
                              "</ResponseMetadata></DeleteRoleResponse>"));
  EXPECT_EQ(deleted.output, json::object());
  EXPECT_EQ(deleted.request_id, "d1");
}

TEST(Query, ErrorShapes) {
  AwsError e =
      parse_error(kIam, kGetRole,
                  response(404,
                           R"(<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error>
  <RequestId>e-1</RequestId>
</ErrorResponse>)"));
  EXPECT_EQ(e.code(), "NoSuchEntity");
  EXPECT_EQ(e.message(), "The role with name x cannot be found.");
  EXPECT_EQ(e.request_id(), "e-1");
  EXPECT_EQ(e.service(), "IAM");

  AwsError ec2 = parse_error(
      kIam, kGetRole,
      response(400,
               "<Response><Errors><Error><Code>InvalidParameterValue</Code>"
               "<Message>bad</Message></Error></Errors><RequestID>x-9</RequestID></Response>"));
  EXPECT_EQ(ec2.code(), "InvalidParameterValue");
  EXPECT_EQ(ec2.message(), "bad");
  EXPECT_EQ(ec2.request_id(), "x-9");

  AwsError json_body = parse_error(
      kIam, kGetRole, response(400, R"({"__type":"Throttling","message":"slow down"})"));
  EXPECT_EQ(json_body.code(), "Throttling");

  AwsError garbage = parse_error(kIam, kGetRole, response(500, "<html><p>oops"));
  EXPECT_EQ(garbage.code(), "InternalServerError");
  EXPECT_NE(garbage.message().find("oops"), std::string::npos) << garbage.message();
}

// ---- the shared pieces -----------------------------------------------------------------------

TEST(ProtocolDetail, XmlToJsonRules) {
  auto doc = detail::parse_xml(
      "<r xmlns:a=\"urn:a\"><a:x>1</a:x><s>  two  </s><c><![CDATA[<raw>]]></c>"
      "<l><member>a</member></l><l2><member><member>n</member></member></l2>"
      "<rep><k>1</k></rep><rep><k>2</k></rep><e/></r>");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->root_name, "r");
  EXPECT_EQ(doc->root, json({{"x", "1"},
                             {"s", "  two  "},
                             {"c", "<raw>"},
                             {"l", json::array({"a"})},
                             {"l2", json::array({json::array({"n"})})},
                             {"rep", json::array({{{"k", "1"}}, {{"k", "2"}}})},
                             {"e", ""}}));
  auto lists = detail::parse_xml("<r><x><member>1</member></x><x><member>2</member></x></r>");
  ASSERT_TRUE(lists);
  EXPECT_EQ(lists->root["x"], json::array({json::array({"1"}), json::array({"2"})}));
  EXPECT_FALSE(detail::parse_xml("<r><unclosed></r>"));
  EXPECT_FALSE(detail::parse_xml(""));
}

TEST(ProtocolDetail, JsonToXmlEscapesAndRejectsBadNames) {
  EXPECT_EQ(detail::json_to_xml("R", {{"a", "x & <y>\r"}, {"n", 1.5}, {"z", nullptr}}),
            "<R><a>x &amp; &lt;y&gt;&#xD;</a><n>1.5</n></R>");
  EXPECT_THROW(detail::json_to_xml("R", {{"bad name", "x"}}), Error);
  EXPECT_THROW(detail::json_to_xml("1R", json::object()), Error);
}

TEST(ProtocolDetail, ErrorCodeSanitizingAndStatusCodes) {
  EXPECT_EQ(detail::sanitize_error_code("aws.protocoltests.restjson#FooError:http://x/y"),
            "FooError");
  EXPECT_EQ(detail::sanitize_error_code("FooError:http://internal.amazon.com/coral/"), "FooError");
  EXPECT_EQ(detail::sanitize_error_code(" ns#Bar "), "Bar");
  EXPECT_EQ(detail::code_for_status(404), "NotFound");
  EXPECT_EQ(detail::code_for_status(429), "TooManyRequests");
  EXPECT_EQ(detail::code_for_status(599), "Http599");
}

TEST(ProtocolDetail, HeaderListsAndQueryMaps) {
  const Operation op{.name = "Op",
                     .method = "GET",
                     .uri = "/x",
                     .input = {{"List", Location::Header, "X-List"},
                               {"Named", Location::Query, "a"},
                               {"Map", Location::Query, ""},
                               {"Flag", Location::Header, "X-Flag"}}};
  HttpRequest r =
      serialize_request(kLambda, op,
                        input_call({{"List", json::array({"plain", "with,comma", "with\"quote"})},
                                    {"Named", "named"},
                                    {"Map", {{"a", "from-map"}, {"b", json::array({"1", "2"})}}},
                                    {"Flag", false}}));
  EXPECT_EQ(r.headers.get("X-List"), R"(plain, "with,comma", "with\"quote")");
  EXPECT_EQ(r.headers.get("X-Flag"), "false");
  EXPECT_EQ(r.query, (QueryParams{{"a", "named"}, {"b", "1"}, {"b", "2"}}));
  EXPECT_EQ(r.body, "");
}

}  // namespace
}  // namespace ld::aws
