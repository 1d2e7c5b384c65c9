#pragma once
// What the local endpoint decides from a request's head alone, before it reads a byte of the
// body: whether it serves the Host at all (a page on another site reaching 127.0.0.1 through DNS
// rebinding sends its own name), and how large a body the request may carry (AWS's limit for
// the operation, or a small one when nothing signs the request), so an invalid request is
// refused before its body costs memory.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/service.hpp"
#include "core/http.hpp"

namespace ld::local {

// Lambda's payload limit for a synchronous invocation and a Function URL request (6 MB).
inline constexpr std::size_t kInvokePayloadLimit = 6291456;
// Lambda's limit on a whole control-plane request (a CreateFunction carrying its zip).
inline constexpr std::size_t kLambdaRequestLimit = 70167211;
// The largest object body the endpoint takes in one request (it holds bodies in memory).
inline constexpr std::size_t kS3BodyLimit = 512ull * 1024 * 1024;
// Any other signed call (Logs, CloudWatch, SSM, IAM, STS): AWS's own limits are 1 MB or less
// (PutLogEvents, PutMetricData), so twice that covers every valid call.
inline constexpr std::size_t kOtherServiceLimit = 2ull * 1024 * 1024;
// A request nothing signs (STS AssumeRoleWithWebIdentity, a Function URL with auth NONE aside):
// a web identity token and its form fit in far less.
inline constexpr std::size_t kUnsignedLimit = 64ull * 1024;

// The names the endpoint answers to besides localhost, 127.0.0.1, [::1] and *.localhost.
struct GateOptions {
  std::vector<std::string> allowed_hosts;  // lower case, no port
};

// The most body bytes all requests being read may hold in memory together; a body that would
// go past it is refused with the service's throttling error (SDKs retry those).
inline constexpr std::size_t kBodiesInFlightLimit = 1024ull * 1024 * 1024;

// What the gate allows a request whose head it has seen.
struct BodyAllowance {
  std::size_t limit = 0;  // the most body bytes the request may carry
  // The answer to give when the body is longer (an error in the protocol of what it is for).
  HttpResponse too_large = {};
  // The answer when the endpoint holds too many bodies already (S3 SlowDown, Lambda
  // TooManyRequestsException, Throttling elsewhere).
  HttpResponse busy = {};
};

// The 403 for a request whose Host the endpoint does not serve, nullopt when it serves it.
// `request.host` is the Host header's name, lower case and without its port.
std::optional<HttpResponse> refuse_host(const HttpRequest& request, const GateOptions& options);

// How much body the request may carry, judged from its method, host, path, query and headers:
// a Function URL request or Lambda Invoke 6 MB, another Lambda call 70167211 bytes, S3 512 MB,
// any other service kOtherServiceLimit. `service` and `protocol`: the signing name and wire
// protocol of the service it is for (empty: none). An unsigned request that is no Function URL
// request gets kUnsignedLimit, and the service's own missing-authentication error when over it.
BodyAllowance body_allowance(const HttpRequest& request, std::string_view service,
                             aws::Protocol protocol);

// Whether the request carries a SigV4 signature (header or presigned query).
bool is_signed(const HttpRequest& request);

// The request's Content-Length, nullopt when it has none (chunked, or no body) or it is not a
// number.
std::optional<std::size_t> content_length(const HttpRequest& request);

}  // namespace ld::local
