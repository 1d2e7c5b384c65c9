#pragma once
// The checks that prove a version serves: a direct invoke whose answer shows the code loaded
// and ran, and the [[smoke]] requests through the Function URL with the API key.
#include <chrono>
#include <string>
#include <vector>

#include "aws/services/lambda.hpp"
#include "core/transport.hpp"
#include "deploy/desired.hpp"

namespace ld::deploy {

// How one check went.
struct CheckResult {
  std::string name;  // "GET /info/version → 200", "invoke LIVE with {}"
  bool passed = false;
  std::string detail;  // what was seen, or why it failed
  std::chrono::milliseconds took{0};
};

// Invokes `qualifier` with the invoke check's payload. Passes when the function answered with
// the expected function error type (or succeeded, when none is expected).
CheckResult check_invoke(const aws::LambdaClient& lambda, const Desired& desired,
                         const std::string& qualifier);

// Runs every [[smoke]] check against `function_url` ("https://id.lambda-url.r.on.aws/").
// `{version}` in a check's `contains` is the desired version, or any of `releases` when given
// (during a canary the URL answers with the old release or the new). A check with_key sends the
// API key when the stage has one.
std::vector<CheckResult> run_smoke(Transport& transport, const std::string& function_url,
                                   const Desired& desired,
                                   const std::vector<std::string>& releases = {});

// Runs every [[smoke]] check on one version by invoking it directly with the Function URL event
// (payload format 2.0) the request would make: the checks of a canary's version, whatever share
// of the URL's traffic it gets.
std::vector<CheckResult> run_smoke_on_version(const aws::LambdaClient& lambda,
                                              const Desired& desired, const std::string& version);

// One request to the Function URL: PATH (with an optional ?query) appended to the URL's root.
HttpRequest url_request(const std::string& function_url, const std::string& method,
                        const std::string& path_and_query);

}  // namespace ld::deploy
