#pragma once
// Checks the SigV4 signature of a request a server received (the local endpoint), and the error
// AWS answers when the check fails, per wire-protocol family.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aws/error.hpp"
#include "aws/http.hpp"
#include "aws/service.hpp"
#include "core/time.hpp"

namespace ld::aws {

// How far X-Amz-Date may be from the server's clock, as AWS allows.
inline constexpr std::chrono::minutes kMaxClockSkew{15};

// Why a request's signature was not accepted.
enum class AuthFailure {
  None,                 // accepted
  Missing,              // neither an Authorization header nor X-Amz-* query parameters
  Malformed,            // incomplete or unparsable header / parameters, or an unusable date
  UnknownKey,           // the access key is not one the server knows
  ScopeMismatch,        // the credential scope's date is not the day of X-Amz-Date
  SignatureMismatch,    // the signature recomputed with the secret differs
  PayloadHashMismatch,  // S3: x-amz-content-sha256 is a hash, but not the body's
  Skewed,               // X-Amz-Date more than 15 minutes from now
  Expired,              // presigned and X-Amz-Expires has passed
};

// Returns the secret access key of an access key id; nullopt when the key is unknown.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key)>;

// The outcome of verify_request and what it learned of the signature.
struct VerifyResult {
  bool ok = false;
  AuthFailure failure = AuthFailure::Missing;
  // What was wrong, in AWS's own words where AWS has some (for Malformed, ScopeMismatch, Skewed).
  std::string message;
  bool presigned = false;  // query-string form
  // From the credential scope: AK/20150830/us-east-1/lambda/aws4_request.
  std::string access_key;
  std::string scope_date;  // 20150830
  std::string region;
  std::string service;
  std::string signed_headers;             // "host;x-amz-date"
  std::string session_token;              // X-Amz-Security-Token, when sent (not checked here)
  std::optional<Timestamp> request_time;  // from X-Amz-Date (or Date), once parsed
  std::string canonical_request;          // as recomputed, once the key was found
  std::string string_to_sign;
};

// Verifies `request` as received: `path` the wire path (still percent-encoded), `query` the
// decoded pairs, headers as sent, the body (or body_file). Recomputes the signature over exactly
// the signed headers with the secret `secret_for` returns, S3's rules when the scope's service is
// "s3" (wire path as it is, no normalization, the payload hash x-amz-content-sha256 declares, so
// UNSIGNED-PAYLOAD and STREAMING-* too, and UNSIGNED-PAYLOAD for presigned URLs without it). Any
// other service: the SHA-256 of the body received, whatever x-amz-content-sha256 says, as AWS
// does. Never throws for a bad request: the result says why.
// `sent_headers`, when given, holds the header fields as the client sent them where the server's
// HTTP parser changed them (cpp-httplib percent-decodes values): the signature is recomputed over
// those, everything else (path, query, body) as `request` has it.
VerifyResult verify_request(const HttpRequest& request, const SecretLookup& secret_for,
                            Timestamp now, const Headers* sent_headers = nullptr);

// The error AWS sends for `failure` to a client of a service speaking `protocol`: code, HTTP
// status and message (rest-json and json: InvalidSignatureException & co.; query:
// SignatureDoesNotMatch & co.; rest-xml, i.e. S3: SignatureDoesNotMatch, InvalidAccessKeyId,
// RequestTimeTooSkewed, AccessDenied...). `message` supplies the detail for the failures whose
// text depends on the request (Malformed, ScopeMismatch, Skewed).
AwsError auth_error(AuthFailure failure, Protocol protocol, std::string_view message = {},
                    bool presigned = false);
AwsError auth_error(const VerifyResult& result, Protocol protocol);

}  // namespace ld::aws
