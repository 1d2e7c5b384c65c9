#include "local/web_identity.hpp"

#include "aws/http.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/public_key.hpp"
#include "core/strings.hpp"
#include "local/wire_decode.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

// A string member of `object`, "" when missing or not a string.
std::string text(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A GET of `url` answered 200 with a JSON object; throws ld::Error otherwise.
json get_json(const std::string& url, Transport& transport) {
  if (!fetchable_url(url)) throw Error(url + " is neither https:// nor http:// on loopback");
  const aws::Endpoint endpoint = aws::Endpoint::parse(url.substr(0, url.find_first_of("?#")));
  HttpRequest request;
  request.method = "GET";
  request.scheme = endpoint.scheme;
  request.host = endpoint.host;
  request.port = endpoint.port;
  request.path = endpoint.base_path.empty() ? "/" : endpoint.base_path;
  if (auto query = url.find('?'); query != std::string::npos) {
    for (const std::string& pair : split(url.substr(query + 1, url.find('#') - query - 1), '&')) {
      const std::size_t equals = pair.find('=');
      request.query.emplace_back(
          uri_decode(pair.substr(0, equals)),
          equals == std::string::npos ? "" : uri_decode(pair.substr(equals + 1)));
    }
  }
  request.headers.set("Accept", "application/json");
  HttpResponse response = transport.send(request);
  if (response.status != 200)
    throw Error("GET " + url + " answered " + std::to_string(response.status));
  json document = parse_json_within_depth(response.body);
  if (!document.is_object()) throw Error("GET " + url + " did not answer a JSON object");
  return document;
}

// The key a JWK describes, when it is an RSA or EC public key this can use.
std::optional<PublicKey> key_of(const json& jwk) {
  auto member = [&](const char* name) -> std::optional<std::string> {
    auto it = jwk.find(name);
    if (it == jwk.end() || !it->is_string()) return std::nullopt;
    return base64url_decode(it->get<std::string>());
  };
  const std::string kty = text(jwk, "kty");
  if (kty == "RSA") {
    auto n = member("n");
    auto e = member("e");
    if (!n || !e) return std::nullopt;
    return PublicKey::rsa(*n, *e);
  }
  if (kty == "EC") {
    auto x = member("x");
    auto y = member("y");
    if (!x || !y) return std::nullopt;
    return PublicKey::ec(text(jwk, "crv"), *x, *y);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') return std::nullopt;  // not base64url, or padded
    standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  while (standard.size() % 4 != 0) standard.push_back('=');
  return base64_decode(standard);
}

std::optional<Jwt> parse_jwt(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  auto header = base64url_decode(token.substr(0, first));
  auto claims = base64url_decode(token.substr(first + 1, second - first - 1));
  auto signature = base64url_decode(token.substr(second + 1));
  if (!header || !claims || !signature) return std::nullopt;
  Jwt jwt;
  jwt.header = parse_json_within_depth(*header);
  jwt.claims = parse_json_within_depth(*claims);
  if (!jwt.header.is_object() || !jwt.claims.is_object()) return std::nullopt;
  jwt.signing_input = std::string(token.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

std::optional<std::string> signature_digest(std::string_view alg) {
  if (alg.size() != 5 || (!alg.starts_with("RS") && !alg.starts_with("ES"))) return std::nullopt;
  const std::string_view bits = alg.substr(2);
  if (bits == "256" || bits == "384" || bits == "512") return "SHA" + std::string(bits);
  return std::nullopt;
}

bool signature_verified(const Jwt& jwt, const json& jwks) {
  const std::string alg = text(jwt.header, "alg");
  const std::optional<std::string> digest = signature_digest(alg);
  if (!digest) return false;
  const bool rsa = alg.starts_with("RS");
  // ES256 is P-256, ES384 P-384, ES512 P-521 (RFC 7518, 3.4).
  const std::string_view curve = alg == "ES256" ? "P-256" : alg == "ES384" ? "P-384" : "P-521";
  const std::optional<std::string> kid =
      jwt.header.contains("kid") && jwt.header["kid"].is_string()
          ? std::optional<std::string>(jwt.header["kid"].get<std::string>())
          : std::nullopt;
  auto keys = jwks.find("keys");
  if (keys == jwks.end() || !keys->is_array()) return false;
  for (const json& jwk : *keys) {
    if (!jwk.is_object()) continue;
    if (kid && text(jwk, "kid") != *kid) continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    if (jwk.contains("alg") && jwk["alg"] != alg) continue;
    const std::optional<PublicKey> key = key_of(jwk);
    if (!key || key->is_rsa() != rsa || (!rsa && key->curve() != curve)) continue;
    if (key->verify(*digest, jwt.signing_input, jwt.signature)) return true;
  }
  return false;
}

bool fetchable_url(std::string_view url) {
  if (starts_with_icase(url, "https://")) return true;
  if (!starts_with_icase(url, "http://")) return false;
  std::string_view authority = url.substr(7);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return false;
  std::string_view host = authority;
  if (host.starts_with("[")) {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

json fetch_jwks(const std::string& issuer, Transport& transport) {
  std::string base = issuer;
  while (base.ends_with("/")) base.pop_back();
  const json discovery = get_json(base + "/.well-known/openid-configuration", transport);
  std::string named = text(discovery, "issuer");
  while (named.ends_with("/")) named.pop_back();
  if (named != base) {
    throw Error("the discovery document of " + issuer + " names the issuer '" +
                text(discovery, "issuer") + "'");
  }
  const std::string jwks_uri = text(discovery, "jwks_uri");
  if (jwks_uri.empty()) throw Error("the discovery document of " + issuer + " has no jwks_uri");
  return get_json(jwks_uri, transport);
}

}  // namespace ld::local
