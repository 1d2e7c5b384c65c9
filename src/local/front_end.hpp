#pragma once
// The local endpoint's front door for AWS API calls: finds the service a request is for (from
// X-Amz-Target, the SigV4 credential scope and the host, as AWS's front ends do), checks its
// signature against the key ring, decodes the call, runs it and encodes the answer or the error.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/http.hpp"
#include "core/time.hpp"
#include "local/key_ring.hpp"
#include "local/service.hpp"

namespace ld::local {

// Routes, authenticates and answers AWS API requests. Thread-safe once services are added.
class FrontEnd {
 public:
  explicit FrontEnd(std::shared_ptr<KeyRing> keys, NowFn now = {});

  // Registers a service under its signing name (lambda, s3, iam, sts, logs, monitoring, ssm).
  void add(std::shared_ptr<Service> service);
  Service* find(std::string_view signing_name) const;
  // The SDK ids of the services added ("CloudWatch", "Lambda", …), sorted.
  std::vector<std::string> service_ids() const;

  // Answers one request: `request.path` is the wire path (still percent-encoded), `query` the
  // decoded pairs, the body complete.
  HttpResponse handle(const HttpRequest& request) const;

  // Refuses, from its head alone, a signed request no body can make valid: an unknown key, a
  // malformed or skewed date or scope, and for S3 (whose payload hash is a header) a wrong
  // signature. nullopt when the body may still decide. For large bodies, before reading them.
  std::optional<HttpResponse> refuse_signed_head(const HttpRequest& head) const;

  // Runs before each authenticated call reaches its service (the endpoint flushes batched
  // telemetry before Logs and CloudWatch reads). Set before serving.
  void set_before_call(std::function<void(std::string_view service)> hook) {
    before_call_ = std::move(hook);
  }

  KeyRing& keys() const { return *keys_; }
  Timestamp now() const { return now_(); }

 private:
  std::shared_ptr<KeyRing> keys_;
  NowFn now_;
  std::map<std::string, std::shared_ptr<Service>, std::less<>> services_;
  std::function<void(std::string_view)> before_call_;
};

// Which service a request is for, or "" when nothing says: the signing name of an X-Amz-Target
// prefix, else the credential scope's service (Authorization header or X-Amz-Credential), else
// "s3" for an S3 host (s3.…, {bucket}.s3.…), else "sts" for an unsigned
// AssumeRoleWithWebIdentity form.
std::string service_of(const HttpRequest& request);

}  // namespace ld::local
