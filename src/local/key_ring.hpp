#pragma once
// The access keys the local endpoint accepts: the configured key pairs (by default `test` /
// `test` for account 000000000000), and the temporary credentials its STS issued, which are
// accepted, with their session token, until they expire.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace ld::local {

// One access key and whose it is.
struct KeyPair {
  std::string access_key;
  std::string secret_key;
  std::string account = "000000000000";
  std::string arn;                   // empty: arn:aws:iam::{account}:root
  std::string session_token;         // temporary credentials only
  std::optional<Timestamp> expires;  // temporary credentials only
};

// Thread-safe set of key pairs.
class KeyRing {
 public:
  explicit KeyRing(std::vector<KeyPair> configured = {default_key()});

  // `test` / `test`, account 000000000000 (what LocalStack and the SDK docs use).
  static KeyPair default_key();
  // Parses ACCESS:SECRET[:ACCOUNT] (the CLI's --key); throws ld::Error naming what is wrong.
  static KeyPair parse(std::string_view text);

  // The key pair of `access_key`, unless unknown or expired at `now`.
  std::optional<KeyPair> find(std::string_view access_key, Timestamp now) const;
  // Adds (or replaces) a key pair, e.g. temporary credentials reloaded after a restart.
  void add(KeyPair key);
  // New temporary credentials (ASIA… key, secret, session token) for `arn` in `account`.
  KeyPair issue(std::string account, std::string arn, std::chrono::seconds lifetime, Timestamp now);

 private:
  mutable std::mutex mu_;
  std::map<std::string, KeyPair, std::less<>> keys_;
};

}  // namespace ld::local
