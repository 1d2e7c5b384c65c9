#pragma once
// An OpenID Connect issuer on loopback for tests, as GitHub Actions' or EKS's is to STS: its
// discovery document and JWK Set served over HTTP, and ID tokens (JWTs) signed with its keys, an
// RSA-2048 key (RS256, kid "rsa-1") and a P-256 key (ES256, kid "ec-1"), made fresh per issuer.
//
//   ld::test::OidcIssuer issuer;
//   std::string token = issuer.token(issuer.claims("sts.amazonaws.com", "repo:octo/app:ref:x"));
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/loopback_server.hpp"

namespace ld::test {

// The issuer: serves while it lives; each has keys of its own.
class OidcIssuer {
 public:
  OidcIssuer();
  ~OidcIssuer();
  OidcIssuer(const OidcIssuer&) = delete;
  OidcIssuer& operator=(const OidcIssuer&) = delete;

  // http://127.0.0.1:PORT: the issuer URL (iss) and where /.well-known/openid-configuration is.
  std::string url() const { return server_.url(); }
  // "127.0.0.1:PORT": the provider's name in its IAM ARN and in trust-policy condition keys.
  std::string host() const;
  // How many times its discovery document and keys were fetched.
  std::size_t fetches() const { return server_.request_count(); }
  // Stops serving: fetching its keys then fails.
  void stop() { server_.stop(); }

  // iss (this issuer), aud, sub, iat (now) and exp (now + 5 minutes).
  nlohmann::json claims(const std::string& audience, const std::string& subject) const;
  // `claims` signed with the key of `alg` ("RS256" or "ES256"), kid in the header.
  std::string token(const nlohmann::json& claims, const std::string& alg = "RS256") const;
  // `claims` under `header` as given, signed with the key its alg names ("RS256", "ES256"), or
  // with HMAC-SHA256 and `hmac_secret` for "HS256", or unsigned for "none".
  std::string sign(const nlohmann::json& header, const nlohmann::json& claims,
                   const std::string& hmac_secret = {}) const;
  // The JWK Set it serves.
  nlohmann::json jwks() const;

  static std::string base64url(std::string_view bytes);

 private:
  struct Keys;
  std::unique_ptr<Keys> keys_;
  LoopbackServer server_;
};

}  // namespace ld::test
