// SigV4 signing speed: a Lambda UpdateFunctionConfiguration-sized request signed in header form,
// the same request bench/peers/sigv4_botocore.py signs with botocore (the AWS CLI's signer).
#include <benchmark/benchmark.h>

#include "aws/sigv4.hpp"
#include "core/time.hpp"

namespace {

ld::aws::HttpRequest sample_request() {
  ld::aws::HttpRequest r;
  r.method = "PUT";
  r.host = "lambda.eu-west-1.amazonaws.com";
  r.path = "/2015-03-31/functions/mgraph_ai_service_github_digest__dev/configuration";
  r.headers.set("Content-Type", "application/json");
  r.headers.set("User-Agent", "lambdeploy/0.1");
  r.body = R"({"MemorySize":512,"Timeout":60,"Environment":{"Variables":{"A":"1","B":"2"}}})";
  return r;
}

void BM_SignHeader(benchmark::State& state) {
  ld::aws::Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}, ""};
  ld::aws::SigningConfig cfg;
  cfg.region = "eu-west-1";
  cfg.service = "lambda";
  cfg.time = *ld::parse_iso8601("2015-08-30T12:36:00Z");
  const auto base = sample_request();
  for (auto _ : state) {
    auto r = base;
    auto sig = ld::aws::sign_request(r, creds, cfg);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_SignHeader);

}  // namespace
