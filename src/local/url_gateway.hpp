#pragma once
// The Function URL gateway of the local endpoint: requests to
// http://{url-id}.lambda-url.{region}.localhost:{port}/… (or /_lambdeploy/url/{url-id}/… for
// clients that cannot send such a host) become payload 2.0 events for the function (or the
// alias, split by its weights), after the URL's auth (NONE needs both resource-policy grants;
// AWS_IAM a valid SigV4 signature) and CORS; the result becomes the HTTP answer.
#include <memory>
#include <optional>
#include <string>

#include "core/http.hpp"
#include "local/executor.hpp"
#include "local/key_ring.hpp"
#include "local/server.hpp"
#include "local/services/lambda_functions.hpp"

namespace ld::local {

// Thread-safe.
class UrlGateway {
 public:
  UrlGateway(std::shared_ptr<LambdaFunctions> functions, std::shared_ptr<Executor> executor,
             std::shared_ptr<KeyRing> keys, NowFn now = system_now);

  // The answer when `request` is for a Function URL, nullopt when it is not.
  std::optional<HttpResponse> handle(const HttpRequest& request, const Peer& peer) const;

  // The url id a request is for: the host's first label before ".lambda-url.", or the segment
  // after /_lambdeploy/url/. Empty when neither.
  static std::string url_id_of(const HttpRequest& request);

 private:
  HttpResponse invoke(const HttpRequest& request, const Peer& peer, const UrlTarget& target,
                      const std::string& raw_path, const std::string& raw_query) const;

  std::shared_ptr<LambdaFunctions> functions_;
  std::shared_ptr<Executor> executor_;
  std::shared_ptr<KeyRing> keys_;
  NowFn now_;
};

// CORS headers for a response to a request from `origin` under the URL's Cors config (null: no
// CORS). `preflight`: the answer to OPTIONS with Access-Control-Request-Method.
void apply_cors(const nlohmann::json& cors, std::string_view origin, bool preflight,
                Headers& headers);

}  // namespace ld::local
