#include "deploy/smoke.hpp"

#include <nlohmann/json.hpp>

#include "aws/http.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::deploy {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

std::string replace_version(std::string text, const std::string& version) {
  const std::string token = "{version}";
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at))
    text.replace(at, token.size(), version);
  return text;
}

std::string clipped(const std::string& text, std::size_t size = 200) {
  if (text.size() <= size) return text;
  return text.substr(0, size) + "…";
}

}  // namespace

HttpRequest url_request(const std::string& function_url, const std::string& method,
                        const std::string& path_and_query) {
  const aws::Endpoint root = aws::Endpoint::parse(function_url);
  HttpRequest request;
  request.method = method;
  request.scheme = root.scheme;
  request.host = root.host;
  request.port = root.port;
  std::string path = path_and_query.empty() ? "/" : path_and_query;
  if (!path.starts_with('/')) path = "/" + path;
  if (auto q = path.find('?'); q != std::string::npos) {
    std::string query = path.substr(q + 1);
    path.resize(q);
    std::size_t start = 0;
    while (start <= query.size()) {
      std::size_t end = query.find('&', start);
      if (end == std::string::npos) end = query.size();
      const std::string pair = query.substr(start, end - start);
      if (!pair.empty()) {
        const auto eq = pair.find('=');
        request.query.emplace_back(
            uri_decode(pair.substr(0, eq), true),
            eq == std::string::npos ? "" : uri_decode(pair.substr(eq + 1), true));
      }
      start = end + 1;
    }
  }
  request.path = root.base_path + path;
  return request;
}

CheckResult check_invoke(const aws::LambdaClient& lambda, const Desired& desired,
                         const std::string& qualifier) {
  CheckResult result;
  result.name = "invoke " + desired.names.function + ":" + qualifier + " with " +
                desired.invoke_check.payload;
  const auto start = Clock::now();
  const aws::Result answer = lambda.invoke(
      {{"FunctionName", desired.names.function}, {"Qualifier", qualifier}, {"LogType", "Tail"}},
      desired.invoke_check.payload);
  result.took = since(start);
  const std::string function_error = answer.output.value("FunctionError", "");
  const nlohmann::json payload = nlohmann::json::parse(answer.body, nullptr, false);
  const std::string error_type =
      payload.is_object() ? payload.value("errorType", "") : std::string();
  const std::string expected = desired.invoke_check.error_type;
  std::string tail;
  if (auto log = answer.output.find("LogResult"); log != answer.output.end() && log->is_string())
    tail = base64_decode(log->get<std::string>()).value_or("");
  if (expected.empty()) {
    result.passed = function_error.empty();
    result.detail = result.passed ? "answered " + clipped(answer.body, 80)
                                  : "function error " + error_type + ": " + clipped(answer.body);
  } else {
    result.passed = !function_error.empty() && error_type == expected;
    if (result.passed) {
      result.detail = "answered " + error_type + ", as expected";
    } else if (function_error.empty()) {
      result.detail =
          "expected the function error " + expected + ", but it succeeded: " + clipped(answer.body);
    } else {
      result.detail = "expected the function error " + expected + ", got " +
                      (error_type.empty() ? function_error : error_type) + ": " +
                      clipped(answer.body);
    }
  }
  if (!result.passed && !tail.empty()) result.detail += "\n  log tail:\n" + clipped(tail, 2000);
  return result;
}

namespace {

// What one check expects of an answer: "" when it passes, else what was wrong.
std::string judge(const SmokeSpec& check, int status, const std::string& body,
                  const std::vector<std::string>& releases) {
  if (status != check.status)
    return "status " + std::to_string(status) + ", expected " + std::to_string(check.status);
  if (!check.contains) return "";
  std::string wanted_any;
  for (const auto& release : releases) {
    const std::string wanted = replace_version(*check.contains, release);
    if (body.find(wanted) != std::string::npos) return "";
    wanted_any += (wanted_any.empty() ? "" : " or ") + wanted;
  }
  return "the body does not contain " + wanted_any;
}

std::string check_name(const SmokeSpec& check) {
  return check.method + " " + check.path + (check.with_key ? "" : " (no key)") + " → " +
         std::to_string(check.status);
}

// The Function URL event (payload format 2.0) of one check's request.
nlohmann::json url_event(const SmokeSpec& check, const Desired& desired) {
  std::string path = check.path;
  std::string query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path.resize(q);
  }
  nlohmann::json headers = {{"host", "lambdeploy-check.lambda-url.invalid"},
                            {"user-agent", "lambdeploy"}};
  if (check.with_key && desired.api_key)
    headers[to_lower(desired.api_key->header)] = desired.api_key->value;
  if (check.body) headers["content-type"] = "application/json";
  nlohmann::json event = {{"version", "2.0"},
                          {"routeKey", "$default"},
                          {"rawPath", path},
                          {"rawQueryString", query},
                          {"headers", headers},
                          {"requestContext",
                           {{"accountId", "anonymous"},
                            {"apiId", "lambdeploy-check"},
                            {"domainName", "lambdeploy-check.lambda-url.invalid"},
                            {"domainPrefix", "lambdeploy-check"},
                            {"http",
                             {{"method", check.method},
                              {"path", path},
                              {"protocol", "HTTP/1.1"},
                              {"sourceIp", "127.0.0.1"},
                              {"userAgent", "lambdeploy"}}},
                            {"requestId", "lambdeploy-check"},
                            {"routeKey", "$default"},
                            {"stage", "$default"},
                            {"time", "01/Jan/2026:00:00:00 +0000"},
                            {"timeEpoch", 1767225600000LL}}},
                          {"isBase64Encoded", false}};
  if (check.body) event["body"] = *check.body;
  return event;
}

}  // namespace

std::vector<CheckResult> run_smoke(Transport& transport, const std::string& function_url,
                                   const Desired& desired,
                                   const std::vector<std::string>& releases) {
  const std::vector<std::string> accepted =
      releases.empty() ? std::vector<std::string>{desired.version} : releases;
  std::vector<CheckResult> results;
  for (const auto& check : desired.smoke) {
    CheckResult result;
    result.name = check_name(check);
    HttpRequest request = url_request(function_url, check.method, check.path);
    if (check.with_key && desired.api_key)
      request.headers.set(desired.api_key->header, desired.api_key->value);
    if (check.body) {
      request.body = *check.body;
      request.headers.set("content-type", "application/json");
    }
    const auto start = Clock::now();
    try {
      const HttpResponse response = transport.send(request);
      result.took = since(start);
      const std::string problem = judge(check, response.status, response.body, accepted);
      result.passed = problem.empty();
      result.detail =
          result.passed ? clipped(response.body, 120) : problem + ": " + clipped(response.body);
    } catch (const std::exception& error) {
      result.took = since(start);
      result.detail = std::string("no answer: ") + error.what();
    }
    results.push_back(std::move(result));
  }
  return results;
}

std::vector<CheckResult> run_smoke_on_version(const aws::LambdaClient& lambda,
                                              const Desired& desired, const std::string& version) {
  std::vector<CheckResult> results;
  for (const auto& check : desired.smoke) {
    CheckResult result;
    result.name = check_name(check) + " on version " + version;
    const auto start = Clock::now();
    try {
      const aws::Result answer =
          lambda.invoke({{"FunctionName", desired.names.function}, {"Qualifier", version}},
                        url_event(check, desired).dump());
      result.took = since(start);
      const nlohmann::json reply = nlohmann::json::parse(answer.body, nullptr, false);
      if (!answer.output.value("FunctionError", "").empty() || !reply.is_object() ||
          !reply.contains("statusCode")) {
        result.detail =
            "the function did not answer with an HTTP response: " + clipped(answer.body);
      } else {
        std::string body = reply.value("body", "");
        if (reply.value("isBase64Encoded", false)) body = base64_decode(body).value_or(body);
        const std::string problem =
            judge(check, reply.value("statusCode", 0), body, {desired.version});
        result.passed = problem.empty();
        result.detail = result.passed ? clipped(body, 120) : problem + ": " + clipped(body);
      }
    } catch (const std::exception& error) {
      result.took = since(start);
      result.detail = std::string("invoke failed: ") + error.what();
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace ld::deploy
