#include "local/services/sts.hpp"

#include <charconv>
#include <regex>

#include "aws/services/sts.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

std::string text_member(const json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::chrono::seconds duration_of(const json& input) {
  std::string text = text_member(input, "DurationSeconds");
  if (text.empty()) return std::chrono::seconds(3600);
  long long seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || seconds < 900 || seconds > 43200) {
    throw ApiError("ValidationError",
                   "1 validation error detected: Value '" + text +
                       "' at 'durationSeconds' failed to satisfy constraint: Member must have "
                       "value between 900 and 43200");
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

// The claims of a JWT (its middle part, base64url); throws InvalidIdentityToken.
json jwt_claims(const std::string& token) {
  auto first = token.find('.');
  auto second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos) {
    throw ApiError("InvalidIdentityToken", "the web identity token is not a JWT");
  }
  std::string part = token.substr(first + 1, second - first - 1);
  for (char& c : part) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (part.size() % 4 != 0) part.push_back('=');
  json claims = json::parse(base64_decode(part).value_or(""), nullptr, false);
  if (!claims.is_object()) {
    throw ApiError("InvalidIdentityToken", "the web identity token's claims are not JSON");
  }
  return claims;
}

}  // namespace

const aws::ServiceInfo& StsService::info() const {
  return aws::kSts;
}

ApiReply StsService::call(ApiCall& call) {
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
  if (call.operation == "AssumeRoleWithWebIdentity") {
    std::string token = text_member(call.input, "WebIdentityToken");
    if (token.size() < 4) {
      throw ApiError("ValidationError", "WebIdentityToken must be at least 4 characters long");
    }
    json claims = jwt_claims(token);
    reply.output = assume(*keys_, call, text_member(call.input, "RoleArn"),
                          text_member(call.input, "RoleSessionName"));
    reply.output["SubjectFromWebIdentityToken"] = claims.value("sub", "");
    if (claims.contains("aud")) {
      const json& aud = claims["aud"];
      reply.output["Audience"] = aud.is_array() && !aud.empty() ? aud[0] : aud;
    }
    reply.output["Provider"] = claims.value("iss", "");
    return reply;
  }
  throw ApiError("InvalidAction",
                 "Could not find operation " + call.operation + " for version 2011-06-15");
}

}  // namespace ld::local
