#include "local/services/sts.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>
#include <regex>
#include <vector>

#include "aws/services/sts.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"
#include "local/input_text.hpp"
#include "local/services/iam.hpp"
#include "local/trust_policy.hpp"
#include "local/web_identity.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

std::string text_member(const json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::chrono::seconds duration_of(const json& input, long long fallback = 3600,
                                 long long longest = 43200) {
  std::string text = text_member(input, "DurationSeconds");
  if (text.empty()) return std::chrono::seconds(fallback);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 900 || seconds > longest) {
    throw ApiError("ValidationError",
                   "1 validation error detected: Value '" + text +
                       "' at 'durationSeconds' failed to satisfy constraint: Member must have "
                       "value between 900 and " +
                       std::to_string(longest));
  }
  return std::chrono::seconds(seconds);
}

// arn:aws:iam::123456789012:role/path/name → {account, name}.
std::pair<std::string, std::string> parse_role_arn(const std::string& arn) {
  static const std::regex kRole(
      R"(arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64}))");
  std::smatch m;
  if (arn.size() < 20 || !std::regex_match(arn, m, kRole)) {
    throw ApiError("ValidationError", "RoleArn '" + arn + "' is not a valid IAM role ARN");
  }
  return {m[1], m[2]};
}

void check_session_name(const std::string& name) {
  static const std::regex kName(R"([\w+=,.@-]{2,64})");
  if (!std::regex_match(name, kName)) {
    throw ApiError("ValidationError",
                   "1 validation error detected: Value '" + name +
                       "' at 'roleSessionName' failed to satisfy constraint: Member must "
                       "satisfy regular expression pattern: [\\w+=,.@-]*");
  }
}

// A stable role id (AROA + 17 characters) from the role ARN.
std::string role_id(const std::string& arn) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = sha256_hex(arn);
  std::string id = "AROA";
  for (std::size_t i = 0; i < 17; ++i)
    id.push_back(kAlphabet[static_cast<unsigned char>(digest[i]) % kAlphabet.size()]);
  return id;
}

json assume(KeyRing& keys, const ApiCall& call, const std::string& role_arn,
            const std::string& session) {
  auto [account, role_name] = parse_role_arn(role_arn);
  check_session_name(session);
  const std::string assumed_arn =
      "arn:aws:sts::" + account + ":assumed-role/" + role_name + "/" + session;
  KeyPair key = keys.issue(account, assumed_arn, duration_of(call.input), call.now);
  return {{"Credentials",
           {{"AccessKeyId", key.access_key},
            {"SecretAccessKey", key.secret_key},
            {"SessionToken", key.session_token},
            {"Expiration", format_iso8601(*key.expires)}}},
          {"AssumedRoleUser",
           {{"AssumedRoleId", role_id(role_arn) + ":" + session}, {"Arn", assumed_arn}}}};
}

// GetSessionToken: temporary credentials for the caller itself (12 hours by default, at most
// 36; an account's root at most one hour). Session credentials cannot ask for more.
json session_token(KeyRing& keys, const ApiCall& call) {
  std::chrono::seconds duration = duration_of(call.input, 43200, 129600);
  std::optional<KeyPair> caller = keys.find(call.caller.access_key, call.now);
  if (caller && !caller->session_token.empty()) {
    throw ApiError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
  }
  if (call.caller.arn.ends_with(":root")) duration = std::min(duration, std::chrono::seconds(3600));
  KeyPair key = keys.issue(call.caller.account, call.caller.arn, duration, call.now);
  return {{"Credentials",
           {{"AccessKeyId", key.access_key},
            {"SecretAccessKey", key.secret_key},
            {"SessionToken", key.session_token},
            {"Expiration", format_iso8601(*key.expires)}}}};
}

// InvalidIdentityToken (400): the token is not one STS accepts.
ApiError invalid_identity_token(const std::string& message) {
  return ApiError("InvalidIdentityToken", message);
}

// AccessDenied (403): no such role, or its trust policy does not let the token assume it.
ApiError not_authorized() {
  return ApiError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
}

// A NumericDate claim (seconds since the epoch, RFC 7519 section 2), if present and a number.
std::optional<std::int64_t> numeric_date(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!(seconds > -1e15 && seconds < 1e15)) return std::nullopt;  // no date (and no overflow)
  return static_cast<std::int64_t>(seconds);
}

// The token's aud claim (a string or a list of strings) as a list.
std::vector<std::string> audiences(const json& claims) {
  std::vector<std::string> out;
  auto it = claims.find("aud");
  if (it == claims.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array())
    for (const json& item : *it)
      if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// How far ahead of the endpoint's clock an issuer's clock may run (iat, nbf).
constexpr std::int64_t kClockSkewSeconds = 300;

}  // namespace

StsService::StsService(std::shared_ptr<KeyRing> keys, State state,
                       std::shared_ptr<Transport> transport)
    : keys_(std::move(keys)), state_(std::move(state)), transport_(std::move(transport)) {
  if (!transport_) {
    TransportOptions options;
    options.connect_timeout = std::chrono::seconds(3);
    options.request_timeout = std::chrono::seconds(10);
    transport_ = make_socket_transport(options);
  }
}

const aws::ServiceInfo& StsService::info() const {
  return aws::kSts;
}

json StsService::assume_role_with_web_identity(const ApiCall& call) {
  // The request's own members first, as STS validates them.
  const std::string token = text_member(call.input, "WebIdentityToken");
  if (token.size() < 4 || token.size() > 20000) {
    throw ApiError("ValidationError",
                   "1 validation error detected: Value at 'webIdentityToken' failed to satisfy "
                   "constraint: Member must have length between 4 and 20000");
  }
  const std::string role_arn = text_member(call.input, "RoleArn");
  const std::string session = text_member(call.input, "RoleSessionName");
  auto [account, role_name] = parse_role_arn(role_arn);
  check_session_name(session);
  const std::chrono::seconds duration = duration_of(call.input);

  // The token: a JWT signed (RS*/ES*) by a key its issuer publishes, for a provider this account
  // registered, for one of that provider's audiences, and valid now.
  const std::optional<Jwt> jwt = parse_jwt(token);
  if (!jwt) {
    throw invalid_identity_token(
        "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access "
        "Token)");
  }
  const std::string alg = text_member(jwt->header, "alg");
  if (!signature_digest(alg)) {
    throw invalid_identity_token("The token's signing algorithm '" + alg +
                                 "' is not supported: STS accepts RS256, RS384, RS512, ES256, "
                                 "ES384 and ES512");
  }
  const json& claims = jwt->claims;
  std::string issuer = text_member(claims, "iss");
  while (issuer.ends_with("/")) issuer.pop_back();
  const std::optional<OidcProvider> provider = find_oidc_provider(state_, account, issuer);
  std::string registered = provider ? provider->url : std::string();
  while (registered.ends_with("/")) registered.pop_back();
  // The iss claim is the provider's URL (or, as some issuers write it, without the scheme).
  if (!provider || (issuer != registered && "https://" + issuer != registered)) {
    throw invalid_identity_token("No OpenIDConnect provider found in your account for " +
                                 text_member(claims, "iss"));
  }
  json jwks;
  try {
    jwks = fetch_jwks(provider->url, *transport_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lambdeploy local: STS could not fetch the keys of %s: %s\n",
                 provider->url.c_str(), e.what());
    throw invalid_identity_token(
        "Couldn't retrieve verification key from your identity provider,  please reference "
        "AssumeRoleWithWebIdentity documentation for requirements");
  }
  if (!signature_verified(*jwt, jwks)) {
    throw invalid_identity_token(
        "The web identity token that was passed could not be validated by AWS. Get a new "
        "identity token from the identity provider and then retry the request.");
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(call.now.time_since_epoch()).count();
  const std::optional<std::int64_t> expires = numeric_date(claims, "exp");
  if (!expires) throw invalid_identity_token("The token has no expiration time (exp)");
  if (now >= *expires) {
    throw ApiError("ExpiredTokenException",
                   "Token expired: current date/time " + std::to_string(now) +
                       " must be before the expiration date/time " + std::to_string(*expires));
  }
  const std::optional<std::int64_t> not_before = numeric_date(claims, "nbf");
  const std::optional<std::int64_t> issued = numeric_date(claims, "iat");
  if ((not_before && *not_before > now + kClockSkewSeconds) ||
      (issued && *issued > now + kClockSkewSeconds)) {
    throw invalid_identity_token("Token not yet valid: its nbf or iat is in the future");
  }
  std::string audience;
  for (const std::string& candidate : audiences(claims)) {
    for (const std::string& client_id : provider->client_ids)
      if (candidate == client_id && audience.empty()) audience = candidate;
  }
  if (audience.empty()) throw invalid_identity_token("Incorrect token audience");
  const std::string subject = text_member(claims, "sub");
  if (subject.empty()) throw invalid_identity_token("The token has no subject (sub)");

  // The role: it exists and its trust policy lets this provider's token assume it.
  const std::optional<json> role = find_role_document(state_, account, role_name);
  if (!role || !role->contains("AssumeRolePolicyDocument")) throw not_authorized();
  FederatedCaller caller;
  caller.provider_arn = provider->arn;
  const std::string prefix = provider->arn.substr(provider->arn.find(":oidc-provider/") + 15) + ":";
  caller.keys[prefix + "aud"] = {audience};
  for (const auto& [name, value] : claims.items()) {
    if (name == "aud") continue;
    if (value.is_string()) caller.keys[prefix + name] = {value.get<std::string>()};
    if (value.is_array()) {
      for (const json& item : value)
        if (item.is_string()) caller.keys[prefix + name].push_back(item.get<std::string>());
    }
  }
  if (!trust_allows_web_identity((*role)["AssumeRolePolicyDocument"].get<std::string>(), caller))
    throw not_authorized();
  if (duration.count() > role->value("MaxSessionDuration", 3600)) {
    throw ApiError("ValidationError",
                   "The requested DurationSeconds exceeds the MaxSessionDuration set for this "
                   "role.");
  }

  json out = assume(*keys_, call, role_arn, session);
  out["SubjectFromWebIdentityToken"] = subject;
  out["Audience"] = audience;
  out["Provider"] = text_member(claims, "iss");
  return out;
}

ApiReply StsService::call(ApiCall& call) {
  if (auto member = first_non_utf8_member(call.input))
    throw ApiError("ValidationError", non_utf8_message(*member));
  ApiReply reply;
  if (call.operation == "GetCallerIdentity") {
    std::string user_id = call.caller.account;
    if (call.caller.arn.find(":assumed-role/") != std::string::npos) {
      auto slash = call.caller.arn.rfind('/');
      auto role_start = call.caller.arn.find(":assumed-role/") + 14;
      std::string role = call.caller.arn.substr(role_start, slash - role_start);
      user_id = role_id("arn:aws:iam::" + call.caller.account + ":role/" + role) + ":" +
                call.caller.arn.substr(slash + 1);
    }
    reply.output = {
        {"UserId", user_id}, {"Account", call.caller.account}, {"Arn", call.caller.arn}};
    return reply;
  }
  if (call.operation == "AssumeRole") {
    reply.output = assume(*keys_, call, text_member(call.input, "RoleArn"),
                          text_member(call.input, "RoleSessionName"));
    return reply;
  }
  if (call.operation == "GetSessionToken") {
    reply.output = session_token(*keys_, call);
    return reply;
  }
  if (call.operation == "AssumeRoleWithWebIdentity") {
    reply.output = assume_role_with_web_identity(call);
    return reply;
  }
  throw ApiError("InvalidAction",
                 "Could not find operation " + call.operation + " for version 2011-06-15");
}

}  // namespace ld::local
