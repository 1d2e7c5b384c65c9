#include "support/oidc_issuer.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <chrono>
#include <stdexcept>

#include "core/encoding.hpp"
#include "core/hash.hpp"

namespace ld::test {

namespace {

using nlohmann::json;

// A key parameter (RSA n, e) as big-endian bytes, `size` long when given.
std::string bn_bytes(const EVP_PKEY* key, const char* name, int size = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("no key parameter");
  std::string out(static_cast<std::size_t>(size > 0 ? size : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return out;
}

// `data` signed with `key` and SHA-256 (DER for ECDSA).
std::string evp_sign(EVP_PKEY* key, std::string_view data) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::size_t size = 0;
  std::string out;
  if (EVP_DigestSignInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, key, nullptr) == 1 &&
      EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size()) == 1) {
    out.resize(size);
    if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(out.data()), &size,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
      out.clear();
    out.resize(size);
  }
  EVP_MD_CTX_free(ctx);
  if (out.empty()) throw std::runtime_error("signing failed");
  return out;
}

// A DER ECDSA signature as JWS's 64-byte r || s.
std::string raw_ecdsa(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) throw std::runtime_error("bad ECDSA signature");
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

}  // namespace

// The issuer's signing keys.
struct OidcIssuer::Keys {
  EVP_PKEY* rsa = EVP_RSA_gen(2048);
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  ~Keys() {
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
  }
};

OidcIssuer::OidcIssuer() : keys_(std::make_unique<Keys>()) {
  if (keys_->rsa == nullptr || keys_->ec == nullptr) throw std::runtime_error("key generation");
  const json keys = jwks();
  server_.set_handler([this, keys](const ReceivedRequest& request) {
    const HeaderFields json_type{{"Content-Type", "application/json"}};
    if (request.path == "/.well-known/openid-configuration") {
      return Step::respond(200, json{{"issuer", url()}, {"jwks_uri", url() + "/keys"}}.dump(),
                           json_type);
    }
    if (request.path == "/keys") return Step::respond(200, keys.dump(), json_type);
    return Step::respond(404, "{}", json_type);
  });
}

OidcIssuer::~OidcIssuer() = default;

std::string OidcIssuer::host() const {
  return url().substr(std::string("http://").size());
}

json OidcIssuer::jwks() const {
  std::string point(65, '\0');
  std::size_t size = 0;
  EVP_PKEY_get_octet_string_param(keys_->ec, OSSL_PKEY_PARAM_PUB_KEY,
                                  reinterpret_cast<unsigned char*>(point.data()), point.size(),
                                  &size);
  return {{"keys",
           {{{"kty", "RSA"},
             {"kid", "rsa-1"},
             {"use", "sig"},
             {"alg", "RS256"},
             {"n", base64url(bn_bytes(keys_->rsa, OSSL_PKEY_PARAM_RSA_N))},
             {"e", base64url(bn_bytes(keys_->rsa, OSSL_PKEY_PARAM_RSA_E))}},
            {{"kty", "EC"},
             {"kid", "ec-1"},
             {"use", "sig"},
             {"alg", "ES256"},
             {"crv", "P-256"},
             {"x", base64url(point.substr(1, 32))},
             {"y", base64url(point.substr(33, 32))}}}}};
}

json OidcIssuer::claims(const std::string& audience, const std::string& subject) const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return {{"iss", url()}, {"aud", audience}, {"sub", subject}, {"iat", now}, {"exp", now + 300}};
}

std::string OidcIssuer::token(const json& claims, const std::string& alg) const {
  return sign({{"alg", alg}, {"typ", "JWT"}, {"kid", alg == "ES256" ? "ec-1" : "rsa-1"}}, claims);
}

std::string OidcIssuer::sign(const json& header, const json& claims,
                             const std::string& hmac_secret) const {
  const std::string input = base64url(header.dump()) + "." + base64url(claims.dump());
  const std::string alg = header.value("alg", "");
  std::string signature;
  if (alg == "RS256") {
    signature = evp_sign(keys_->rsa, input);
  } else if (alg == "ES256") {
    signature = raw_ecdsa(evp_sign(keys_->ec, input));
  } else if (alg == "HS256") {
    const Digest256 mac = hmac_sha256(hmac_secret, input);
    signature = std::string(as_chars(mac));
  }
  return input + "." + base64url(signature);
}

std::string OidcIssuer::base64url(std::string_view bytes) {
  std::string text = base64_encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

}  // namespace ld::test
