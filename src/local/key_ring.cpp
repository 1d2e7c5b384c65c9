#include "local/key_ring.hpp"

#include <openssl/rand.h>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::local {

namespace {

std::string random_text(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw Error("cannot draw random bytes for temporary credentials");
  return raw;
}

// Upper-case letters and digits, as AWS access key ids are.
std::string key_id(std::string_view prefix) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string raw = random_text(16);
  std::string out(prefix);
  for (unsigned char c : raw) out.push_back(kAlphabet[c % kAlphabet.size()]);
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

KeyRing::KeyRing(std::vector<KeyPair> configured) {
  for (auto& key : configured) add(std::move(key));
}

KeyPair KeyRing::default_key() {
  KeyPair key;
  key.access_key = "test";
  key.secret_key = "test";
  return key;
}

KeyPair KeyRing::parse(std::string_view text) {
  auto parts = split(text, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    throw Error("a key must be ACCESS_KEY:SECRET_KEY[:ACCOUNT], not '" + std::string(text) + "'");
  }
  KeyPair key;
  key.access_key = parts[0];
  key.secret_key = parts[1];
  if (parts.size() == 3) {
    if (parts[2].size() != 12 || !all_digits(parts[2])) {
      throw Error("the account of key '" + parts[0] + "' must be 12 digits, not '" + parts[2] +
                  "'");
    }
    key.account = parts[2];
  }
  return key;
}

std::optional<KeyPair> KeyRing::find(std::string_view access_key, Timestamp now) const {
  std::lock_guard lock(mu_);
  auto it = keys_.find(access_key);
  if (it == keys_.end()) return std::nullopt;
  if (it->second.expires && *it->second.expires <= now) return std::nullopt;
  return it->second;
}

void KeyRing::add(KeyPair key) {
  if (key.arn.empty()) key.arn = "arn:aws:iam::" + key.account + ":root";
  std::lock_guard lock(mu_);
  keys_[key.access_key] = std::move(key);
}

KeyPair KeyRing::issue(std::string account, std::string arn, std::chrono::seconds lifetime,
                       Timestamp now) {
  KeyPair key{.access_key = key_id("ASIA"),
              .secret_key = base64_encode(random_text(30)),
              .account = std::move(account),
              .arn = std::move(arn),
              .session_token = base64_encode(random_text(96)),
              .expires = now + lifetime};
  add(key);
  return key;
}

}  // namespace ld::local
