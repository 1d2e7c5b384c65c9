#pragma once
// The Lambda Runtime API loop of a `bootstrap`: fetch an invocation, map its Function URL event
// to a web::Request, call the handler, post the result (or a function error), and again.
//
//   int main() { return ld::runtime::run(make_app()); }
//
// Nothing runs before run() is called (no static initialisers doing work), and run() does
// nothing heavy before its first GET /next: cold start is the process start plus one request.
//
// Allocations per invocation: the connection's buffers, the Invocation's strings and the result
// buffer are reused (they grow to the largest payload, then stay); what remains is the payload
// itself: the event's JSON value, the web::Request and web::Response strings, and whatever the
// handler allocates. The trace id is set with setenv(3) (_X_AMZN_TRACE_ID) on the loop's thread
// before the handler runs; other threads reading the environment meanwhile is not safe.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "web/handler.hpp"

namespace ld::runtime {

// How run() finds and talks to the Runtime API.
struct RuntimeOptions {
  // "host:port" of the Runtime API; empty: the AWS_LAMBDA_RUNTIME_API environment variable.
  std::string api;
  // Stop (and return 0) after this many invocations; 0: never (Lambda stops the process).
  std::size_t max_invocations = 0;
  // Environment look-up; empty: std::getenv.
  std::function<std::optional<std::string>(const std::string&)> env;
};

// The invocation being handled, from the headers of GET /next. Valid during the handler call,
// on the thread that runs the loop (current_invocation()).
struct Invocation {
  std::string request_id;         // Lambda-Runtime-Aws-Request-Id
  std::string function_arn;       // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;           // Lambda-Runtime-Trace-Id (also in env _X_AMZN_TRACE_ID)
  std::string client_context;     // Lambda-Runtime-Client-Context (JSON, mobile SDK invokes)
  std::string cognito_identity;   // Lambda-Runtime-Cognito-Identity
  std::uint64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds

  // Time left before Lambda stops the invocation (zero when past or unknown).
  std::chrono::milliseconds remaining() const;
};

// The invocation the calling thread is handling, or nullptr outside a handler call.
const Invocation* current_invocation();

// Runs the loop. Returns 0 after `max_invocations`, non-zero (with a message on stderr) when
// AWS_LAMBDA_RUNTIME_API is not set or the Runtime API is gone (after one reconnect).
// Function errors posted (errorType, see http_event.hpp): Runtime.UnsupportedEvent for an event
// that is not a payload 2.0 HTTP event (or not JSON), Runtime.HandlerError when the handler throws.
int run(const web::Handler& handler, RuntimeOptions options = {});

// Reports a failed initialisation (POST /runtime/init/error) before run() is called; Lambda then
// fails the pending invocation with this error. Returns 0 when the Runtime API accepted it. The
// caller should then exit non-zero.
int report_init_error(std::string_view error_type, std::string_view message,
                      RuntimeOptions options = {});

}  // namespace ld::runtime
