#pragma once
// Lambda functions for end-to-end tests of the local endpoint: one whose bootstrap is a shell
// script, and a public Function URL on it.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/services/lambda.hpp"

namespace ld::test {

// Creates `name` (provided.al2023, role arn:aws:iam::000000000000:role/<name>) running `script`
// as its bootstrap, zipped to <dir>/<name>.zip; `extra` adds or replaces CreateFunction members.
nlohmann::json create_script_function(const aws::LambdaClient& lambda,
                                      const std::filesystem::path& dir, const std::string& name,
                                      const std::string& script,
                                      const nlohmann::json& extra = nlohmann::json::object());

// Gives `name` a Function URL with AuthType NONE and the two resource-policy statements a public
// URL needs (InvokeFunctionUrl and InvokeFunction for "*"); returns the URL
// ("http://{id}.lambda-url.us-east-1.localhost:PORT/").
std::string public_function_url(const aws::LambdaClient& lambda, const std::string& name);

// The host of a Function URL ("http://HOST:PORT/" → "HOST").
std::string function_url_host(const std::string& url);

}  // namespace ld::test
