// Request bodies sent with Content-Encoding: gzip (the Smithy requestCompression trait: SDKs gzip
// a PutMetricData body of 10240 bytes or more, signed over the compressed bytes). CloudWatch
// reads them in the query protocol and in JSON 1.0; bad gzip, an unknown coding and a gzip bomb
// are refused; S3 keeps Content-Encoding as metadata and the bytes as sent. Each case runs
// against the front end itself and through the endpoint on loopback. The Served cases need the
// server to hand over the body as sent: cpp-httplib (Debian builds it with zlib and brotli)
// inflates a gzip, deflate or br body itself unless the handler removes Content-Encoding from its
// request before reading the body (src/local/server.cpp).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <string>

#include "aws/endpoints.hpp"
#include "aws/services/s3.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/time.hpp"
#include "core/transport.hpp"
#include "local/body_encoding.hpp"
#include "local/services/cloudwatch.hpp"
#include "local/services/s3.hpp"
#include "served_service.hpp"
#include "support/cloudwatch_requests.hpp"
#include "support/signed_request.hpp"
#include "support/temp_dir.hpp"

namespace ld::local {
namespace {

using nlohmann::json;

// Compresses as gzip, feeding `input` `repeat` times (a bomb never exists uncompressed here).
std::string gzip(std::string_view input, std::size_t repeat = 1) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  char chunk[65536];
  for (std::size_t i = 0; i < repeat; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
    z.avail_in = static_cast<uInt>(input.size());
    const int flush = i + 1 == repeat ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(chunk);
      z.avail_out = sizeof chunk;
      deflate(&z, flush);
      out.append(chunk, sizeof chunk - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

// The most resident memory this process has had, in bytes (VmHWM).
std::size_t peak_rss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoul(line.substr(6)) * 1024;
  }
  return 0;
}

double now_seconds() {
  return std::floor(static_cast<double>(system_now().time_since_epoch().count()) / 1000.0);
}

// How a test reaches the endpoint: FrontEnd::handle itself, or the server on loopback.
enum class Path { FrontEnd, Served };

std::string path_name(const testing::TestParamInfo<Path>& info) {
  return info.param == Path::FrontEnd ? "FrontEnd" : "Served";
}

// One service behind a front end and a server; sends signed requests either way.
class Endpoint {
 public:
  Endpoint(const std::filesystem::path& dir, const test::ServedService::Factory& make)
      : served_(dir / "served", make), state_(State::open(dir / "direct")) {
    front_end_ = std::make_unique<FrontEnd>(std::make_shared<KeyRing>());
    front_end_->add(make(state_));
  }

  HttpResponse send(Path path, HttpRequest request, const std::string& service) const {
    const aws::Endpoint at = aws::Endpoint::parse(served_.url());
    request.scheme = at.scheme;
    request.host = at.host;
    request.port = at.port;
    if (!request.headers.has("Authorization")) ld::test::sign_with_test_key(request, service);
    if (path == Path::Served) return make_socket_transport()->send(request);
    request.headers.set("Host", request.authority());
    return front_end_->handle(request);
  }

  const test::ServedService& served() const { return served_; }

 private:
  test::ServedService served_;
  State state_;
  std::unique_ptr<FrontEnd> front_end_;
};

std::shared_ptr<Service> make_cloudwatch(const State& state) {
  return std::make_shared<CloudWatchService>(
      state, CloudWatchOptions{.seconds_per_period_second = 1.0, .evaluate_alarms = false});
}

std::shared_ptr<Service> make_s3(const State& state) {
  return std::make_shared<S3Service>(state);
}

constexpr int kMetrics = 40;

// A PutMetricData form of kMetrics metrics, each with a long dimension: well over 10240 bytes.
std::string put_metric_data_form(double when) {
  std::string form = "Action=PutMetricData&Version=2010-08-01&Namespace=Compressed";
  for (int i = 1; i <= kMetrics; ++i) {
    const std::string member = "&MetricData.member." + std::to_string(i) + ".";
    form += member + "MetricName=Metric" + std::to_string(i);
    form += member + "Value=" + std::to_string(i);
    form += member + "Timestamp=" + std::to_string(static_cast<long long>(when));
    form += member + "Dimensions.member.1.Name=Padding";
    form += member + "Dimensions.member.1.Value=" + std::string(250, 'p');
  }
  return form;
}

json put_metric_data_json(double when) {
  json data = json::array();
  for (int i = 1; i <= kMetrics; ++i) {
    data.push_back({{"MetricName", "Metric" + std::to_string(i)},
                    {"Value", i},
                    {"Timestamp", when},
                    {"Dimensions", {{{"Name", "Padding"}, {"Value", std::string(250, 'p')}}}}});
  }
  return {{"Namespace", "Compressed"}, {"MetricData", data}};
}

HttpRequest query_request(std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = std::move(body);
  return request;
}

using ld::test::cloudwatch_json_request;

HttpRequest gzipped(HttpRequest request) {
  request.body = gzip(request.body);
  request.headers.set("Content-Encoding", "gzip");
  return request;
}

// ListMetrics and GetMetricStatistics (JSON 1.0) show what PutMetricData stored.
void expect_metrics_stored(const Endpoint& endpoint, Path path, double when) {
  HttpResponse listed = endpoint.send(
      path, cloudwatch_json_request("ListMetrics", json{{"Namespace", "Compressed"}}.dump()),
      "monitoring");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["Metrics"].size(), static_cast<std::size_t>(kMetrics))
      << listed.body;
  const json query = {{"Namespace", "Compressed"},
                      {"MetricName", "Metric7"},
                      {"Dimensions", {{{"Name", "Padding"}, {"Value", std::string(250, 'p')}}}},
                      {"StartTime", when - 600},
                      {"EndTime", when + 60},
                      {"Period", 60},
                      {"Statistics", {"Sum"}}};
  HttpResponse stats = endpoint.send(
      path, cloudwatch_json_request("GetMetricStatistics", query.dump()), "monitoring");
  ASSERT_EQ(stats.status, 200) << stats.body;
  const json points = json::parse(stats.body)["Datapoints"];
  ASSERT_EQ(points.size(), 1u) << stats.body;
  EXPECT_DOUBLE_EQ(points[0]["Sum"].get<double>(), 7.0);
}

class CompressedBodies : public testing::TestWithParam<Path> {
 protected:
  ld::test::TempDir dir_{"compressed"};
};

TEST_P(CompressedBodies, QueryPutMetricDataInGzip) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  const double when = now_seconds() - 30;
  HttpRequest request = gzipped(query_request(put_metric_data_form(when)));
  ASSERT_GT(put_metric_data_form(when).size(), 10240u);
  HttpResponse put = endpoint.send(GetParam(), request, "monitoring");
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_NE(put.body.find("PutMetricDataResponse"), std::string::npos) << put.body;
  expect_metrics_stored(endpoint, GetParam(), when);
}

TEST_P(CompressedBodies, Json10PutMetricDataInGzip) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  const double when = now_seconds() - 30;
  const std::string body = put_metric_data_json(when).dump();
  ASSERT_GT(body.size(), 10240u);
  HttpResponse put = endpoint.send(
      GetParam(), gzipped(cloudwatch_json_request("PutMetricData", body)), "monitoring");
  ASSERT_EQ(put.status, 200) << put.body;
  expect_metrics_stored(endpoint, GetParam(), when);
}

TEST_P(CompressedBodies, TheSignatureCoversTheCompressedBytes) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  HttpRequest request = gzipped(query_request(put_metric_data_form(now_seconds())));
  const aws::Endpoint at = aws::Endpoint::parse(endpoint.served().url());
  request.host = at.host;
  request.port = at.port;
  ld::test::sign_with_test_key(request, "monitoring");
  // Other bytes that inflate to the same form (the gzip header's MTIME changed): the signature
  // covers the bytes as sent, so it no longer holds.
  request.body[4] = '\x01';
  HttpResponse refused = endpoint.send(GetParam(), request, "monitoring");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("SignatureDoesNotMatch"), std::string::npos) << refused.body;
}

TEST_P(CompressedBodies, BadGzipIsA400NamingTheProblem) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  HttpRequest query = query_request("Action=ListMetrics&Version=2010-08-01");
  query.headers.set("Content-Encoding", "gzip");
  HttpResponse refused = endpoint.send(GetParam(), query, "monitoring");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("<Code>InvalidContentEncoding</Code>"), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("not valid gzip"), std::string::npos) << refused.body;

  // Truncated gzip, in JSON 1.0: the query-compatible error shape.
  const std::string whole = gzip(json{{"Namespace", "Compressed"}}.dump());
  HttpRequest truncated = cloudwatch_json_request("ListMetrics", whole.substr(0, whole.size() - 6));
  truncated.headers.set("Content-Encoding", "gzip");
  HttpResponse answer = endpoint.send(GetParam(), truncated, "monitoring");
  EXPECT_EQ(answer.status, 400) << answer.body;
  EXPECT_EQ(answer.headers.get("x-amzn-query-error"), "InvalidContentEncoding;Sender");
  EXPECT_NE(answer.body.find("truncated"), std::string::npos) << answer.body;
}

TEST_P(CompressedBodies, AnUnknownCodingIsRefused) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  HttpRequest request = cloudwatch_json_request("ListMetrics", "{}");
  request.headers.set("Content-Encoding", "compress");
  HttpResponse refused = endpoint.send(GetParam(), request, "monitoring");
  EXPECT_EQ(refused.status, 415) << refused.body;
  EXPECT_EQ(refused.headers.get("x-amzn-query-error"), "UnsupportedContentEncoding;Sender");
  EXPECT_NE(refused.body.find("'compress' is not supported"), std::string::npos) << refused.body;
  // identity is the body as it is.
  request.headers.set("Content-Encoding", "identity");
  EXPECT_EQ(endpoint.send(GetParam(), request, "monitoring").status, 200);
}

TEST_P(CompressedBodies, AGzipBombIsRefusedWithoutTheMemory) {
  Endpoint endpoint(dir_.path(), make_cloudwatch);
  // 100 MB of zeros, about 100 KB compressed.
  const std::string bomb = gzip(std::string(1024 * 1024, '\0'), 100);
  ASSERT_LT(bomb.size(), 1024u * 1024);
  const std::size_t before = peak_rss();
  HttpRequest request = cloudwatch_json_request("PutMetricData", "");
  request.body = bomb;
  request.headers.set("Content-Encoding", "gzip");
  HttpResponse answer = endpoint.send(GetParam(), request, "monitoring");
  EXPECT_EQ(answer.status, 413) << answer.body;
  EXPECT_NE(answer.body.find("RequestEntityTooLarge"), std::string::npos) << answer.body;
  EXPECT_LT(peak_rss() - before, 32u * 1024 * 1024);
}

TEST_P(CompressedBodies, S3KeepsTheBytesAndTheirContentEncoding) {
  Endpoint endpoint(dir_.path(), make_s3);
  HttpRequest bucket;
  bucket.method = "PUT";
  bucket.path = "/zipped";
  ASSERT_EQ(endpoint.send(GetParam(), bucket, "s3").status, 200);
  const std::string compressed = gzip(std::string(20000, 'a'));
  HttpRequest put;
  put.method = "PUT";
  put.path = "/zipped/data.txt";
  put.headers.set("Content-Encoding", "gzip");
  put.headers.set("Content-Type", "text/plain");
  put.body = compressed;
  HttpResponse stored = endpoint.send(GetParam(), put, "s3");
  ASSERT_EQ(stored.status, 200) << stored.body;
  HttpRequest get;
  get.path = "/zipped/data.txt";
  HttpResponse got = endpoint.send(GetParam(), get, "s3");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.headers.get("Content-Encoding"), "gzip");
  EXPECT_EQ(got.body, compressed);
}

INSTANTIATE_TEST_SUITE_P(Paths, CompressedBodies, testing::Values(Path::FrontEnd, Path::Served),
                         path_name);

TEST(Gunzip, ReadsMembersAndRefusesJunkAndExcess) {
  EXPECT_EQ(gunzip(gzip("abc") + gzip("def"), 100), "abcdef");
  EXPECT_THROW(gunzip(gzip("abc") + "x", 100), ApiError);
  EXPECT_THROW(gunzip("plain", 100), ApiError);
  try {
    gunzip(gzip(std::string(1000, 'z')), 999);
    ADD_FAILURE() << "no error";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.code(), "RequestEntityTooLarge");
    EXPECT_EQ(e.status(), 413);
  }
  EXPECT_EQ(gunzip(gzip(std::string(1000, 'z')), 1000), std::string(1000, 'z'));
}

}  // namespace
}  // namespace ld::local
