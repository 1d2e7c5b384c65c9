#pragma once
// Web identity tokens as STS AssumeRoleWithWebIdentity checks them: an OIDC ID token is a JWT
// (RFC 7519) signed with one of its issuer's keys, which the issuer publishes as a JWK Set at the
// jwks_uri of its discovery document ({issuer}/.well-known/openid-configuration).
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/transport.hpp"

namespace ld::local {

// A compact JWS split and decoded (nothing in it verified yet).
struct Jwt {
  nlohmann::json header;
  nlohmann::json claims;
  std::string signing_input;  // "<header>.<claims>", the bytes the signature covers
  std::string signature;      // decoded
};

// base64url without padding (RFC 7515, section 2); nullopt when malformed.
std::optional<std::string> base64url_decode(std::string_view text);

// `token` as a JWT: three base64url parts, the first two JSON objects; nullopt otherwise.
std::optional<Jwt> parse_jwt(std::string_view token);

// The digest an asymmetric JWS algorithm signs with ("RS256" → "SHA256"); nullopt for every
// other alg, "none" and the HMAC ones (HS256, …) included: those are never accepted.
std::optional<std::string> signature_digest(std::string_view alg);

// True when a key of `jwks` ({"keys": [...]}) of the token's alg family (kid matched when the
// token names one) verifies `jwt`'s signature.
bool signature_verified(const Jwt& jwt, const nlohmann::json& jwks);

// Whether the local endpoint may fetch `url`: https://, or http:// to a loopback address (an
// issuer run on this machine, for tests and development).
bool fetchable_url(std::string_view url);

// The issuer's JWK Set: its discovery document, whose "issuer" must be `issuer`, then that
// document's jwks_uri. Throws ld::Error saying what failed (unreachable, not JSON, mismatch).
nlohmann::json fetch_jwks(const std::string& issuer, Transport& transport);

}  // namespace ld::local
