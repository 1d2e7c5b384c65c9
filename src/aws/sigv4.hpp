#pragma once
// AWS Signature Version 4: canonical request, string to sign, signature; header and
// presigned-query forms.
#include <chrono>
#include <string>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "core/time.hpp"

namespace ld::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// How one request is to be signed.
struct SigningConfig {
  std::string region;
  std::string service;  // signing name ("lambda", "s3", ...)
  Timestamp time;
  // Remove "." and ".." segments and merge slashes (all services but S3).
  bool normalize_path = true;
  // URI-encode the (already encoded) wire path again for the canonical URI (all but S3).
  bool double_encode_path = true;
  // Put SHA-256 of the body (or UNSIGNED-PAYLOAD) in x-amz-content-sha256 (S3).
  bool add_content_sha256_header = false;
  bool unsigned_payload = false;  // sign "UNSIGNED-PAYLOAD" instead of the body's hash
  // Whether X-Amz-Security-Token is part of what is signed (false: added after signing).
  bool sign_session_token = true;
  std::chrono::seconds expires{3600};  // presigned URLs only
};

// The pieces of a signature, exposed for tests and for verification.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // lower-case hex
  std::string signed_headers;    // "host;x-amz-date"
  std::string credential_scope;  // 20150830/us-east-1/service/aws4_request
};

// The SigV4 signing key for a date, region and service.
std::string signing_key(std::string_view secret, std::string_view date_stamp,
                        std::string_view region, std::string_view service);

// Computes the signature of `request` as it stands (it must already carry every header and query
// parameter to sign, including x-amz-date or X-Amz-Date). `payload_hash` is the hex SHA-256 of
// the body or "UNSIGNED-PAYLOAD".
Signature compute_signature(const HttpRequest& request, const Credentials& credentials,
                            const SigningConfig& config, std::string_view payload_hash,
                            bool presigned);

// Recomputes a signature over exactly the headers a client named in `signed_headers` (lower-case,
// ';'-separated, as in its Authorization header or X-Amz-SignedHeaders), for the server that checks
// it; a named header the request lacks counts as empty ("host" falls back to the authority).
Signature recompute_signature(const HttpRequest& request, std::string_view secret_access_key,
                              const SigningConfig& config, std::string_view payload_hash,
                              bool presigned, std::string_view signed_headers);

// Signs in place with the Authorization header: adds X-Amz-Date, X-Amz-Security-Token (when
// temporary), x-amz-content-sha256 (when configured) and Authorization; returns the pieces.
Signature sign_request(HttpRequest& request, const Credentials& credentials,
                       const SigningConfig& config);

// Presigns in place: adds the X-Amz-* query parameters, X-Amz-Signature last.
Signature presign_request(HttpRequest& request, const Credentials& credentials,
                          const SigningConfig& config);

// Hex SHA-256 of the request body (streams a body_file).
std::string payload_sha256(const HttpRequest& request);

}  // namespace ld::aws
