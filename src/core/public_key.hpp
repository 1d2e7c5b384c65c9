#pragma once
// Public-key signature verification (OpenSSL EVP): RSA PKCS#1 v1.5 and ECDSA keys built from
// their published components (as a JSON Web Key gives them), for checking signed tokens.
#include <memory>
#include <optional>
#include <string_view>

namespace ld {

// A public key that verifies signatures. Immutable once made; shareable across threads.
class PublicKey {
 public:
  // An RSA key from its modulus and public exponent (unsigned big-endian bytes); nullopt when
  // OpenSSL refuses them (or the modulus is shorter than 2048 bits).
  static std::optional<PublicKey> rsa(std::string_view modulus, std::string_view exponent);
  // An EC key on a NIST curve ("P-256", "P-384" or "P-521") from its point's coordinates
  // (big-endian, each the curve's size); nullopt when the point is not on the curve.
  static std::optional<PublicKey> ec(std::string_view curve, std::string_view x,
                                     std::string_view y);

  // True when `signature` is this key's signature of `data` with `digest` ("SHA256", "SHA384",
  // "SHA512"). ECDSA signatures are the fixed-size r || s that JWS uses (RFC 7518, 3.4).
  bool verify(std::string_view digest, std::string_view data, std::string_view signature) const;

  bool is_rsa() const { return kind_ == Kind::Rsa; }
  // The curve's name ("P-256", …) for an EC key, empty for RSA.
  std::string_view curve() const { return curve_; }

 private:
  enum class Kind { Rsa, Ec };
  struct Key;
  PublicKey(std::shared_ptr<const Key> key, Kind kind, std::string_view curve)
      : key_(std::move(key)), kind_(kind), curve_(curve) {}

  std::shared_ptr<const Key> key_;
  Kind kind_;
  std::string_view curve_;  // points to a static name
};

}  // namespace ld
