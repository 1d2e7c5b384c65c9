#include "aws/sigv4.hpp"

#include <algorithm>
#include <array>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::chrono::seconds kMaxPresignExpiry{7 * 24 * 3600};  // AWS's limit: 7 days

// Headers never signed: hop-by-hop ones and ones that HTTP stacks and proxies add or rewrite
// (botocore and aws-c-auth leave them out for the same reason).
bool never_signed(std::string_view lower_name) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "authorization", "connection", "expect",         "transfer-encoding",
      "upgrade",       "user-agent", "x-amzn-trace-id"};
  return std::find(kNames.begin(), kNames.end(), lower_name) != kNames.end();
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Appends `value` trimmed, each inner run of whitespace (folded lines too) as one space.
void append_folded(std::string& out, std::string_view value) {
  bool seen_text = false;
  bool pending_space = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = seen_text;
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    seen_text = true;
    out.push_back(c);
  }
}

// One line of the canonical headers: lower-case name and canonical value.
struct CanonicalHeader {
  std::string name;
  std::string value;
};
using CanonicalHeaders = std::vector<CanonicalHeader>;

// Every header of the request but the never-signed ones: names lower-cased and sorted, values
// of a repeated name joined with ',' in the order they came; Host from the authority if absent.
CanonicalHeaders all_headers(const HttpRequest& request) {
  CanonicalHeaders out;
  out.reserve(request.headers.fields().size() + 1);
  bool has_host = false;
  for (const auto& field : request.headers) {
    std::string name = to_lower(field.name);
    if (never_signed(name)) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const CanonicalHeader& h) { return h.name == name; });
    if (it == out.end()) {
      has_host = has_host || name == "host";
      it = out.insert(out.end(), CanonicalHeader{std::move(name), {}});
    } else {
      it->value.push_back(',');
    }
    append_folded(it->value, field.value);
  }
  if (!has_host) out.push_back({"host", request.authority()});
  std::sort(out.begin(), out.end(),
            [](const CanonicalHeader& a, const CanonicalHeader& b) { return a.name < b.name; });
  return out;
}

// The headers named in `signed_headers`, in that order, with their canonical values.
CanonicalHeaders named_headers(const HttpRequest& request, std::string_view signed_headers) {
  CanonicalHeaders out;
  size_t start = 0;
  while (start <= signed_headers.size()) {
    size_t end = signed_headers.find(';', start);
    if (end == std::string_view::npos) end = signed_headers.size();
    std::string_view name = signed_headers.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    CanonicalHeader header{std::string(name), {}};
    bool found = false;
    for (const auto& field : request.headers) {
      if (!iequals(field.name, name)) continue;
      if (found) header.value.push_back(',');
      append_folded(header.value, field.value);
      found = true;
    }
    if (!found && name == "host") header.value = request.authority();
    out.push_back(std::move(header));
  }
  return out;
}

std::string signed_header_list(const CanonicalHeaders& headers) {
  std::string out;
  for (const auto& h : headers) {
    if (!out.empty()) out.push_back(';');
    out += h.name;
  }
  return out;
}

// Drops empty, "." and ".." segments as the AWS CLI does; a trailing '/' stays.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(start, end - start);
    start = end + 1;
    if (segment == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!segment.empty() && segment != ".") {
      kept.push_back(segment);
    }
  }
  std::string out = "/";
  for (size_t i = 0; i < kept.size(); ++i) {
    if (i > 0) out.push_back('/');
    out += kept[i];
  }
  if (!kept.empty() && path.back() == '/') out.push_back('/');
  return out;
}

std::string canonical_uri(std::string_view path, const SigningConfig& config) {
  if (path.empty()) path = "/";
  std::string uri = config.normalize_path ? remove_dot_segments(path) : std::string(path);
  // Encoding the wire path with '/' kept encodes each segment again (a space arrives as %20
  // and is signed as %2520); S3 signs the wire path as it is.
  return config.double_encode_path ? uri_encode(uri, /*keep_slash=*/true) : uri;
}

// Parameters RFC 3986-encoded, sorted by encoded key then encoded value; a presigned request's
// own X-Amz-Signature is not part of what it signs.
std::string canonical_query(const QueryParams& query, bool presigned) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [key, value] : query) {
    if (presigned && key == "X-Amz-Signature") continue;
    encoded.emplace_back(uri_encode(key), uri_encode(value));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [key, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += key;
    out.push_back('=');
    out += value;
  }
  return out;
}

Signature sign_canonical(const HttpRequest& request, const CanonicalHeaders& headers,
                         std::string_view secret, const SigningConfig& config,
                         std::string_view payload_hash, bool presigned) {
  const std::string amz_date = format_amz_date(config.time);
  const std::string_view date_stamp = std::string_view(amz_date).substr(0, 8);

  Signature sig;
  sig.signed_headers = signed_header_list(headers);
  sig.credential_scope.reserve(date_stamp.size() + config.region.size() + config.service.size() +
                               kTerminator.size() + 3);
  sig.credential_scope.append(date_stamp).append("/").append(config.region).append("/");
  sig.credential_scope.append(config.service).append("/").append(kTerminator);

  std::string& creq = sig.canonical_request;
  creq.reserve(256 + request.path.size() + sig.signed_headers.size() * 2);
  creq.append(request.method).push_back('\n');
  creq.append(canonical_uri(request.path, config)).push_back('\n');
  creq.append(canonical_query(request.query, presigned)).push_back('\n');
  for (const auto& h : headers) creq.append(h.name).append(":").append(h.value).push_back('\n');
  creq.push_back('\n');
  creq.append(sig.signed_headers).push_back('\n');
  creq.append(payload_hash);

  std::string& sts = sig.string_to_sign;
  sts.reserve(kAlgorithm.size() + amz_date.size() + sig.credential_scope.size() + 64 + 3);
  sts.append(kAlgorithm).push_back('\n');
  sts.append(amz_date).push_back('\n');
  sts.append(sig.credential_scope).push_back('\n');
  sts.append(sha256_hex(creq));

  const std::string key = signing_key(secret, date_stamp, config.region, config.service);
  sig.signature = hex_encode(as_chars(hmac_sha256(key, sts)));
  return sig;
}

std::string authorization_header(const Credentials& credentials, const Signature& sig) {
  std::string out;
  out.reserve(kAlgorithm.size() + credentials.access_key_id.size() + sig.credential_scope.size() +
              sig.signed_headers.size() + sig.signature.size() + 48);
  out.append(kAlgorithm).append(" Credential=").append(credentials.access_key_id);
  out.append("/").append(sig.credential_scope);
  out.append(", SignedHeaders=").append(sig.signed_headers);
  out.append(", Signature=").append(sig.signature);
  return out;
}

bool is_presign_parameter(std::string_view key) {
  static constexpr std::array<std::string_view, 7> kKeys = {
      "X-Amz-Algorithm",     "X-Amz-Credential",     "X-Amz-Date",     "X-Amz-Expires",
      "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"};
  return std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end();
}

}  // namespace

std::string signing_key(std::string_view secret, std::string_view date_stamp,
                        std::string_view region, std::string_view service) {
  // A derived key changes once a day per secret, region and service, and deriving one costs four
  // HMACs (most of a signature's time with OpenSSL 3): each thread remembers its last few.
  struct DerivedKey {
    std::string secret, date_stamp, region, service, key;
  };
  thread_local std::array<DerivedKey, 8> recent;
  thread_local size_t next_slot = 0;
  for (const auto& k : recent) {
    if (!k.key.empty() && k.date_stamp == date_stamp && k.region == region &&
        k.service == service && constant_time_equal(k.secret, secret))
      return k.key;
  }

  std::string seed;
  seed.reserve(4 + secret.size());
  seed.append("AWS4").append(secret);
  Digest256 k = hmac_sha256(seed, date_stamp);
  k = hmac_sha256(as_chars(k), region);
  k = hmac_sha256(as_chars(k), service);
  k = hmac_sha256(as_chars(k), kTerminator);
  DerivedKey& slot = recent[next_slot];
  next_slot = (next_slot + 1) % recent.size();
  slot = {std::string(secret), std::string(date_stamp), std::string(region), std::string(service),
          std::string(as_chars(k))};
  return slot.key;
}

Signature compute_signature(const HttpRequest& request, const Credentials& credentials,
                            const SigningConfig& config, std::string_view payload_hash,
                            bool presigned) {
  return sign_canonical(request, all_headers(request), credentials.secret_access_key, config,
                        payload_hash, presigned);
}

Signature recompute_signature(const HttpRequest& request, std::string_view secret_access_key,
                              const SigningConfig& config, std::string_view payload_hash,
                              bool presigned, std::string_view signed_headers) {
  return sign_canonical(request, named_headers(request, signed_headers), secret_access_key, config,
                        payload_hash, presigned);
}

Signature sign_request(HttpRequest& request, const Credentials& credentials,
                       const SigningConfig& config) {
  const bool temporary = !credentials.session_token.empty();
  request.headers.remove("Authorization");
  request.headers.set("X-Amz-Date", format_amz_date(config.time));
  // A token from earlier credentials must not linger; an unsigned one is added after signing.
  if (temporary && config.sign_session_token)
    request.headers.set("X-Amz-Security-Token", credentials.session_token);
  else
    request.headers.remove("X-Amz-Security-Token");

  const std::string payload_hash =
      config.unsigned_payload ? std::string(kUnsignedPayload) : payload_sha256(request);
  if (config.add_content_sha256_header) request.headers.set("x-amz-content-sha256", payload_hash);

  Signature sig = compute_signature(request, credentials, config, payload_hash, false);
  if (temporary && !config.sign_session_token)
    request.headers.set("X-Amz-Security-Token", credentials.session_token);
  request.headers.set("Authorization", authorization_header(credentials, sig));
  return sig;
}

Signature presign_request(HttpRequest& request, const Credentials& credentials,
                          const SigningConfig& config) {
  if (config.expires.count() < 1 || config.expires > kMaxPresignExpiry)
    throw Error("a presigned URL must expire within 1 to 604800 seconds (7 days), not " +
                std::to_string(config.expires.count()) + " seconds");
  std::erase_if(request.query, [](const auto& p) { return is_presign_parameter(p.first); });

  const CanonicalHeaders headers = all_headers(request);
  const std::string amz_date = format_amz_date(config.time);
  std::string credential = credentials.access_key_id;
  credential.append("/").append(std::string_view(amz_date).substr(0, 8));
  credential.append("/").append(config.region).append("/").append(config.service);
  credential.append("/").append(kTerminator);

  // The order the aws-c-auth vectors (and the AWS SDKs) write them in; the signature sorts them.
  request.query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  request.query.emplace_back("X-Amz-Credential", std::move(credential));
  request.query.emplace_back("X-Amz-Date", amz_date);
  request.query.emplace_back("X-Amz-SignedHeaders", signed_header_list(headers));
  request.query.emplace_back("X-Amz-Expires", std::to_string(config.expires.count()));
  const bool temporary = !credentials.session_token.empty();
  if (temporary && config.sign_session_token)
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);

  // The vectors sign the body's hash in the query form too; S3 presigns with unsigned_payload.
  const std::string payload_hash =
      config.unsigned_payload ? std::string(kUnsignedPayload) : payload_sha256(request);
  Signature sig =
      sign_canonical(request, headers, credentials.secret_access_key, config, payload_hash, true);
  if (temporary && !config.sign_session_token)
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  request.query.emplace_back("X-Amz-Signature", sig.signature);
  return sig;
}

std::string payload_sha256(const HttpRequest& request) {
  if (request.body_file) return hex_encode(as_chars(sha256_file(*request.body_file)));
  return sha256_hex(request.body);
}

}  // namespace ld::aws
