// Helpers several credential providers share: messages, token files, JSON credentials.
#include "aws/credentials_detail.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.hpp"

namespace ld::aws::detail {

std::string excerpt(std::string_view s, size_t max) {
  s = trim(s);
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string read_token_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CredentialsError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string token(trim(ss.str()));
  if (token.empty()) throw CredentialsError(what + " " + path + " is empty");
  return token;
}

std::optional<Timestamp> parse_expiration(const std::string& value, const std::string& origin) {
  if (value.empty()) return std::nullopt;
  auto t = parse_iso8601(value);
  if (!t)
    throw CredentialsError(origin +
                           " gave an Expiration that is not an ISO 8601 time: " + in_quotes(value));
  return t;
}

std::string session_name(const NowFn& now) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch());
  return "lambdeploy-session-" + std::to_string(seconds.count());
}

std::string json_string(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Credentials credentials_from_json(const json& doc, const char* token_key,
                                  const std::string& origin) {
  Credentials c;
  c.access_key_id = json_string(doc, "AccessKeyId");
  c.secret_access_key = json_string(doc, "SecretAccessKey");
  c.session_token = json_string(doc, token_key);
  if (c.access_key_id.empty()) throw CredentialsError(origin + " gave no AccessKeyId");
  if (c.secret_access_key.empty()) throw CredentialsError(origin + " gave no SecretAccessKey");
  c.expiration = parse_expiration(json_string(doc, "Expiration"), origin);
  return c;
}

HttpRequest request_to(const Endpoint& endpoint, std::string method, const std::string& path) {
  HttpRequest r;
  r.method = std::move(method);
  r.scheme = endpoint.scheme;
  r.host = endpoint.host;
  r.port = endpoint.port;
  r.path = endpoint.base_path + path;
  if (r.path.empty()) r.path = "/";
  return r;
}

}  // namespace ld::aws::detail
