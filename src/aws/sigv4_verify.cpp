#include "aws/sigv4_verify.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "aws/sigv4.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr long long kMaxExpiresSeconds = 7LL * 24 * 3600;

// The signature as the client states it, in either form.
struct Claim {
  std::string credential;  // AK/20150830/us-east-1/service/aws4_request
  std::string signed_headers;
  std::string signature;
  std::string date;                 // X-Amz-Date, or the Date header's RFC 1123 text
  bool date_is_http = false;        // the header form fell back to Date
  std::chrono::seconds expires{0};  // presigned only
};

const std::string* find_param(const QueryParams& query, std::string_view key) {
  for (const auto& [k, v] : query)
    if (k == key) return &v;
  return nullptr;
}

bool is_presigned(const QueryParams& query) {
  return find_param(query, "X-Amz-Algorithm") || find_param(query, "X-Amz-Credential") ||
         find_param(query, "X-Amz-Signature");
}

// Reads "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." and the date
// header; returns what is wrong, as AWS words it, or nullopt.
std::optional<std::string> parse_authorization(std::string_view header, const Headers& headers,
                                               Claim& claim) {
  const std::string_view value = trim(header);
  const size_t space = value.find(' ');
  const std::string_view algorithm = value.substr(0, space);
  if (algorithm != kAlgorithm)
    return "Unsupported AWS 'algorithm': '" + std::string(algorithm) +
           "'; only AWS4-HMAC-SHA256 is accepted.";
  std::string_view rest = space == std::string_view::npos ? "" : value.substr(space + 1);
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    const std::string_view part = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim(part.substr(0, eq));
    const std::string value_text(trim(part.substr(eq + 1)));
    if (key == "Credential") claim.credential = value_text;
    if (key == "SignedHeaders") claim.signed_headers = value_text;
    if (key == "Signature") claim.signature = value_text;
  }
  if (auto date = headers.get("X-Amz-Date")) {
    claim.date = std::move(*date);
  } else if (auto http_date = headers.get("Date")) {
    claim.date = std::move(*http_date);
    claim.date_is_http = true;
  }
  std::string missing;
  if (claim.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (claim.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (claim.signed_headers.empty())
    missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (claim.date.empty())
    missing +=
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (missing.empty()) return std::nullopt;
  return missing + "Authorization=" + std::string(value);
}

// Reads the X-Amz-* query parameters of a presigned URL.
std::optional<std::string> parse_presigned(const QueryParams& query, Claim& claim) {
  const std::string* algorithm = find_param(query, "X-Amz-Algorithm");
  const std::string* credential = find_param(query, "X-Amz-Credential");
  const std::string* signature = find_param(query, "X-Amz-Signature");
  const std::string* date = find_param(query, "X-Amz-Date");
  const std::string* signed_headers = find_param(query, "X-Amz-SignedHeaders");
  const std::string* expires = find_param(query, "X-Amz-Expires");
  if (!algorithm || !credential || !signature || !date || !signed_headers || !expires ||
      credential->empty() || signature->empty() || signed_headers->empty())
    return "Query-string authentication version 4 requires the X-Amz-Algorithm, "
           "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires "
           "parameters.";
  if (*algorithm != kAlgorithm) return "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"";
  long long seconds = 0;
  auto [ptr, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
  if (ec != std::errc() || ptr != expires->data() + expires->size())
    return "X-Amz-Expires should be a number";
  if (seconds < 0) return "X-Amz-Expires must be non-negative";
  if (seconds > kMaxExpiresSeconds)
    return "X-Amz-Expires must be less than a week (in seconds) that is 604800";
  claim.credential = *credential;
  claim.signature = *signature;
  claim.date = *date;
  claim.signed_headers = *signed_headers;
  claim.expires = std::chrono::seconds(seconds);
  return std::nullopt;
}

bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits AK/20150830/us-east-1/service/aws4_request into the result.
std::optional<std::string> parse_credential(std::string_view credential, VerifyResult& r) {
  const auto parts = split(credential, '/');
  if (parts.size() != 5)
    return "Credential must have exactly 5 slash-delimited elements, e.g. "
           "keyid/date/region/service/term, got '" +
           std::string(credential) + "'";
  if (parts[4] != kTerminator)
    return "Credential should be scoped with a valid terminator: 'aws4_request', not '" + parts[4] +
           "'.";
  if (parts[0].empty())
    return "Credential has an empty access key id: '" + std::string(credential) + "'";
  if (parts[1].size() != 8 || !all_digits(parts[1]))
    return "Credential date should be a YYYYMMDD date, not '" + parts[1] + "'.";
  if (parts[2].empty()) return "Credential should be scoped to a valid region, not ''.";
  if (parts[3].empty()) return "Credential should be scoped to a valid service, not ''.";
  r.access_key = parts[0];
  r.scope_date = parts[1];
  r.region = parts[2];
  r.service = parts[3];
  return std::nullopt;
}

bool names_host(std::string_view signed_headers) {
  for (const auto& name : split(signed_headers, ';'))
    if (name == "host") return true;
  return false;
}

std::optional<Timestamp> parse_request_time(const Claim& claim) {
  if (claim.date_is_http) return parse_http_date(claim.date);
  if (claim.date.size() != 16) return std::nullopt;  // only the basic format: 20150830T123600Z
  return parse_iso8601(claim.date);
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

// The payload hash the canonical request carries. S3 (alone among AWS's services) signs what
// x-amz-content-sha256 declares: the body's hash, UNSIGNED-PAYLOAD or a STREAMING-* value
// (UNSIGNED-PAYLOAD for a presigned URL that sends none). Every other service hashes the body it
// received, whatever the header says, so a signature covers that body and no other.
std::string canonical_payload_hash(const HttpRequest& request, bool s3, bool presigned) {
  if (!s3) return payload_sha256(request);
  if (auto declared = request.headers.get("x-amz-content-sha256")) return std::move(*declared);
  if (presigned) return std::string(kUnsignedPayload);
  return payload_sha256(request);
}

}  // namespace

VerifyResult verify_request(const HttpRequest& request, const SecretLookup& secret_for,
                            Timestamp now, const Headers* sent_headers) {
  VerifyResult r;
  auto fail = [&r](AuthFailure failure, std::string message) {
    r.ok = false;
    r.failure = failure;
    r.message = std::move(message);
    return std::move(r);
  };

  const std::optional<std::string> authorization = request.headers.get("Authorization");
  r.presigned = is_presigned(request.query);
  if (!authorization && !r.presigned)
    return fail(AuthFailure::Missing, "Request is missing Authentication Token");
  if (authorization && r.presigned)
    return fail(AuthFailure::Malformed,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be "
                "specified");

  Claim claim;
  std::optional<std::string> problem =
      r.presigned ? parse_presigned(request.query, claim)
                  : parse_authorization(*authorization, request.headers, claim);
  if (!problem) problem = parse_credential(claim.credential, r);
  if (!problem && !names_host(claim.signed_headers))
    problem = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
  r.signed_headers = claim.signed_headers;
  if (auto token = request.headers.get("X-Amz-Security-Token")) r.session_token = *token;
  if (const std::string* token = find_param(request.query, "X-Amz-Security-Token"))
    r.session_token = *token;
  if (problem) return fail(AuthFailure::Malformed, std::move(*problem));

  const std::optional<Timestamp> time = parse_request_time(claim);
  if (!time) {
    if (claim.date_is_http)
      return fail(AuthFailure::Malformed, "Date header '" + claim.date +
                                              "' is not an RFC 1123 date (Sun, 30 Aug 2015 "
                                              "12:36:00 GMT); send X-Amz-Date instead.");
    return fail(AuthFailure::Malformed, "Date must be in ISO-8601 'basic format'. Got '" +
                                            claim.date +
                                            "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }
  r.request_time = *time;
  const std::string amz_date = format_amz_date(*time);
  if (r.scope_date != amz_date.substr(0, 8))
    return fail(AuthFailure::ScopeMismatch,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                "from HTTP: '" +
                    r.scope_date + "' != '" + amz_date.substr(0, 8) + "', from '" + amz_date +
                    "'.");

  if (r.presigned && now > *time + claim.expires)
    return fail(AuthFailure::Expired, "Request has expired: it was valid until " +
                                          format_amz_date(*time + claim.expires) + " and it is " +
                                          format_amz_date(now) + ".");
  if (!r.presigned && *time < now - kMaxClockSkew)
    return fail(AuthFailure::Skewed, "Signature expired: " + amz_date + " is now earlier than " +
                                         format_amz_date(now - kMaxClockSkew) + " (" +
                                         format_amz_date(now) + " - 15 min.)");
  if (*time > now + kMaxClockSkew)
    return fail(AuthFailure::Skewed, "Signature not yet current: " + amz_date +
                                         " is still later than " +
                                         format_amz_date(now + kMaxClockSkew) + " (" +
                                         format_amz_date(now) + " + 15 min.)");

  const std::optional<std::string> secret = secret_for(r.access_key);
  if (!secret)
    return fail(AuthFailure::UnknownKey, "The security token included in the request is invalid.");

  const bool s3 = r.service == "s3";
  const std::string payload_hash = canonical_payload_hash(request, s3, r.presigned);
  // S3 signs the hash the client declared: the body must have it.
  const bool check_body = s3 && is_sha256_hex(payload_hash);

  SigningConfig config;
  config.region = r.region;
  config.service = r.service;
  config.time = *time;
  config.normalize_path = !s3;
  config.double_encode_path = !s3;
  // The request as the client signed it: its headers as sent, no body (the hash is computed).
  std::optional<HttpRequest> as_sent;
  if (sent_headers != nullptr) {
    as_sent.emplace();
    as_sent->method = request.method;
    as_sent->scheme = request.scheme;
    as_sent->host = request.host;
    as_sent->port = request.port;
    as_sent->path = request.path;
    as_sent->query = request.query;
    as_sent->headers = *sent_headers;
  }
  Signature expected = recompute_signature(as_sent ? *as_sent : request, *secret, config,
                                           payload_hash, r.presigned, claim.signed_headers);
  r.canonical_request = std::move(expected.canonical_request);
  r.string_to_sign = std::move(expected.string_to_sign);
  if (!constant_time_equal(expected.signature, claim.signature))
    return fail(AuthFailure::SignatureMismatch,
                "The request signature we calculated does not match the signature you provided.");
  if (check_body && !iequals(payload_sha256(request), payload_hash))
    return fail(AuthFailure::PayloadHashMismatch,
                "The provided 'x-amz-content-sha256' header does not match what was computed.");

  r.ok = true;
  r.failure = AuthFailure::None;
  r.message.clear();
  return r;
}

namespace {

constexpr std::string_view kMismatchText =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";
constexpr std::string_view kInvalidToken = "The security token included in the request is invalid.";

AwsError make(std::string_view code, int status, std::string_view message) {
  return AwsError(std::string(code), std::string(message), status);
}

AwsError s3_error(AuthFailure failure, std::string_view message, bool presigned) {
  const std::string_view malformed_code =
      presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed";
  const std::string malformed_prefix = presigned ? "" : "The authorization header is malformed; ";
  switch (failure) {
    case AuthFailure::Missing:
      return make("AccessDenied", 403, "Access Denied");
    case AuthFailure::Malformed:
      return make(malformed_code, 400, malformed_prefix + std::string(message));
    case AuthFailure::UnknownKey:
      return make("InvalidAccessKeyId", 403,
                  "The AWS Access Key Id you provided does not exist in our records.");
    case AuthFailure::ScopeMismatch:
      return make(
          malformed_code, 400,
          malformed_prefix + "Invalid credential date. Date is not the same as X-Amz-Date.");
    case AuthFailure::SignatureMismatch:
      return make("SignatureDoesNotMatch", 403,
                  "The request signature we calculated does not match the signature you provided. "
                  "Check your key and signing method.");
    case AuthFailure::PayloadHashMismatch:
      return make("XAmzContentSHA256Mismatch", 400,
                  "The provided 'x-amz-content-sha256' header does not match what was computed.");
    case AuthFailure::Skewed:
      return make("RequestTimeTooSkewed", 403,
                  "The difference between the request time and the current time is too large.");
    case AuthFailure::Expired:
      return make("AccessDenied", 403, "Request has expired");
    case AuthFailure::None:
      break;
  }
  return make("InternalError", 500, "auth_error was asked about a request that passed");
}

// Query (IAM, STS, CloudWatch) and JSON (Lambda, Logs, SSM) services share the texts; the codes
// differ by an "Exception" suffix and in name.
AwsError query_or_json_error(AuthFailure failure, std::string_view message, bool json) {
  const std::string_view mismatch_code =
      json ? "InvalidSignatureException" : "SignatureDoesNotMatch";
  switch (failure) {
    case AuthFailure::Missing:
      return json ? make("MissingAuthenticationTokenException", 403, "Missing Authentication Token")
                  : make("MissingAuthenticationToken", 403,
                         "Request is missing Authentication Token");
    case AuthFailure::Malformed:
      return make(json ? "IncompleteSignatureException" : "IncompleteSignature", 400, message);
    case AuthFailure::UnknownKey:
      return make(json ? "UnrecognizedClientException" : "InvalidClientTokenId", 403,
                  kInvalidToken);
    case AuthFailure::SignatureMismatch:
    case AuthFailure::PayloadHashMismatch:
      return make(mismatch_code, 403, kMismatchText);
    case AuthFailure::ScopeMismatch:
    case AuthFailure::Skewed:
    case AuthFailure::Expired:
      return make(mismatch_code, 403, message);
    case AuthFailure::None:
      break;
  }
  return make("InternalFailure", 500, "auth_error was asked about a request that passed");
}

}  // namespace

AwsError auth_error(AuthFailure failure, Protocol protocol, std::string_view message,
                    bool presigned) {
  switch (protocol) {
    case Protocol::RestXml:
      return s3_error(failure, message, presigned);
    case Protocol::Query:
      return query_or_json_error(failure, message, false);
    case Protocol::RestJson:
    case Protocol::Json:
      break;
  }
  return query_or_json_error(failure, message, true);
}

AwsError auth_error(const VerifyResult& result, Protocol protocol) {
  return auth_error(result.failure, protocol, result.message, result.presigned);
}

}  // namespace ld::aws
