#pragma once
// Function URL / API Gateway HTTP API events (payload format 2.0) to web::Request, and
// web::Response to the result object Lambda turns back into an HTTP response.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::runtime {

// errorType of the function error for an event that is not an HTTP v2.0 request event (a direct
// invoke with `{}`, an S3 notification, an authorizer event, a payload that is not JSON).
inline constexpr std::string_view kUnsupportedEventType = "Runtime.UnsupportedEvent";
// errorType of the function error when the handler throws.
inline constexpr std::string_view kHandlerErrorType = "Runtime.HandlerError";

// The payload without a leading UTF-8 byte order mark (EF BB BF).
std::string_view strip_bom(std::string_view payload);

// Whether the event is a payload format 2.0 HTTP request: an object with requestContext.http
// and either rawPath or version "2.0", and not a Lambda authorizer event (routeArn/methodArn).
bool is_http_event(const nlohmann::json& event);

// Why is_http_event is false, in words for the errorMessage: "the event is not an HTTP ...
// event (...); got a JSON object with keys [a, b]".
std::string unsupported_event_message(const nlohmann::json& event);

// Maps an HTTP v2.0 event (is_http_event must hold) to a Request. The query comes from
// rawQueryString (exact, keys repeat), headers keep their names and comma-joined values,
// cookies come from the `cookies` array, a base64 body is decoded (kept as sent when it is not
// valid base64). request_id is requestContext.requestId, or `invocation_id` when it has none.
web::Request request_from_event(const nlohmann::json& event, std::string_view invocation_id = {});

// Maps a Response to the payload 2.0 result: statusCode, headers (an object; repeated names
// comma-joined; Set-Cookie headers moved into cookies), cookies, body, isBase64Encoded (true,
// with a base64 body, when the response is binary or the body is not valid UTF-8).
nlohmann::json result_from_response(const web::Response& response);

// The same result as JSON text, written straight into `out` (cleared first) without building a
// JSON value: what the runtime loop posts, reusing one buffer across invocations.
void write_result(const web::Response& response, std::string& out);

// What a Function URL makes of a function's return value (urls-invocation.md, "Response payload
// format"): an object with statusCode is a response; anything else is a 200 application/json
// whose body is the value's JSON text. For tests and tools that play the Function URL side.
web::Response response_from_result(const nlohmann::json& result);

// Builds a payload format 2.0 event for a request, as a Function URL would send it. For tests,
// benchmarks and tools that play the Function URL side.
nlohmann::json event_from_request(const web::Request& request);

// Whether the bytes are well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view bytes);

}  // namespace ld::runtime
