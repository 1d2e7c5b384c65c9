#pragma once
// The machinery every service client shares: build the request in the service's protocol,
// sign it, send it with retries, and parse the answer or the error.
#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "aws/credentials.hpp"
#include "aws/http.hpp"
#include "aws/retry.hpp"
#include "aws/service.hpp"
#include "aws/transport.hpp"
#include "core/time.hpp"

namespace ld::aws {

using nlohmann::json;

// One operation's input: members shaped as in the API (the model's member names), plus a raw
// payload for operations whose body is bytes (Invoke, PutObject).
struct Call {
  json input = json::object();
  std::string body = {};
  std::optional<std::filesystem::path> body_file = {};  // streamed instead of body
};

// One operation's output: members shaped as in the API, the raw payload when the operation has
// one (Invoke's Payload, GetObject's Body), and what HTTP said.
struct Result {
  json output = json::object();
  std::string body = {};
  int status = 0;
  Headers headers;
  std::string request_id;
};

// Everything a client needs that is not the service itself.
struct ClientConfig {
  std::string region;
  // Resolved endpoint for this service (standard or custom).
  Endpoint endpoint;
  // Whether `endpoint` was set by the user (then S3 uses path style).
  bool custom_endpoint = false;
  // Region the request is signed for (IAM signs for us-east-1 whatever the region).
  std::string signing_region;
  std::shared_ptr<CredentialsProvider> credentials;  // null: requests go unsigned
  std::shared_ptr<Transport> transport;
  RetryPolicy retry;
  NowFn now = system_now;
  bool s3_force_path_style = false;
};

// Sends operations of one service. Thread-safe; cheap to share.
class Client {
 public:
  Client(const ServiceInfo& service, ClientConfig config);
  virtual ~Client() = default;

  // Performs the operation; throws AwsError (the service said no), TransportError (no answer
  // after the retries) or CredentialsError.
  Result call(const Operation& operation, const Call& call) const;
  // Builds the request for `operation` exactly as call() would send it, unsigned.
  HttpRequest build(const Operation& operation, const Call& call) const;

  const ServiceInfo& service() const { return service_; }
  const ClientConfig& config() const { return config_; }
  // Correction applied to the clock after a clock-skew error (server time - local time).
  std::chrono::milliseconds clock_offset() const { return std::chrono::milliseconds(offset_ms_); }

 private:
  const ServiceInfo& service_;
  ClientConfig config_;
  std::shared_ptr<RetryState> retry_;
  mutable std::atomic<long long> offset_ms_{0};
};

}  // namespace ld::aws
