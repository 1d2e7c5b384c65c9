// SigV4 signing: every case of AWS's SigV4 test suite and of aws-c-auth's signing suite (both
// forms), read in place; then S3's rules, session tokens and the signer's own edges.
#include "aws/sigv4.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "support/conformance.hpp"
#include "support/http_message.hpp"

namespace ld::aws {
namespace {

namespace fs = std::filesystem;
using test::parse_http_request;
using test::read_file;

constexpr std::string_view kSuiteAccessKey = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
// get-vanilla-with-session-token names its token nowhere but in the expected output; this is the
// value aws-c-auth's context.json gives for the same case.
constexpr std::string_view kVanillaSessionToken =
    "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";

// One case folder of a suite, named by its path under the suite root.
struct SuiteCase {
  std::string name;  // "normalize_path_get_slash": a valid GoogleTest name
  fs::path dir;
};

void PrintTo(const SuiteCase& c, std::ostream* os) {
  *os << c.dir.string();
}

std::string test_name(const fs::path& relative) {
  std::string out = relative.generic_string();
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

// Folders under the suite holding `marker(folder)`; empty when the data is missing, which the
// count tests then report.
std::vector<SuiteCase> discover(const fs::path& suite,
                                const std::function<fs::path(const fs::path&)>& marker) {
  std::vector<SuiteCase> out;
  try {
    const fs::path root = test::conformance_dir() / suite;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.is_directory() && fs::is_regular_file(marker(entry.path())))
        out.push_back({test_name(fs::relative(entry.path(), root)), entry.path()});
    }
  } catch (const std::exception&) {
    return {};
  }
  std::sort(out.begin(), out.end(),
            [](const SuiteCase& a, const SuiteCase& b) { return a.name < b.name; });
  return out;
}

const fs::path kAwsSuite = "sigv4/aws-sig-v4-test-suite";
const fs::path kCAuthSuite = "sigv4/aws-c-auth-signing-test-suite/v4";

const std::vector<SuiteCase>& aws_suite_cases() {
  static const auto cases = discover(
      kAwsSuite, [](const fs::path& dir) { return dir / (dir.filename().string() + ".req"); });
  return cases;
}

const std::vector<SuiteCase>& c_auth_cases() {
  static const auto cases =
      discover(kCAuthSuite, [](const fs::path& dir) { return dir / "request.txt"; });
  return cases;
}

Timestamp suite_time() {
  return *parse_iso8601("20150830T123600Z");
}

// The token post-sts-token/readme.txt gives: its last non-empty line.
std::string readme_session_token() {
  const std::string text =
      read_file(test::conformance_dir() / kAwsSuite / "post-sts-token" / "readme.txt");
  std::string last;
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty()) last = std::string(trim(line));
  return last;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// Headers as (lower-case name, value) sorted by name: the order of different names means
// nothing on the wire (the two suites even disagree on it), the order of a repeated name does.
HeaderList header_list(const HttpRequest& r, bool with_authorization) {
  HeaderList out;
  for (const auto& f : r.headers) {
    std::string name = to_lower(f.name);
    if (with_authorization || name != "authorization") out.emplace_back(name, f.value);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void expect_same_request(const HttpRequest& actual, const HttpRequest& expected,
                         bool with_authorization) {
  EXPECT_EQ(actual.method, expected.method);
  EXPECT_EQ(actual.path, expected.path);
  EXPECT_EQ(actual.query, expected.query);  // in order: the query form's parameter order counts
  EXPECT_EQ(actual.body, expected.body);
  EXPECT_EQ(header_list(actual, with_authorization), header_list(expected, with_authorization));
}

// --- AWS's SigV4 test suite -------------------------------------------------------------------

TEST(SigV4Suites, DiscoversAll34AwsSuiteCases) {
  EXPECT_EQ(aws_suite_cases().size(), 34u);
}

class AwsSigV4Suite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(AwsSigV4Suite, SignsAsTheSuiteExpects) {
  const fs::path& dir = GetParam().dir;
  const std::string base = dir.filename().string();
  auto file = [&](const char* ext) { return read_file(dir / (base + ext)); };

  HttpRequest request = parse_http_request(file(".req"));
  Credentials credentials{std::string(kSuiteAccessKey), std::string(kSuiteSecret), "", {}, "test"};
  SigningConfig config;
  config.region = "us-east-1";
  config.service = "service";
  config.time = suite_time();
  // post-sts-token/readme.txt: "before" signs the token, "after" adds it once signed.
  if (base == "post-sts-header-before" || base == "post-sts-header-after")
    credentials.session_token = readme_session_token();
  if (base == "get-vanilla-with-session-token")
    credentials.session_token = std::string(kVanillaSessionToken);
  config.sign_session_token = base != "post-sts-header-after";

  const Signature sig = sign_request(request, credentials, config);
  EXPECT_EQ(sig.canonical_request, file(".creq"));
  EXPECT_EQ(sig.string_to_sign, file(".sts"));
  EXPECT_EQ(request.headers.get("Authorization").value_or("<none>"), file(".authz"));
  // .sreq's Authorization is checked through .authz: the suite's own
  // get-vanilla-with-session-token.sreq carries a signature that matches nothing.
  expect_same_request(request, parse_http_request(file(".sreq")), /*with_authorization=*/false);
}

INSTANTIATE_TEST_SUITE_P(Vectors, AwsSigV4Suite, ::testing::ValuesIn(aws_suite_cases()),
                         [](const auto& test_case) { return test_case.param.name; });

// --- aws-c-auth's signing suite ---------------------------------------------------------------

TEST(SigV4Suites, DiscoversAll38CAuthSuiteCases) {
  EXPECT_EQ(c_auth_cases().size(), 38u);
}

// A case's context.json as credentials and a signing configuration.
struct CaseContext {
  Credentials credentials;
  SigningConfig config;
};

CaseContext load_context(const fs::path& dir) {
  const auto json = nlohmann::json::parse(read_file(dir / "context.json"));
  CaseContext c;
  const auto& creds = json.at("credentials");
  c.credentials.access_key_id = creds.at("access_key_id").get<std::string>();
  c.credentials.secret_access_key = creds.at("secret_access_key").get<std::string>();
  c.credentials.session_token = creds.value("token", "");
  c.config.region = json.at("region").get<std::string>();
  c.config.service = json.at("service").get<std::string>();
  c.config.time = parse_iso8601(json.at("timestamp").get<std::string>()).value();
  c.config.normalize_path = json.at("normalize").get<bool>();
  c.config.add_content_sha256_header = json.at("sign_body").get<bool>();
  c.config.sign_session_token = !json.value("omit_session_token", false);
  c.config.expires = std::chrono::seconds(json.at("expiration_in_seconds").get<int>());
  return c;
}

class CAuthSigningSuite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(CAuthSigningSuite, HeaderForm) {
  const fs::path& dir = GetParam().dir;
  const CaseContext context = load_context(dir);
  HttpRequest request = parse_http_request(read_file(dir / "request.txt"));

  const Signature sig = sign_request(request, context.credentials, context.config);
  EXPECT_EQ(sig.canonical_request, read_file(dir / "header-canonical-request.txt"));
  EXPECT_EQ(sig.string_to_sign, read_file(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(sig.signature, read_file(dir / "header-signature.txt"));
  expect_same_request(request, parse_http_request(read_file(dir / "header-signed-request.txt")),
                      /*with_authorization=*/true);
}

TEST_P(CAuthSigningSuite, QueryForm) {
  const fs::path& dir = GetParam().dir;
  const CaseContext context = load_context(dir);
  HttpRequest request = parse_http_request(read_file(dir / "request.txt"));

  const Signature sig = presign_request(request, context.credentials, context.config);
  EXPECT_EQ(sig.canonical_request, read_file(dir / "query-canonical-request.txt"));
  EXPECT_EQ(sig.string_to_sign, read_file(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(sig.signature, read_file(dir / "query-signature.txt"));
  expect_same_request(request, parse_http_request(read_file(dir / "query-signed-request.txt")),
                      /*with_authorization=*/true);
}

INSTANTIATE_TEST_SUITE_P(Vectors, CAuthSigningSuite, ::testing::ValuesIn(c_auth_cases()),
                         [](const auto& test_case) { return test_case.param.name; });

// --- S3's rules (the examples of the S3 API reference, "Signature Version 4") -----------------

const Credentials kS3Credentials{
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", {}, "test"};

SigningConfig s3_config() {
  SigningConfig c;
  c.region = "us-east-1";
  c.service = "s3";
  c.time = *parse_iso8601("20130524T000000Z");
  c.normalize_path = false;
  c.double_encode_path = false;
  c.add_content_sha256_header = true;
  return c;
}

// Line `n` (0-based) of a canonical request.
std::string line_of(const std::string& text, size_t n) {
  return split(text, '\n').at(n);
}

TEST(SigV4S3, GetObjectWithRangeMatchesTheS3Example) {
  HttpRequest r;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.headers.set("Range", "bytes=0-9");
  const Signature sig = sign_request(r, kS3Credentials, s3_config());
  EXPECT_EQ(sig.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(r.headers.get("x-amz-content-sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sig.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3, PutObjectSignsTheWirePathOnceEncoded) {
  HttpRequest r;
  r.method = "PUT";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test%24file.text";
  r.headers.set("Date", "Fri, 24 May 2013 00:00:00 GMT");
  r.headers.set("x-amz-storage-class", "REDUCED_REDUNDANCY");
  r.body = "Welcome to Amazon S3.";
  const Signature sig = sign_request(r, kS3Credentials, s3_config());
  EXPECT_EQ(line_of(sig.canonical_request, 1), "/test%24file.text");
  EXPECT_EQ(r.headers.get("x-amz-content-sha256"),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(sig.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3, PresignedGetMatchesTheS3ExampleWithUnsignedPayload) {
  HttpRequest r;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  SigningConfig config = s3_config();
  config.unsigned_payload = true;
  config.expires = std::chrono::seconds(86400);
  const Signature sig = presign_request(r, kS3Credentials, config);
  EXPECT_TRUE(sig.canonical_request.ends_with("\nhost\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(sig.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  ASSERT_FALSE(r.query.empty());
  EXPECT_EQ(r.query.back(),
            (std::pair<std::string, std::string>{"X-Amz-Signature", sig.signature}));
  EXPECT_FALSE(r.headers.has("x-amz-content-sha256"));  // a header: the URL form has none
}

TEST(SigV4S3, KeepsDuplicateSlashesAndDotsAndDoesNotEncodeAgain) {
  HttpRequest r;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/my-object//example/./photo%201.jpg";
  const Signature s3 = sign_request(r, kS3Credentials, s3_config());
  EXPECT_EQ(line_of(s3.canonical_request, 1), "/my-object//example/./photo%201.jpg");

  SigningConfig other = s3_config();
  other.service = "lambda";
  other.normalize_path = true;
  other.double_encode_path = true;
  const Signature lambda = sign_request(r, kS3Credentials, other);
  EXPECT_EQ(line_of(lambda.canonical_request, 1), "/my-object/example/photo%25201.jpg");
}

TEST(SigV4S3, UnsignedPayloadGoesInTheHeaderAndTheSignatureIgnoresTheBody) {
  SigningConfig config = s3_config();
  config.unsigned_payload = true;
  HttpRequest a;
  a.method = "PUT";
  a.host = "examplebucket.s3.amazonaws.com";
  a.path = "/big.bin";
  a.body = "one body";
  HttpRequest b = a;
  b.body = "another body";
  const Signature sa = sign_request(a, kS3Credentials, config);
  const Signature sb = sign_request(b, kS3Credentials, config);
  EXPECT_EQ(a.headers.get("x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(sa.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(sa.signature, sb.signature);
}

// --- Session tokens ---------------------------------------------------------------------------

Credentials temporary_credentials() {
  return {std::string(kSuiteAccessKey), std::string(kSuiteSecret), "TOKEN/with+chars=", {}, "test"};
}

SigningConfig service_config() {
  SigningConfig c;
  c.region = "us-east-1";
  c.service = "service";
  c.time = suite_time();
  return c;
}

HttpRequest simple_request() {
  HttpRequest r;
  r.host = "example.amazonaws.com";
  return r;
}

TEST(SigV4SessionToken, SignedTokenIsASignedHeader) {
  HttpRequest r = simple_request();
  const Signature sig = sign_request(r, temporary_credentials(), service_config());
  EXPECT_EQ(sig.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_NE(sig.canonical_request.find("\nx-amz-security-token:TOKEN/with+chars=\n"),
            std::string::npos);
  EXPECT_EQ(r.headers.get("X-Amz-Security-Token"), "TOKEN/with+chars=");
}

TEST(SigV4SessionToken, TokenAddedAfterSigningIsSentButNotSigned) {
  HttpRequest r = simple_request();
  SigningConfig config = service_config();
  config.sign_session_token = false;
  const Signature sig = sign_request(r, temporary_credentials(), config);
  EXPECT_EQ(sig.signed_headers, "host;x-amz-date");
  EXPECT_EQ(sig.canonical_request.find("security-token"), std::string::npos);
  EXPECT_EQ(r.headers.get("X-Amz-Security-Token"), "TOKEN/with+chars=");
  // Same signature as with long-term credentials: the token changed nothing that is signed.
  HttpRequest plain = simple_request();
  Credentials long_term = temporary_credentials();
  long_term.session_token.clear();
  EXPECT_EQ(sign_request(plain, long_term, config).signature, sig.signature);
  EXPECT_FALSE(plain.headers.has("X-Amz-Security-Token"));
}

TEST(SigV4SessionToken, PresignedTokenIsSignedOrAppendedBeforeTheSignature) {
  HttpRequest signed_token = simple_request();
  const Signature a = presign_request(signed_token, temporary_credentials(), service_config());
  EXPECT_NE(a.canonical_request.find("X-Amz-Security-Token=TOKEN%2Fwith%2Bchars%3D"),
            std::string::npos);

  HttpRequest after = simple_request();
  SigningConfig config = service_config();
  config.sign_session_token = false;
  const Signature b = presign_request(after, temporary_credentials(), config);
  EXPECT_EQ(b.canonical_request.find("Security-Token"), std::string::npos);
  ASSERT_GE(after.query.size(), 2u);
  EXPECT_EQ(after.query[after.query.size() - 2].first, "X-Amz-Security-Token");
  EXPECT_EQ(after.query.back().first, "X-Amz-Signature");
}

// --- The signer's own edges -------------------------------------------------------------------

TEST(SigV4, SigningKeyMatchesTheDocumentedDerivation) {
  // "Deriving the signing key" in AWS's SigV4 documentation (IAM, 20120215).
  const std::string key = signing_key(kSuiteSecret, "20120215", "us-east-1", "iam");
  EXPECT_EQ(hex_encode(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(SigV4, SigningKeysAreRememberedPerSecretDateRegionAndService) {
  const std::string documented = "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d";
  EXPECT_EQ(hex_encode(signing_key(kSuiteSecret, "20120215", "us-east-1", "iam")), documented);
  // Each differing input gives a different key, never a remembered one.
  const std::string other_secret = hex_encode(signing_key("other", "20120215", "us-east-1", "iam"));
  EXPECT_NE(other_secret, documented);
  EXPECT_NE(hex_encode(signing_key(kSuiteSecret, "20120216", "us-east-1", "iam")), documented);
  EXPECT_NE(hex_encode(signing_key(kSuiteSecret, "20120215", "eu-west-1", "iam")), documented);
  EXPECT_NE(hex_encode(signing_key(kSuiteSecret, "20120215", "us-east-1", "sts")), documented);
  // More keys than are remembered, then the first ones again: still right.
  for (int day = 10; day < 30; ++day)
    signing_key(kSuiteSecret, "201202" + std::to_string(day), "us-east-1", "iam");
  EXPECT_EQ(hex_encode(signing_key(kSuiteSecret, "20120215", "us-east-1", "iam")), documented);
  EXPECT_EQ(hex_encode(signing_key("other", "20120215", "us-east-1", "iam")), other_secret);
}

TEST(SigV4, ResigningReplacesDateAndAuthorizationAndDropsAStaleToken) {
  HttpRequest r = simple_request();
  sign_request(r, temporary_credentials(), service_config());
  SigningConfig later = service_config();
  later.time += std::chrono::minutes(5);
  Credentials long_term = temporary_credentials();
  long_term.session_token.clear();
  const Signature sig = sign_request(r, long_term, later);
  EXPECT_EQ(sig.signed_headers, "host;x-amz-date");
  EXPECT_EQ(r.headers.get("X-Amz-Date"), "20150830T124100Z");
  EXPECT_FALSE(r.headers.has("X-Amz-Security-Token"));
  int authorizations = 0;
  for (const auto& f : r.headers) authorizations += iequals(f.name, "Authorization") ? 1 : 0;
  EXPECT_EQ(authorizations, 1);
}

TEST(SigV4, UserAgentAndTraceIdAreNotSigned) {
  HttpRequest r = simple_request();
  r.headers.set("User-Agent", "lambdeploy/0.1");
  r.headers.set("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793");
  r.headers.set("Content-Type", "application/json");
  const Signature sig = sign_request(r, temporary_credentials(), service_config());
  EXPECT_EQ(sig.signed_headers, "content-type;host;x-amz-date;x-amz-security-token");
}

TEST(SigV4, HostComesFromTheAuthorityWithItsPort) {
  HttpRequest r;
  r.scheme = "http";
  r.host = "127.0.0.1";
  r.port = 4566;
  const Signature sig = sign_request(r, temporary_credentials(), service_config());
  EXPECT_NE(sig.canonical_request.find("\nhost:127.0.0.1:4566\n"), std::string::npos);
}

TEST(SigV4, BodyFileIsHashedLikeTheSameBodyInMemory) {
  const fs::path file =
      fs::temp_directory_path() /
      ("sigv4_body_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".bin");
  std::string content(200000, 'x');
  for (size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 31 % 251);
  {
    std::ofstream out(file, std::ios::binary);
    out << content;
  }
  HttpRequest in_memory = simple_request();
  in_memory.method = "PUT";
  in_memory.body = content;
  HttpRequest streamed = in_memory;
  streamed.body.clear();
  streamed.body_file = file;

  EXPECT_EQ(payload_sha256(streamed), sha256_hex(content));
  EXPECT_EQ(sign_request(streamed, temporary_credentials(), service_config()).signature,
            sign_request(in_memory, temporary_credentials(), service_config()).signature);
  fs::remove(file);
}

TEST(SigV4, PresignRefusesAnExpiryOutsideOneSecondToSevenDays) {
  SigningConfig config = service_config();
  HttpRequest r = simple_request();
  config.expires = std::chrono::seconds(0);
  EXPECT_THROW(presign_request(r, temporary_credentials(), config), Error);
  config.expires = std::chrono::seconds(604801);
  EXPECT_THROW(presign_request(r, temporary_credentials(), config), Error);
  config.expires = std::chrono::seconds(604800);
  presign_request(r, temporary_credentials(), config);
  EXPECT_NE(std::find(r.query.begin(), r.query.end(),
                      std::pair<std::string, std::string>{"X-Amz-Expires", "604800"}),
            r.query.end());
}

TEST(SigV4, PresigningAgainReplacesTheOldParameters) {
  HttpRequest r = simple_request();
  r.query.emplace_back("Action", "GetCallerIdentity");
  presign_request(r, temporary_credentials(), service_config());
  const Signature sig = presign_request(r, temporary_credentials(), service_config());
  EXPECT_EQ(r.query.size(), 8u);  // Action + 7 X-Amz-*
  EXPECT_EQ(r.query.front().first, "Action");
  EXPECT_EQ(r.query.back().second, sig.signature);
}

}  // namespace
}  // namespace ld::aws
