#pragma once
// Digests and MACs (OpenSSL EVP): SHA-256, HMAC-SHA256, MD5, streaming SHA-256 for files.
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace ld {

using Digest256 = std::array<std::uint8_t, 32>;

// Initialises OpenSSL without reading the system's openssl.cnf and without filling its legacy
// cipher and digest name tables; algorithms are then fetched from the default provider as used.
// For the bootstrap: Amazon Linux has no config at Debian's path, nothing here looks algorithms
// up by legacy name, and it saves about a millisecond of every cold start. Call it first.
void init_crypto_without_config();

Digest256 sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
Digest256 hmac_sha256(std::string_view key, std::string_view data);
std::array<std::uint8_t, 16> md5(std::string_view data);

// SHA-256 of a file's bytes, read in chunks (for uploads too large to hold twice).
Digest256 sha256_file(const std::filesystem::path& path);

// Incremental SHA-256 for data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  Digest256 finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

inline std::string_view as_chars(const Digest256& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace ld
