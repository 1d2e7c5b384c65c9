#include "runtime/runtime.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api_connection.hpp"
#include "runtime/http_event.hpp"

namespace ld::runtime {

namespace {

using nlohmann::json;

constexpr std::string_view kNextPath = "/2018-06-01/runtime/invocation/next";
constexpr std::string_view kInvocationPrefix = "/2018-06-01/runtime/invocation/";
constexpr std::string_view kInitErrorPath = "/2018-06-01/runtime/init/error";
constexpr const char* kTraceEnv = "_X_AMZN_TRACE_ID";

thread_local const Invocation* current = nullptr;

// Sets `current` for the duration of a handler call.
class CurrentInvocation {
 public:
  explicit CurrentInvocation(const Invocation& invocation) { current = &invocation; }
  ~CurrentInvocation() { current = nullptr; }
  CurrentInvocation(const CurrentInvocation&) = delete;
  CurrentInvocation& operator=(const CurrentInvocation&) = delete;
};

std::optional<std::string> lookup(const RuntimeOptions& options, const std::string& name) {
  if (options.env) return options.env(name);
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// The Runtime API's address, or nullopt (with a message on stderr).
std::optional<std::string> api_address(const RuntimeOptions& options) {
  if (!options.api.empty()) return options.api;
  auto api = lookup(options, "AWS_LAMBDA_RUNTIME_API");
  if (!api || api->empty()) {
    std::fputs(
        "lambdeploy runtime: AWS_LAMBDA_RUNTIME_API is not set; this program is a Lambda "
        "bootstrap and must run inside Lambda (or `lambdeploy local`)\n",
        stderr);
    return std::nullopt;
  }
  return api;
}

std::string error_body(std::string_view type, std::string_view message) {
  json body = {{"errorMessage", message}, {"errorType", type}, {"stackTrace", json::array()}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

void assign(std::string& out, const ApiReply& reply, std::string_view name) {
  auto value = reply.header(name);
  if (value) {
    out.assign(*value);
  } else {
    out.clear();
  }
}

// What one invocation produced: a result to post, or a function error.
struct Outcome {
  std::string payload;          // the result JSON, or the error JSON
  std::string_view error_type;  // empty: a result
  std::string error_message;
};

void handle(const web::Handler& handler, std::string_view event_text, const Invocation& invocation,
            Outcome& outcome) {
  outcome.error_type = {};
  json event = json::parse(strip_bom(event_text), nullptr, false);
  if (event.is_discarded()) {
    outcome.error_type = kUnsupportedEventType;
    outcome.error_message =
        "the event is not an HTTP request event (a Function URL or API Gateway HTTP API event, "
        "payload format 2.0); got a payload that is not JSON (" +
        std::to_string(event_text.size()) + " bytes)";
    return;
  }
  if (!is_http_event(event)) {
    outcome.error_type = kUnsupportedEventType;
    outcome.error_message = unsupported_event_message(event);
    return;
  }
  try {
    web::Request request = request_from_event(event, invocation.request_id);
    event = json();  // free the event before the handler runs
    web::Response response = handler(request);
    web::collect_body(response);  // a Lambda result carries the whole body
    write_result(response, outcome.payload);
  } catch (const std::exception& e) {
    outcome.error_type = kHandlerErrorType;
    outcome.error_message = e.what();
  } catch (...) {
    outcome.error_type = kHandlerErrorType;
    outcome.error_message = "the handler threw something that is not a std::exception";
  }
}

}  // namespace

std::chrono::milliseconds Invocation::remaining() const {
  if (deadline_ms == 0) return std::chrono::milliseconds(0);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto left = static_cast<long long>(deadline_ms) - static_cast<long long>(now);
  return std::chrono::milliseconds(left > 0 ? left : 0);
}

const Invocation* current_invocation() {
  return current;
}

int run(const web::Handler& handler, RuntimeOptions options) {
  auto address = api_address(options);
  if (!address) return 1;
  ApiConnection api(std::move(*address));
  Invocation invocation;
  Outcome outcome;
  std::string path;
  path.reserve(kInvocationPrefix.size() + 64);
  std::vector<HeaderView> post_headers;
  ApiConnection::PostAnswer posted;
  try {
    // After the first invocation, each result is posted with the next GET /next right behind
    // it in one write (ApiConnection::post_then_get): one round trip per invocation.
    const ApiReply* next = &api.send("GET", kNextPath);
    for (std::size_t count = 1;; ++count) {
      if (next->status != 200) {
        std::fprintf(stderr, "lambdeploy runtime: GET %.*s answered %d: %.*s; stopping\n",
                     static_cast<int>(kNextPath.size()), kNextPath.data(), next->status,
                     static_cast<int>(std::min<std::size_t>(next->body.size(), 500)),
                     next->body.data());
        return 1;
      }
      assign(invocation.request_id, *next, "Lambda-Runtime-Aws-Request-Id");
      assign(invocation.function_arn, *next, "Lambda-Runtime-Invoked-Function-Arn");
      assign(invocation.trace_id, *next, "Lambda-Runtime-Trace-Id");
      assign(invocation.client_context, *next, "Lambda-Runtime-Client-Context");
      assign(invocation.cognito_identity, *next, "Lambda-Runtime-Cognito-Identity");
      invocation.deadline_ms = 0;
      if (auto deadline = next->header("Lambda-Runtime-Deadline-Ms")) {
        std::from_chars(deadline->data(), deadline->data() + deadline->size(),
                        invocation.deadline_ms);
      }
      if (invocation.request_id.empty()) {
        std::fputs("lambdeploy runtime: GET /next answered without Lambda-Runtime-Aws-Request-Id\n",
                   stderr);
        return 1;
      }
      if (invocation.trace_id.empty()) {
        ::unsetenv(kTraceEnv);
      } else {
        ::setenv(kTraceEnv, invocation.trace_id.c_str(), 1);
      }

      {
        CurrentInvocation scope(invocation);
        handle(handler, next->body, invocation, outcome);
      }

      path.assign(kInvocationPrefix).append(invocation.request_id);
      post_headers.clear();
      if (outcome.error_type.empty()) {
        path.append("/response");
      } else {
        path.append("/error");
        post_headers.emplace_back("Lambda-Runtime-Function-Error-Type", outcome.error_type);
        std::fprintf(stderr, "ERROR %s %.*s: %s\n", invocation.request_id.c_str(),
                     static_cast<int>(outcome.error_type.size()), outcome.error_type.data(),
                     outcome.error_message.c_str());
        outcome.payload = error_body(outcome.error_type, outcome.error_message);
      }
      post_headers.emplace_back("Content-Type", "application/json");
      const bool last = options.max_invocations != 0 && count >= options.max_invocations;
      if (last) {
        const ApiReply& reply = api.send("POST", path, outcome.payload, post_headers);
        posted.status = reply.status;
        posted.body.assign(reply.body.substr(0, std::min<std::size_t>(reply.body.size(), 500)));
      } else {
        next = &api.post_then_get(path, outcome.payload, post_headers, kNextPath, posted);
      }
      if (posted.status / 100 != 2) {
        std::fprintf(stderr, "lambdeploy runtime: POST %s answered %d: %s\n", path.c_str(),
                     posted.status, posted.body.c_str());
      }
      if (last) break;
    }
  } catch (const ApiUnreachable& e) {
    std::fprintf(stderr, "lambdeploy runtime: %s; exiting\n", e.what());
    return 2;
  }
  return 0;
}

int report_init_error(std::string_view error_type, std::string_view message,
                      RuntimeOptions options) {
  std::fprintf(stderr, "INIT ERROR %.*s: %.*s\n", static_cast<int>(error_type.size()),
               error_type.data(), static_cast<int>(message.size()), message.data());
  auto address = api_address(options);
  if (!address) return 1;
  try {
    ApiConnection api(std::move(*address));
    std::vector<HeaderView> headers = {{"Lambda-Runtime-Function-Error-Type", error_type},
                                       {"Content-Type", "application/json"}};
    const ApiReply& reply =
        api.send("POST", kInitErrorPath, error_body(error_type, message), headers);
    if (reply.status / 100 != 2) {
      std::fprintf(stderr, "lambdeploy runtime: POST %.*s answered %d\n",
                   static_cast<int>(kInitErrorPath.size()), kInitErrorPath.data(), reply.status);
      return 1;
    }
  } catch (const ApiUnreachable& e) {
    std::fprintf(stderr, "lambdeploy runtime: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace ld::runtime
