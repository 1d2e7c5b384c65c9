#pragma once
// AWS credentials and where they come from.
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/time.hpp"

namespace ld::aws {

// A key pair, with a session token and expiry when temporary.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;            // empty for long-term keys
  std::optional<Timestamp> expiration;  // set for temporary credentials
  std::string source;                   // where they were found, for messages ("environment", ...)
};

// No credentials could be found or obtained; what() lists where the chain looked.
class CredentialsError : public Error {
 public:
  using Error::Error;
};

// Something that yields credentials, refreshing temporary ones before they expire.
class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials; throws CredentialsError when none can be had.
  virtual Credentials credentials() = 0;
};

}  // namespace ld::aws
