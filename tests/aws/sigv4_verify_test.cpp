// SigV4 verification as the local endpoint does it: requests signed by sign_request /
// presign_request pass; tampered, skewed, expired, malformed or unknown-key ones fail with the
// error AWS would send.
#include "aws/sigv4_verify.hpp"

#include <gtest/gtest.h>

#include <map>

#include "aws/sigv4.hpp"

namespace ld::aws {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::string_view kAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

Timestamp signing_time() {
  return *parse_iso8601("20150830T123600Z");
}

SecretLookup known_keys() {
  static const std::map<std::string, std::string, std::less<>> keys = {
      {std::string(kAccessKey), std::string(kSecret)}, {"AKIDOTHER", "other-secret"}};
  return [](std::string_view access_key) -> std::optional<std::string> {
    auto it = keys.find(access_key);
    if (it == keys.end()) return std::nullopt;
    return it->second;
  };
}

Credentials credentials(std::string token = {}) {
  return {std::string(kAccessKey), std::string(kSecret), std::move(token), {}, "test"};
}

SigningConfig lambda_config() {
  SigningConfig c;
  c.region = "us-east-1";
  c.service = "lambda";
  c.time = signing_time();
  return c;
}

SigningConfig s3_config() {
  SigningConfig c = lambda_config();
  c.service = "s3";
  c.normalize_path = false;
  c.double_encode_path = false;
  c.add_content_sha256_header = true;
  return c;
}

// A Lambda Invoke as the endpoint receives it: the wire path, a query, a JSON body.
HttpRequest invoke_request() {
  HttpRequest r;
  r.method = "POST";
  r.scheme = "http";
  r.host = "127.0.0.1";
  r.port = 4566;
  r.path =
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Adigest/"
      "invocations";
  r.query = {{"Qualifier", "live"}};
  r.headers.add("Content-Type", "application/json");
  r.headers.add("X-Amz-Invocation-Type", "RequestResponse");
  r.body = R"({"path":"/info","note":"a  b"})";
  return r;
}

HttpRequest s3_put_request() {
  HttpRequest r;
  r.method = "PUT";
  r.scheme = "http";
  r.host = "127.0.0.1";
  r.port = 4566;
  r.path = "/deploy-bucket/releases//v1/my%20service.zip";
  r.headers.add("Content-Type", "application/zip");
  r.body = std::string("PK\x03\x04 zip bytes", 14);
  return r;
}

VerifyResult verify(const HttpRequest& r, Timestamp now = signing_time() + minutes(1)) {
  return verify_request(r, known_keys(), now);
}

// --- Accepted ---------------------------------------------------------------------------------

TEST(SigV4Verify, AcceptsAHeaderSignedRequestAndReportsItsScope) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.failure, AuthFailure::None);
  EXPECT_FALSE(v.presigned);
  EXPECT_EQ(v.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(v.scope_date, "20150830");
  EXPECT_EQ(v.region, "us-east-1");
  EXPECT_EQ(v.service, "lambda");
  EXPECT_EQ(v.signed_headers, "content-type;host;x-amz-date;x-amz-invocation-type");
  EXPECT_EQ(v.request_time, signing_time());
  EXPECT_TRUE(v.session_token.empty());
}

TEST(SigV4Verify, AcceptsAPresignedRequest) {
  HttpRequest r = invoke_request();
  r.method = "GET";
  r.body.clear();
  presign_request(r, credentials(), lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_TRUE(v.presigned);
  EXPECT_EQ(v.service, "lambda");
}

TEST(SigV4Verify, AcceptsAPresignedRequestWithABody) {
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), lambda_config());
  EXPECT_TRUE(verify(r).ok);
}

TEST(SigV4Verify, AcceptsS3RulesWithTheContentHashHeader) {
  HttpRequest r = s3_put_request();
  sign_request(r, credentials(), s3_config());
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  // S3's canonical URI is the wire path as it came: no dot/slash folding, no second encoding.
  EXPECT_NE(v.canonical_request.find("\n/deploy-bucket/releases//v1/my%20service.zip\n"),
            std::string::npos);
}

TEST(SigV4Verify, AcceptsS3UnsignedPayloadWhateverTheBody) {
  SigningConfig config = s3_config();
  config.unsigned_payload = true;
  HttpRequest r = s3_put_request();
  sign_request(r, credentials(), config);
  r.body = "a different body";  // not signed, so not checked
  EXPECT_TRUE(verify(r).ok);
}

TEST(SigV4Verify, AcceptsAnS3PresignedUrlSignedWithUnsignedPayload) {
  SigningConfig config = s3_config();
  config.unsigned_payload = true;
  HttpRequest r = s3_put_request();
  presign_request(r, credentials(), config);
  EXPECT_TRUE(verify(r).ok);
}

TEST(SigV4Verify, AcceptsASignedSessionTokenAndReportsIt) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials("FQoGZXIvYXdzE//token+="), lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.session_token, "FQoGZXIvYXdzE//token+=");
  EXPECT_NE(v.signed_headers.find("x-amz-security-token"), std::string::npos);
}

TEST(SigV4Verify, AcceptsASessionTokenAddedAfterSigning) {
  SigningConfig config = lambda_config();
  config.sign_session_token = false;
  HttpRequest r = invoke_request();
  sign_request(r, credentials("FQoGZXIvYXdzE//token+="), config);
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.session_token, "FQoGZXIvYXdzE//token+=");
}

TEST(SigV4Verify, AcceptsAPresignedSessionToken) {
  HttpRequest r = invoke_request();
  presign_request(r, credentials("FQoGZXIvYXdzE//token+="), lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.session_token, "FQoGZXIvYXdzE//token+=");
}

TEST(SigV4Verify, AcceptsTheDateHeaderInsteadOfXAmzDate) {
  HttpRequest r = invoke_request();
  r.headers.add("Date", format_http_date(signing_time()));
  const Signature sig =
      compute_signature(r, credentials(), lambda_config(), payload_sha256(r), false);
  r.headers.add("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + sig.credential_scope +
                                     ",SignedHeaders=" + sig.signed_headers +
                                     ",Signature=" + sig.signature);
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_EQ(v.signed_headers, "content-type;date;host;x-amz-invocation-type");
}

TEST(SigV4Verify, HeadersAddedAfterSigningDoNotMatter) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  r.headers.add("User-Agent", "aws-cli/2.15.0");
  r.headers.add("X-Forwarded-For", "10.0.0.1");
  EXPECT_TRUE(verify(r).ok);
}

// --- Tampered ---------------------------------------------------------------------------------

TEST(SigV4Verify, ChangedBodyIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  r.body = R"({"path":"/admin"})";
  const VerifyResult v = verify(r);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, AuthFailure::SignatureMismatch);
  EXPECT_FALSE(v.canonical_request.empty());  // for S3's diagnostic error body
}

TEST(SigV4Verify, ChangedBodyUnderS3ContentHashIsAPayloadHashMismatch) {
  HttpRequest r = s3_put_request();
  sign_request(r, credentials(), s3_config());
  r.body = "swapped";
  EXPECT_EQ(verify(r).failure, AuthFailure::PayloadHashMismatch);
}

TEST(SigV4Verify, UnsignedPayloadOutsideS3SignsNoBody) {
  // Only S3 takes UNSIGNED-PAYLOAD: other services hash the body they received, so neither the
  // body as signed nor another one passes under that signature.
  SigningConfig config = lambda_config();
  config.unsigned_payload = true;
  config.add_content_sha256_header = true;
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), config);
  ASSERT_EQ(r.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
  r.body = R"({"path":"/admin"})";
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, ContentHashHeaderOutsideS3IsTheBodysOwn) {
  SigningConfig config = lambda_config();
  config.add_content_sha256_header = true;
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), config);
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.ok) << v.message;
  EXPECT_TRUE(v.canonical_request.ends_with(payload_sha256(r)));
  r.body = R"({"path":"/admin"})";
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, ChangedSignedHeaderIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  r.headers.set("X-Amz-Invocation-Type", "Event");
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, RepeatedSignedHeaderIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  r.headers.add("Content-Type", "text/plain");
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, ChangedPathIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  r.path = "/2015-03-31/functions/other/invocations";
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, ChangedQueryIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  HttpRequest changed = r;
  changed.query = {{"Qualifier", "dev"}};
  EXPECT_EQ(verify(changed).failure, AuthFailure::SignatureMismatch);
  HttpRequest added = r;
  added.query.emplace_back("Extra", "1");
  EXPECT_EQ(verify(added).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, ChangedPresignedParameterIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), lambda_config());
  for (auto& [key, value] : r.query)
    if (key == "X-Amz-Expires") value = "7200";
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, WrongSecretIsASignatureMismatch) {
  HttpRequest r = invoke_request();
  Credentials wrong = credentials();
  wrong.access_key_id = "AKIDOTHER";  // known key, but signed with AKIDEXAMPLE's secret
  sign_request(r, wrong, lambda_config());
  EXPECT_EQ(verify(r).failure, AuthFailure::SignatureMismatch);
}

TEST(SigV4Verify, UnknownAccessKeyIsReportedAsSuch) {
  HttpRequest r = invoke_request();
  Credentials stranger = credentials();
  stranger.access_key_id = "AKIDNOBODY";
  sign_request(r, stranger, lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_EQ(v.failure, AuthFailure::UnknownKey);
  EXPECT_EQ(v.access_key, "AKIDNOBODY");
}

// --- Time -------------------------------------------------------------------------------------

TEST(SigV4Verify, FourteenMinutesOfSkewIsAcceptedSixteenIsNot) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  EXPECT_TRUE(verify(r, signing_time() + minutes(14)).ok);
  EXPECT_TRUE(verify(r, signing_time() - minutes(14)).ok);

  const VerifyResult late = verify(r, signing_time() + minutes(16));
  EXPECT_EQ(late.failure, AuthFailure::Skewed);
  EXPECT_EQ(late.message,
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z "
            "(20150830T125200Z - 15 min.)");

  const VerifyResult early = verify(r, signing_time() - minutes(16));
  EXPECT_EQ(early.failure, AuthFailure::Skewed);
  EXPECT_EQ(early.message,
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z "
            "(20150830T122000Z + 15 min.)");
}

TEST(SigV4Verify, PresignedUrlExpiresAfterXAmzExpires) {
  SigningConfig config = lambda_config();
  config.expires = seconds(60);
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), config);
  EXPECT_TRUE(verify(r, signing_time() + seconds(59)).ok);
  EXPECT_EQ(verify(r, signing_time() + seconds(61)).failure, AuthFailure::Expired);
}

TEST(SigV4Verify, LongLivedPresignedUrlIsNotSkewedButCannotBeFromTheFuture) {
  SigningConfig config = lambda_config();
  config.expires = seconds(86400);
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), config);
  EXPECT_TRUE(verify(r, signing_time() + std::chrono::hours(12)).ok);
  EXPECT_EQ(verify(r, signing_time() - minutes(16)).failure, AuthFailure::Skewed);
}

TEST(SigV4Verify, ScopeDateOtherThanTheRequestDayIsAScopeMismatch) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  std::string auth = *r.headers.get("Authorization");
  auth.replace(auth.find("/20150830/"), 10, "/20150829/");
  r.headers.set("Authorization", auth);
  const VerifyResult v = verify(r);
  EXPECT_EQ(v.failure, AuthFailure::ScopeMismatch);
  EXPECT_EQ(v.message,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
            "HTTP: '20150829' != '20150830', from '20150830T123600Z'.");
}

// --- Malformed or missing ---------------------------------------------------------------------

HttpRequest with_authorization(std::string value) {
  HttpRequest r = invoke_request();
  r.headers.add("X-Amz-Date", "20150830T123600Z");
  r.headers.add("Authorization", std::move(value));
  return r;
}

TEST(SigV4Verify, NoAuthenticationAtAllIsMissing) {
  const VerifyResult v = verify(invoke_request());
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.failure, AuthFailure::Missing);
}

TEST(SigV4Verify, AuthorizationWithoutSignatureIsMalformed) {
  const VerifyResult v = verify(with_authorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
      "SignedHeaders=host;x-amz-date"));
  EXPECT_EQ(v.failure, AuthFailure::Malformed);
  EXPECT_EQ(v.message,
            "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 "
            "Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/aws4_request, "
            "SignedHeaders=host;x-amz-date");
}

TEST(SigV4Verify, MalformedAuthorizationHeadersAreMalformed) {
  const std::string sig = "Signature=" + std::string(64, 'a');
  for (const std::string& value : {
           std::string("AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                       "aws4_request, SignedHeaders=host;x-amz-date, ") +
               sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda, "
                       "SignedHeaders=host;x-amz-date, ") +
               sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                       "aws5_request, SignedHeaders=host;x-amz-date, ") +
               sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015-08-30/us-east-1/lambda/"
                       "aws4_request, SignedHeaders=host;x-amz-date, ") +
               sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/lambda/"
                       "aws4_request, SignedHeaders=x-amz-date, ") +
               sig,
           std::string("AWS4-HMAC-SHA256"),
           std::string("garbage"),
           std::string(""),
       }) {
    const VerifyResult v = verify(with_authorization(value));
    EXPECT_EQ(v.failure, AuthFailure::Malformed) << value;
    EXPECT_FALSE(v.message.empty()) << value;
  }
}

TEST(SigV4Verify, MissingOrBadDateIsMalformed) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  HttpRequest no_date = r;
  no_date.headers.remove("X-Amz-Date");
  VerifyResult v = verify(no_date);
  EXPECT_EQ(v.failure, AuthFailure::Malformed);
  EXPECT_NE(v.message.find("requires existence of either a 'X-Amz-Date' or a 'Date' header"),
            std::string::npos);

  HttpRequest extended = r;
  extended.headers.set("X-Amz-Date", "2015-08-30T12:36:00Z");
  v = verify(extended);
  EXPECT_EQ(v.failure, AuthFailure::Malformed);
  EXPECT_EQ(v.message,
            "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See "
            "http://en.wikipedia.org/wiki/ISO_8601");
}

TEST(SigV4Verify, IncompletePresignedParametersAreMalformed) {
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), lambda_config());
  std::erase_if(r.query, [](const auto& p) { return p.first == "X-Amz-SignedHeaders"; });
  const VerifyResult v = verify(r);
  EXPECT_TRUE(v.presigned);
  EXPECT_EQ(v.failure, AuthFailure::Malformed);

  HttpRequest too_long = invoke_request();
  presign_request(too_long, credentials(), lambda_config());
  for (auto& [key, value] : too_long.query)
    if (key == "X-Amz-Expires") value = "604801";
  EXPECT_EQ(verify(too_long).failure, AuthFailure::Malformed);
  EXPECT_EQ(verify(too_long).message,
            "X-Amz-Expires must be less than a week (in seconds) that is 604800");
}

TEST(SigV4Verify, BothAuthorizationHeaderAndPresignedQueryIsMalformed) {
  HttpRequest r = invoke_request();
  presign_request(r, credentials(), lambda_config());
  r.headers.add("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  EXPECT_EQ(verify(r).failure, AuthFailure::Malformed);
}

// --- AWS's errors per protocol family ---------------------------------------------------------

struct Expected {
  AuthFailure failure;
  const char* code;
  int status;
};

void expect_errors(Protocol protocol, const std::vector<Expected>& table) {
  for (const auto& e : table) {
    const AwsError err = auth_error(e.failure, protocol, "detail");
    EXPECT_EQ(err.code(), e.code) << static_cast<int>(e.failure);
    EXPECT_EQ(err.http_status(), e.status) << e.code;
  }
}

TEST(SigV4AuthError, JsonServicesAnswerAsLambdaDoes) {
  const std::vector<Expected> table = {
      {AuthFailure::Missing, "MissingAuthenticationTokenException", 403},
      {AuthFailure::Malformed, "IncompleteSignatureException", 400},
      {AuthFailure::UnknownKey, "UnrecognizedClientException", 403},
      {AuthFailure::ScopeMismatch, "InvalidSignatureException", 403},
      {AuthFailure::SignatureMismatch, "InvalidSignatureException", 403},
      {AuthFailure::PayloadHashMismatch, "InvalidSignatureException", 403},
      {AuthFailure::Skewed, "InvalidSignatureException", 403},
      {AuthFailure::Expired, "InvalidSignatureException", 403},
  };
  expect_errors(Protocol::RestJson, table);
  expect_errors(Protocol::Json, table);

  EXPECT_EQ(auth_error(AuthFailure::Missing, Protocol::RestJson).message(),
            "Missing Authentication Token");
  EXPECT_EQ(auth_error(AuthFailure::UnknownKey, Protocol::Json).message(),
            "The security token included in the request is invalid.");
  EXPECT_EQ(auth_error(AuthFailure::SignatureMismatch, Protocol::RestJson).message(),
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.");
}

TEST(SigV4AuthError, QueryServicesAnswerAsIamAndStsDo) {
  expect_errors(Protocol::Query, {
                                     {AuthFailure::Missing, "MissingAuthenticationToken", 403},
                                     {AuthFailure::Malformed, "IncompleteSignature", 400},
                                     {AuthFailure::UnknownKey, "InvalidClientTokenId", 403},
                                     {AuthFailure::ScopeMismatch, "SignatureDoesNotMatch", 403},
                                     {AuthFailure::SignatureMismatch, "SignatureDoesNotMatch", 403},
                                     {AuthFailure::Skewed, "SignatureDoesNotMatch", 403},
                                     {AuthFailure::Expired, "SignatureDoesNotMatch", 403},
                                 });
  EXPECT_EQ(auth_error(AuthFailure::UnknownKey, Protocol::Query).message(),
            "The security token included in the request is invalid.");
}

TEST(SigV4AuthError, S3AnswersWithItsOwnCodes) {
  expect_errors(Protocol::RestXml,
                {
                    {AuthFailure::Missing, "AccessDenied", 403},
                    {AuthFailure::Malformed, "AuthorizationHeaderMalformed", 400},
                    {AuthFailure::UnknownKey, "InvalidAccessKeyId", 403},
                    {AuthFailure::ScopeMismatch, "AuthorizationHeaderMalformed", 400},
                    {AuthFailure::SignatureMismatch, "SignatureDoesNotMatch", 403},
                    {AuthFailure::PayloadHashMismatch, "XAmzContentSHA256Mismatch", 400},
                    {AuthFailure::Skewed, "RequestTimeTooSkewed", 403},
                    {AuthFailure::Expired, "AccessDenied", 403},
                });
  EXPECT_EQ(auth_error(AuthFailure::UnknownKey, Protocol::RestXml).message(),
            "The AWS Access Key Id you provided does not exist in our records.");
  EXPECT_EQ(auth_error(AuthFailure::Skewed, Protocol::RestXml).message(),
            "The difference between the request time and the current time is too large.");
  EXPECT_EQ(auth_error(AuthFailure::Expired, Protocol::RestXml, "", true).message(),
            "Request has expired");
  EXPECT_EQ(auth_error(AuthFailure::Malformed, Protocol::RestXml, "x", true).code(),
            "AuthorizationQueryParametersError");
}

TEST(SigV4AuthError, SkewCarriesTheSignatureExpiredTextFromTheResult) {
  HttpRequest r = invoke_request();
  sign_request(r, credentials(), lambda_config());
  const VerifyResult v = verify(r, signing_time() + minutes(25));
  const AwsError lambda = auth_error(v, Protocol::RestJson);
  EXPECT_EQ(lambda.code(), "InvalidSignatureException");
  EXPECT_EQ(lambda.message(),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T124600Z "
            "(20150830T130100Z - 15 min.)");
  EXPECT_EQ(auth_error(v, Protocol::Query).message(), lambda.message());
  EXPECT_EQ(auth_error(v, Protocol::RestXml).code(), "RequestTimeTooSkewed");
}

TEST(SigV4AuthError, UnknownKeyFromVerificationMapsPerFamily) {
  HttpRequest r = invoke_request();
  Credentials stranger = credentials();
  stranger.access_key_id = "AKIDNOBODY";
  sign_request(r, stranger, lambda_config());
  const VerifyResult v = verify(r);
  EXPECT_EQ(auth_error(v, Protocol::RestJson).code(), "UnrecognizedClientException");
  EXPECT_EQ(auth_error(v, Protocol::Query).code(), "InvalidClientTokenId");
  EXPECT_EQ(auth_error(v, Protocol::RestXml).code(), "InvalidAccessKeyId");
}

}  // namespace
}  // namespace ld::aws
