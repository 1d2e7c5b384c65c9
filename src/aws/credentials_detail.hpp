#pragma once
// Helpers shared by the credential providers (private to src/aws): messages, files, STS, JSON.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/credentials_chain.hpp"
#include "aws/http.hpp"
#include "core/time.hpp"

namespace ld::aws::detail {

using nlohmann::json;

// At most `max` characters of `s`, for messages quoting a server or a command.
std::string excerpt(std::string_view s, size_t max = 300);

// `s` in single quotes, for messages.
std::string in_quotes(std::string_view s);

// The trimmed contents of the token file at `path`; throws CredentialsError naming `what` when
// it cannot be read or is empty.
std::string read_token_file(const std::string& path, const std::string& what);

// An ISO 8601 Expiration (nullopt when empty); throws CredentialsError naming `origin` when it is
// not a time.
std::optional<Timestamp> parse_expiration(const std::string& value, const std::string& origin);

// A role session name made from the current time.
std::string session_name(const NowFn& now);

// Sends one STS action (signed with `signer` when given) and reads the credentials it returns.
// `what` says what was being done, for messages ("assuming role R for profile 'p'").
Credentials call_sts(const ProviderContext& context, const std::string& action,
                     const QueryParams& params, const Credentials* signer, const std::string& what);

// The string member `key` of `doc`; empty when absent or not a string.
std::string json_string(const json& doc, const char* key);

// The keys of a JSON credential document (process, container, IMDS): AccessKeyId,
// SecretAccessKey, the session token under `token_key`, Expiration.
Credentials credentials_from_json(const json& doc, const char* token_key,
                                  const std::string& origin);

// A request for `path` below `endpoint` (container and instance metadata endpoints).
HttpRequest request_to(const Endpoint& endpoint, std::string method, const std::string& path);

}  // namespace ld::aws::detail
