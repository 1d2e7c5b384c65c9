// What the local endpoint serves, per service, written from the code: every operation of each
// service's official API model is called on the endpoint's own service with an empty input, and
// counts as served unless it answers as AWS answers an unknown action (UnknownOperationException,
// InvalidAction). The table is docs/local-operations.md; this test fails when the file is not
// what the code serves (LAMBDEPLOY_WRITE_COVERAGE=1 rewrites it). S3 routes by the request's
// HTTP shape, not an operation name, so it is not in this table.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "core/time.hpp"
#include "local/endpoint.hpp"
#include "support/conformance.hpp"
#include "support/deploy_harness.hpp"
#include "support/model.hpp"
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
                                        {"ssm", "ssm", "SSM"}};

bool unknown_operation(const std::string& code) {
  return code == "UnknownOperationException" || code == "InvalidAction";
}

// The Markdown table of what `endpoint` serves.
std::string coverage(Endpoint& endpoint) {
  std::ostringstream doc;
  doc << "# What `lambdeploy local` serves\n\n"
      << "Written by `tests/local/operations_coverage_test.cpp` from the code (run it with\n"
      << "`LAMBDEPLOY_WRITE_COVERAGE=1` to rewrite this file): each operation of the service's\n"
      << "API model, called on the endpoint, either is served or answers as AWS answers an\n"
      << "unknown action. S3 routes by HTTP shape and is not listed here.\n";
  HttpRequest http;
  http.method = "POST";
  http.path = "/";
  for (const Covered& covered : kServices) {
    Service* service = endpoint.front_end().find(covered.signing_name);
    if (service == nullptr) continue;
    const test::ServiceModel& model = test::service_model(covered.folder);
    std::vector<std::string> served, missing;
    for (const std::string& name : model.operation_names()) {
      ApiCall call;
      call.service = covered.signing_name;
      call.operation = name;
      call.http = &http;
      call.caller = Caller{"test", "000000000000", "arn:aws:iam::000000000000:root", "us-east-1"};
      call.request_id = "coverage";
      call.now = system_now();
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
  EndpointOptions options;
  options.server.port = 0;
  options.data_dir = dir.path() / "data";
  options.settle_delay = 0ms;
  Endpoint endpoint(options);
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

}  // namespace
}  // namespace ld::local
