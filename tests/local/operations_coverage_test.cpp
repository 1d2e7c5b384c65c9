// What the local endpoint serves, per service, written from the code: every operation of each
// service's official API model is called on the endpoint's own service with an empty input, and
// counts as served unless it answers as AWS answers an unknown action (UnknownOperationException,
// InvalidAction). The table is docs/local-operations.md; this test fails when the file is not
// what the code serves (LAMBDEPLOY_WRITE_COVERAGE=1 rewrites it). S3 routes by the request's
// HTTP shape, not an operation name: each operation of its model is sent as the request the
// model binds it to (method and requestUri, required query and header members), and counts as
// served unless it answers NotImplemented, as S3 answers what it does not implement.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aws/sigv4.hpp"
#include "core/http.hpp"
#include "core/time.hpp"
#include "local/endpoint.hpp"
#include "local/front_end.hpp"
#include "support/conformance.hpp"
#include "support/deploy_harness.hpp"
#include "support/loopback_endpoint.hpp"
#include "support/model.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// One service of the table: its model folder, signing name and name in the table.
struct Covered {
  std::string folder;
  std::string signing_name;
  std::string title;
};

const std::vector<Covered> kServices = {{"lambda", "lambda", "Lambda"},
                                        {"iam", "iam", "IAM"},
                                        {"sts", "sts", "STS"},
                                        {"logs", "logs", "CloudWatch Logs"},
                                        {"cloudwatch", "monitoring", "CloudWatch"},
                                        {"ssm", "ssm", "SSM"},
                                        {"s3", "s3", "S3"}};

bool unknown_operation(const std::string& code) {
  return code == "UnknownOperationException" || code == "InvalidAction";
}

ApiCall call_of(const std::string& service, const std::string& operation, const HttpRequest& http) {
  ApiCall call;
  call.service = service;
  call.operation = operation;
  call.http = &http;
  call.caller = Caller{"test", "000000000000", "arn:aws:iam::000000000000:root", "us-east-1"};
  call.request_id = "coverage";
  call.now = system_now();
  return call;
}

// The request the S3 model binds `operation` to: its method and requestUri (labels filled in),
// with every required query and header member given a value.
HttpRequest s3_request(const test::ServiceModel& model, const test::ModelOperation& operation) {
  HttpRequest http;
  http.method = operation.method;
  http.host = "127.0.0.1";
  std::string uri = operation.request_uri;
  const std::size_t question = uri.find('?');
  std::string query = question == std::string::npos ? std::string() : uri.substr(question + 1);
  uri = uri.substr(0, question);
  for (const auto& [label, value] :
       {std::pair<std::string, std::string>{"{Bucket}", "coverage-bucket"},
        {"{Key+}", "coverage-key"}}) {
    if (const std::size_t at = uri.find(label); at != std::string::npos)
      uri.replace(at, label.size(), value);
  }
  http.path = uri;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string parameter = query.substr(0, amp);
    query = amp == std::string::npos ? std::string() : query.substr(amp + 1);
    const std::size_t equals = parameter.find('=');
    http.query.emplace_back(parameter.substr(0, equals),
                            equals == std::string::npos ? "" : parameter.substr(equals + 1));
  }
  if (operation.input_shape.empty()) return http;
  for (const test::ModelMember& member : model.shape(operation.input_shape).members) {
    if (!member.required) continue;
    if (member.location == "querystring") http.query.emplace_back(member.location_name, "1");
    if (member.location == "header") {
      http.headers.set(member.location_name, member.location_name == "x-amz-copy-source"
                                                 ? "coverage-bucket/coverage-key"
                                                 : "1");
    }
  }
  return http;
}

// S3's operations: each sent as its model request to the S3 service, served unless it answers
// NotImplemented (or MethodNotAllowed: no route at all). Each is also routed, and when not served
// logged, under its own name, but for the deprecated operations whose request is another's
// (GetBucketLifecycle is GetBucketLifecycleConfiguration's).
void s3_coverage(Service& service, std::vector<std::string>& served,
                 std::vector<std::string>& missing) {
  const test::ServiceModel& model = test::service_model("s3");
  // A request as sent: its method, path, query and header names.
  auto shape = [](const HttpRequest& http) {
    std::string text = http.method + " " + http.path + "?" + http.query_string();
    for (const auto& field : http.headers.fields()) text += " " + field.name;
    return text;
  };
  std::map<std::string, int> requests;
  for (const std::string& name : model.operation_names())
    ++requests[shape(s3_request(model, *model.operation(name)))];
  for (const std::string& name : model.operation_names()) {
    const test::ModelOperation* operation = model.operation(name);
    const HttpRequest http = s3_request(model, *operation);
    ApiCall call = call_of("s3", "", http);
    bool known = true;
    testing::internal::CaptureStderr();
    try {
      service.call(call);
    } catch (const ApiError& e) {
      known = e.code() != "NotImplemented" && e.code() != "MethodNotAllowed";
    } catch (const std::exception&) {
      // Served: it failed on the placeholder input, not on the request's shape.
    }
    const std::string logged = testing::internal::GetCapturedStderr();
    if (requests[shape(http)] == 1) {
      EXPECT_EQ(call.operation, name) << "S3 routes " << http.method << " "
                                      << operation->request_uri << " as another operation";
      if (!known) {
        EXPECT_NE(logged.find("lambdeploy local: S3 " + name + " is not served\n"),
                  std::string::npos)
            << logged;
      }
    }
    (known ? served : missing).push_back(name);
  }
}

// The Markdown table of what `endpoint` serves.
std::string coverage(Endpoint& endpoint) {
  std::ostringstream doc;
  doc << "# What `lambdeploy local` serves\n\n"
      << "Written by `tests/local/operations_coverage_test.cpp` from the code (run it with\n"
      << "`LAMBDEPLOY_WRITE_COVERAGE=1` to rewrite this file): each operation of the service's\n"
      << "API model, called on the endpoint, either is served or answers as AWS answers an\n"
      << "unknown action (UnknownOperationException, InvalidAction). The models are Debian's\n"
      << "botocore 1.29.27 (../shared/conformance/models) with the operations AWS added since\n"
      << "that the endpoint serves, from botocore 1.43 (tests/data/models: Lambda's\n"
      << "InvokeWithResponseStream).\n\n"
      << "S3 names no operation on the wire: it routes each request by its shape (method,\n"
      << "bucket or key, sub-resource query parameters, headers) through the route table in\n"
      << "`src/local/services/s3.cpp`. Each S3 operation is counted by sending the request its\n"
      << "model binds it to (method and requestUri, with every required query parameter and\n"
      << "header) to the endpoint's S3 service: it is served unless it answers `NotImplemented`\n"
      << "(501), as S3 answers functionality it does not implement. The deprecated\n"
      << "GetBucketLifecycle, GetBucketNotification, PutBucketLifecycle and PutBucketNotification\n"
      << "share their requests with the `*Configuration` operations and are counted as those "
         "are.\n";
  HttpRequest http;
  http.method = "POST";
  http.path = "/";
  for (const Covered& covered : kServices) {
    Service* service = endpoint.front_end().find(covered.signing_name);
    if (service == nullptr) continue;
    const test::ServiceModel& model = test::service_model(covered.folder);
    std::vector<std::string> served, missing;
    if (covered.folder == "s3") {
      s3_coverage(*service, served, missing);
    } else {
      for (const std::string& name : model.operation_names()) {
        ApiCall call = call_of(covered.signing_name, name, http);
        bool known = true;
        try {
          service->call(call);
        } catch (const ApiError& e) {
          known = !unknown_operation(e.code());
        } catch (const std::exception&) {
          // Served: it failed on the empty input, not on the name.
        }
        (known ? served : missing).push_back(name);
      }
    }
    doc << "\n## " << covered.title << ": " << served.size() << " of " << model.operation_count()
        << "\n\nServed: ";
    for (std::size_t i = 0; i < served.size(); ++i) doc << (i ? ", " : "") << served[i];
    doc << "\n\nNot served: ";
    for (std::size_t i = 0; i < missing.size(); ++i) doc << (i ? ", " : "") << missing[i];
    doc << "\n";
  }
  return doc.str();
}

TEST(OperationsCoverage, TheDocumentedTableIsWhatTheCodeServes) {
  ld::test::TempDir dir;
  Endpoint endpoint(ld::test::loopback_endpoint_options(dir.path() / "data"));
  endpoint.start();
  const std::string table = coverage(endpoint);
  const fs::path file = test::repo_root() / "docs" / "local-operations.md";
  if (std::getenv("LAMBDEPLOY_WRITE_COVERAGE") != nullptr) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << table;
  }
  ASSERT_TRUE(fs::exists(file)) << file << " is missing: run with LAMBDEPLOY_WRITE_COVERAGE=1";
  EXPECT_EQ(test::read_file(file), table)
      << file << " is not what the endpoint serves: run this test with LAMBDEPLOY_WRITE_COVERAGE=1";
}

// Through the front end, an S3 request the endpoint does not serve answers NotImplemented (501)
// and is logged on stderr, named by its operation when the route table knows it, else by its
// method and path.
TEST(OperationsCoverage, AnS3OperationNotServedIsNotImplementedAndLogged) {
  ld::test::TempDir dir;
  Endpoint endpoint(ld::test::loopback_endpoint_options(dir.path() / "data"));
  endpoint.start();
  auto send = [&](HttpRequest request) {
    request.scheme = "http";
    request.host = "127.0.0.1";
    request.port = 4566;
    ld::test::sign_with_test_key(request, "s3");
    return endpoint.front_end().handle(request);
  };
  HttpRequest create;
  create.method = "PUT";
  create.path = "/coverage-bucket";
  ASSERT_EQ(send(create).status, 200);

  HttpRequest acl;
  acl.path = "/coverage-bucket";
  acl.query = {{"acl", ""}};
  testing::internal::CaptureStderr();
  HttpResponse answer = send(acl);
  std::string logged = testing::internal::GetCapturedStderr();
  EXPECT_EQ(answer.status, 501) << answer.body;
  EXPECT_NE(answer.body.find("<Code>NotImplemented</Code>"), std::string::npos) << answer.body;
  EXPECT_NE(logged.find("lambdeploy local: S3 GetBucketAcl is not served\n"), std::string::npos)
      << logged;

  HttpRequest unknown;
  unknown.method = "PUT";
  unknown.path = "/coverage-bucket";
  unknown.query = {{"no-such-subresource", ""}};
  testing::internal::CaptureStderr();
  answer = send(unknown);
  logged = testing::internal::GetCapturedStderr();
  EXPECT_EQ(answer.status, 501) << answer.body;
  EXPECT_NE(logged.find("lambdeploy local: S3 PUT /coverage-bucket is not served\n"),
            std::string::npos)
      << logged;

  // POST on the service, which no S3 operation takes, stays MethodNotAllowed.
  HttpRequest post;
  post.method = "POST";
  post.path = "/";
  EXPECT_EQ(send(post).status, 405);
}

}  // namespace
}  // namespace ld::local
