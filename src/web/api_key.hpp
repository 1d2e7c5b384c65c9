#pragma once
// The API-key gate of DESIGN.md section 3, kept from the Python original (OSBot-Fast-API's
// Middleware__Check_API_Key): header first, cookie as fallback, exact-match exempt paths,
// 401 {"data": null, "error": null, "message": M, "status": "error"}.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/hash.hpp"
#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::web {

// Where the key's name and value come from, read once at start.
struct ApiKeyConfig {
  bool enabled = true;  // false: no check at all (apps without auth, tests of other parts)
  std::string name{};   // header (case-insensitive) and cookie name; empty: every request is 401
  std::string value{};  // the expected key; empty: every request is 401

  static constexpr const char* kNameVariable = "FAST_API__AUTH__API_KEY__NAME";
  static constexpr const char* kValueVariable = "FAST_API__AUTH__API_KEY__VALUE";
  // Reads FAST_API__AUTH__API_KEY__NAME and FAST_API__AUTH__API_KEY__VALUE (unset → empty).
  static ApiKeyConfig from_environment();
};

// The messages of the four failures, in the order they are checked (the original's texts).
inline constexpr std::string_view kApiKeyNameMissing = "Server does not have API key name setup";
inline constexpr std::string_view kApiKeyValueMissing = "Server does not have API key value setup";
inline constexpr std::string_view kApiKeyMissing =
    "Client API key is missing, you need to set it on a header or cookie";
inline constexpr std::string_view kApiKeyInvalid = "Invalid API key value";

// Paths that never need the key: the docs and the two routes that set the key's cookie.
bool is_api_key_exempt(std::string_view path);

// Checks a request's API key; fails closed.
class ApiKeyCheck {
 public:
  explicit ApiKeyCheck(ApiKeyConfig config);

  // The 401 to answer, or nullopt when the request may go on.
  std::optional<Response> check(const Request& request) const;
  const ApiKeyConfig& config() const { return config_; }

 private:
  ApiKeyConfig config_;
  Digest256 value_digest_{};  // keys are compared as SHA-256 digests: equal length, constant time
};

// The 401 body the check answers with.
Response api_key_error(std::string_view message);

}  // namespace ld::web
