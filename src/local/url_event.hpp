#pragma once
// A Function URL request as the payload format 2.0 event Lambda hands the function, and the
// function's result back as the HTTP answer, both as AWS builds them (fixtures in
// conformance/events/function-url, recordings in TestLambdaURL of the LocalStack snapshots).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/http.hpp"
#include "core/time.hpp"

namespace ld::local {

// What the event needs besides the request itself.
struct UrlEventContext {
  std::string url_id;      // the host's first label
  std::string account;     // requestContext.accountId: "anonymous" for AuthType NONE
  std::string source_ip;   // the peer's address
  int local_port = 0;      // x-forwarded-port
  std::string request_id;  // requestContext.requestId
  std::string trace_id;    // x-amzn-trace-id ("Root=1-…")
  std::string raw_path;    // the path after any /_lambdeploy/url/{id} prefix, still encoded
  std::string raw_query;   // the query string as sent
  Timestamp time{};
};

// The payload 2.0 event: rawPath, rawQueryString, cookies (and the cookie header kept),
// lower-cased headers with repeats comma-joined, queryStringParameters comma-joined, the body
// (base64 with isBase64Encoded when its content type is not text), requestContext.
nlohmann::json url_event(const HttpRequest& request, const UrlEventContext& context);

// The HTTP answer for a function's result payload: an object with statusCode is a response
// (headers, cookies → Set-Cookie, body, isBase64Encoded); anything else is a 200
// application/json whose body is the string itself or the compact JSON. A payload that is not
// JSON is a 502, as is a function error.
HttpResponse url_response(std::string_view payload);

// 502 "Internal Server Error" (function errors and timeouts), 403 Forbidden, 429, 404.
HttpResponse url_error(int status, std::string_view message);

// Whether Lambda leaves a body with this content type as text (else base64).
bool is_text_content(std::string_view content_type);

}  // namespace ld::local
