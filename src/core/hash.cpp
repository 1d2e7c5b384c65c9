#include "core/hash.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fstream>

#include "core/encoding.hpp"
#include "core/error.hpp"

namespace ld {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

// Fetched once: the legacy EVP_sha256() makes OpenSSL 3 look the algorithm up on every use.
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) throw Error("OpenSSL has no SHA256");
  return md;
}

MdCtx new_ctx(const EVP_MD* md) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
    throw Error("OpenSSL digest init failed");
  return ctx;
}

}  // namespace

struct Sha256::State {
  MdCtx ctx = new_ctx(sha256_md());
};

Sha256::Sha256() : state_(std::make_unique<State>()) {}
Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(state_->ctx.get(), data.data(), data.size());
}

Digest256 Sha256::finish() {
  Digest256 out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx.get(), out.data(), &len);
  return out;
}

void init_crypto_without_config() {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
                          OPENSSL_INIT_NO_ADD_ALL_DIGESTS,
                      nullptr);
}

Digest256 sha256(std::string_view data) {
  Digest256 out{};
  unsigned int len = 0;
  thread_local MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1)
    throw Error("OpenSSL SHA-256 failed");
  return out;
}

std::string sha256_hex(std::string_view data) {
  return hex_encode(as_chars(sha256(data)));
}

namespace {

// OpenSSL 3's one-shot HMAC() fetches the algorithm on every call (~3 us); SigV4 makes five
// HMACs per request, so the MAC is fetched once and each thread keeps one context to re-key.
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

EVP_MAC_CTX* thread_hmac_ctx() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx = [] {
    if (mac == nullptr) throw Error("OpenSSL has no HMAC");
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> c(EVP_MAC_CTX_new(mac));
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (!c || EVP_MAC_CTX_set_params(c.get(), params) != 1) throw Error("OpenSSL HMAC init failed");
    return c;
  }();
  return ctx.get();
}

}  // namespace

Digest256 hmac_sha256(std::string_view key, std::string_view data) {
  EVP_MAC_CTX* ctx = thread_hmac_ctx();
  Digest256 out{};
  size_t len = 0;
  if (EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) !=
          1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1)
    throw Error("OpenSSL HMAC failed");
  return out;
}

std::array<std::uint8_t, 16> md5(std::string_view data) {
  std::array<std::uint8_t, 16> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  return out;
}

Digest256 sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read " + path.string());
  Sha256 h;
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h.update(std::string_view(buf.data(), static_cast<size_t>(in.gcount())));
  }
  return h.finish();
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ld
