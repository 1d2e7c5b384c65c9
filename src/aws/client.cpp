#include "aws/client.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <random>
#include <thread>

#include "aws/protocol.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

constexpr std::string_view kUserAgent = "lambdeploy/0.1";
// How far the local clock may be from the server's before a clock-skew error is believed.
constexpr std::chrono::minutes kMaxClockSkew{4};

// A random (version 4) UUID: the SDKs' amz-sdk-invocation-id, one per call.
std::string invocation_id() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    thread_local std::mt19937_64 fallback{std::random_device{}()};
    for (auto& byte : b) byte = static_cast<unsigned char>(fallback());
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string hex = hex_encode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

bool is_ipv4_like(std::string_view s) {
  auto parts = split(s, '.');
  if (parts.size() != 4) return false;
  return std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
    return !p.empty() && p.size() <= 3 &&
           std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
  });
}

// Whether a bucket name can be a host label ({bucket}.s3.region.amazonaws.com): 3-63 characters
// of lower-case letters, digits, '-' and '.', each dot-separated label starting and ending with a
// letter or digit, not an IP address; over https no '.' at all (the wildcard certificate covers
// one label only).
bool is_dns_compatible_bucket(std::string_view bucket, bool https) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  if (https && bucket.find('.') != std::string_view::npos) return false;
  if (is_ipv4_like(bucket)) return false;
  for (const auto& label : split(bucket, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
  }
  return true;
}

// Seconds from a Retry-After header: delta-seconds or an HTTP date.
int retry_after_seconds(const HttpResponse& response, Timestamp now) {
  auto value = response.headers.get("Retry-After");
  if (!value) return -1;
  std::string_view text = trim(*value);
  int seconds = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && ptr == text.data() + text.size() && seconds >= 0) return seconds;
  if (auto when = parse_http_date(text)) {
    auto delta = std::chrono::duration_cast<std::chrono::seconds>(*when - now).count();
    return static_cast<int>(std::clamp<long long>(delta, 0, 24LL * 3600));
  }
  return -1;
}

}  // namespace

Client::Client(const ServiceInfo& service, ClientConfig config)
    : service_(service), config_(std::move(config)) {
  if (config_.signing_region.empty()) config_.signing_region = config_.region;
  if (!config_.transport) config_.transport = make_curl_transport();
  if (!config_.now) config_.now = system_now;
  retry_ = std::make_shared<RetryState>(config_.retry);
}

HttpRequest Client::build(const Operation& operation, const Call& call) const {
  if (config_.endpoint.host.empty()) {
    throw Error("no endpoint is configured for " + std::string(service_.id) + " (" +
                std::string(operation.name) + ")");
  }
  HttpRequest request = serialize_request(service_, operation, call);
  request.scheme = config_.endpoint.scheme;
  request.host = config_.endpoint.host;
  request.port = config_.endpoint.port;
  if (request.path.empty() || request.path.front() != '/') request.path.insert(0, "/");

  bool virtual_host = service_.protocol == Protocol::RestXml && !config_.custom_endpoint &&
                      !config_.s3_force_path_style;
  if (virtual_host && request.path.size() > 1) {
    std::string_view rest = std::string_view(request.path).substr(1);
    std::size_t slash = rest.find('/');
    std::string bucket(rest.substr(0, slash));
    if (is_dns_compatible_bucket(bucket, request.scheme == "https")) {
      request.host = bucket + "." + request.host;
      request.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    }
  }
  request.path = config_.endpoint.base_path + request.path;
  return request;
}

Result Client::call(const Operation& operation, const Call& call) const {
  HttpRequest prepared = build(operation, call);
  prepared.headers.set("User-Agent", std::string(kUserAgent));
  prepared.headers.set("amz-sdk-invocation-id", invocation_id());

  const int max_attempts = std::max(1, config_.retry.max_attempts);
  bool clock_corrected = false;
  int last_cost = 0;  // tokens the last retry took from the quota
  for (int attempt = 1;; ++attempt) {
    HttpRequest request = prepared;
    request.headers.set("amz-sdk-request", "attempt=" + std::to_string(attempt) +
                                               "; max=" + std::to_string(max_attempts));
    if (config_.credentials) {
      Credentials credentials = config_.credentials->credentials();
      SigningConfig signing;
      signing.region = config_.signing_region;
      signing.service = std::string(service_.signing_name);
      signing.time = config_.now() + clock_offset();
      if (service_.protocol == Protocol::RestXml) {
        signing.normalize_path = false;
        signing.double_encode_path = false;
        signing.add_content_sha256_header = true;
        // A streamed file is not read twice over TLS; plain http keeps the body's hash.
        signing.unsigned_payload = request.body_file.has_value() && request.scheme == "https";
      }
      sign_request(request, credentials, signing);
    }

    // What went wrong this attempt, how to classify it, and what to throw when out of tries.
    FailureKind kind = FailureKind::NotRetryable;
    bool timeout = false;
    int retry_after = -1;
    std::exception_ptr failure;
    try {
      HttpResponse response = config_.transport->send(request);
      if (response.status >= 200 && response.status < 300) {
        if (last_cost > 0) {
          retry_->release(last_cost);
        } else {
          retry_->on_success(false);
        }
        return parse_response(service_, operation, std::move(response));
      }
      AwsError error = parse_error(service_, operation, response);
      if (error.retry_after_seconds < 0) {
        error.retry_after_seconds = retry_after_seconds(response, config_.now());
      }
      retry_after = error.retry_after_seconds;
      kind = classify(error);
      if (kind == FailureKind::ClockSkew) {
        // Believe the error only when the server's clock really differs from ours; then sign
        // again with the corrected time, once per call, without waiting.
        auto date = response.headers.get("Date");
        auto server_time = date ? parse_http_date(*date) : std::nullopt;
        Timestamp local = config_.now();
        if (server_time && !clock_corrected && attempt < max_attempts) {
          auto skew = std::chrono::duration_cast<std::chrono::milliseconds>(*server_time - local);
          auto off_by = skew - clock_offset();
          if (off_by > kMaxClockSkew || off_by < -kMaxClockSkew) {
            offset_ms_ = skew.count();
            clock_corrected = true;
            continue;
          }
        }
        kind = FailureKind::NotRetryable;
      }
      failure = std::make_exception_ptr(std::move(error));
    } catch (const TransportError& error) {
      kind = classify(error);
      timeout = error.kind() == TransportError::Kind::Timeout;
      failure = std::current_exception();
    }

    if (attempt >= max_attempts || !retry_->acquire(kind, attempt, timeout)) {
      std::rethrow_exception(failure);
    }
    last_cost = timeout ? config_.retry.timeout_retry_cost : config_.retry.retry_cost;
    std::this_thread::sleep_for(retry_->backoff(attempt, retry_after));
  }
}

}  // namespace ld::aws
