#include "core/public_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <string>

namespace ld {

// The OpenSSL key a PublicKey shares between its copies.
struct PublicKey::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct BuildFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamsFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

// Unsigned big-endian bytes as an OpenSSL BIGNUM (null when OpenSSL fails).
Bn to_bn(std::string_view bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr));
}

// An EVP_PKEY of `type` ("RSA", "EC") from the parameters `build` pushed; null when refused.
EVP_PKEY* from_params(const char* type, OSSL_PARAM_BLD* build) {
  std::unique_ptr<OSSL_PARAM, ParamsFree> params(OSSL_PARAM_BLD_to_param(build));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1)
    return nullptr;
  return pkey;
}

// A NIST curve as JWK names it, as OpenSSL names it, and its coordinates' size.
struct Curve {
  std::string_view name;  // JWK's "crv"
  const char* group;      // OpenSSL's group name
  std::size_t size;       // bytes per coordinate
};
constexpr Curve kCurves[] = {
    {"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};

// The curve JWK calls `name`, null when not one of the three.
const Curve* find_curve(std::string_view name) {
  for (const Curve& curve : kCurves)
    if (curve.name == name) return &curve;
  return nullptr;
}

// JWS's r || s as the DER ECDSA-Sig-Value OpenSSL verifies; empty when malformed.
std::string der_signature(std::string_view raw, std::size_t size) {
  if (raw.size() != 2 * size) return {};
  Bn r = to_bn(raw.substr(0, size));
  Bn s = to_bn(raw.substr(size));
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return {};
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(sig.get(), &der);
  if (length <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::optional<PublicKey> PublicKey::rsa(std::string_view modulus, std::string_view exponent) {
  while (!modulus.empty() && modulus.front() == '\0') modulus.remove_prefix(1);
  if (modulus.size() < 256 || exponent.empty()) return std::nullopt;
  Bn n = to_bn(modulus);
  Bn e = to_bn(exponent);
  std::unique_ptr<OSSL_PARAM_BLD, BuildFree> build(OSSL_PARAM_BLD_new());
  if (!n || !e || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1)
    return std::nullopt;
  auto key = std::make_shared<Key>();
  key->pkey = from_params("RSA", build.get());
  if (key->pkey == nullptr) return std::nullopt;
  return PublicKey(std::move(key), Kind::Rsa, {});
}

std::optional<PublicKey> PublicKey::ec(std::string_view curve, std::string_view x,
                                       std::string_view y) {
  const Curve* found = find_curve(curve);
  if (found == nullptr || x.size() != found->size || y.size() != found->size) return std::nullopt;
  std::string point = "\x04";  // uncompressed: 04 || x || y
  point.append(x).append(y);
  std::unique_ptr<OSSL_PARAM_BLD, BuildFree> build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, found->group, 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1)
    return std::nullopt;
  auto key = std::make_shared<Key>();
  key->pkey = from_params("EC", build.get());
  if (key->pkey == nullptr) return std::nullopt;
  // fromdata does not check that the point is on the curve; a public-key check does.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key->pkey, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) return std::nullopt;
  return PublicKey(std::move(key), Kind::Ec, found->name);
}

bool PublicKey::verify(std::string_view digest, std::string_view data,
                       std::string_view signature) const {
  std::string der;
  if (kind_ == Kind::Ec) {
    der = der_signature(signature, find_curve(curve_)->size);
    if (der.empty()) return false;
    signature = der;
  }
  const std::string md(digest);
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, md.c_str(), nullptr, nullptr, key_->pkey,
                                      nullptr) != 1)
    return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                          data.size()) == 1;
}

}  // namespace ld
