#pragma once
// Calls to the service's upstream HTTP APIs (GitHub, codeload, ipdata, checkip): one GET with
// redirects followed, timed, and failures turned into the errors routes map to 502 / 504.
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/transport.hpp"

namespace ld::service {

// An upstream answered with a status that is not 2xx (or not at all: status 0). Routes answer
// 502 with the upstream status in the body.
class UpstreamError : public ld::Error {
 public:
  UpstreamError(int status, std::string url, std::string body, const std::string& what)
      : ld::Error(what), status_(status), url_(std::move(url)), body_(std::move(body)) {}
  int status() const { return status_; }
  const std::string& url() const { return url_; }
  const std::string& body() const { return body_; }

 private:
  int status_;
  std::string url_;
  std::string body_;
};

// An upstream did not answer in time. Routes answer 504.
class UpstreamTimeout : public ld::Error {
 public:
  using ld::Error::Error;
};

// One upstream answer as the original service returns it: {"headers", "content", "duration"}.
struct UpstreamResult {
  int status = 0;
  ld::Headers headers;
  std::string body;       // bytes as received
  double duration = 0.0;  // seconds, redirects included

  std::string content_type() const { return headers.get("content-type").value_or(""); }
  // The original's shape: content is parsed JSON for JSON, a string for text, and for other
  // bytes a string too (callers that need bytes use `body`).
  nlohmann::json to_json() const;
};

// Splits "http://host:port/base" into the request's scheme, host, port and path (the path of
// `url`, then `path` appended). Throws ld::Error naming the URL when it is not http(s).
ld::HttpRequest request_for_url(std::string_view url);

// Sends GETs and follows redirects itself (the transport does not).
class Upstream {
 public:
  explicit Upstream(std::shared_ptr<ld::Transport> transport, int max_redirects = 5)
      : transport_(std::move(transport)), max_redirects_(max_redirects) {}

  // GET `url` with `headers`. Headers named in `same_host_only` (e.g. Authorization) are not
  // sent to a redirect target on another host. Throws UpstreamError / UpstreamTimeout.
  UpstreamResult get(const std::string& url, const ld::Headers& headers,
                     std::string_view same_host_only = "authorization") const;

 private:
  std::shared_ptr<ld::Transport> transport_;
  int max_redirects_;
};

}  // namespace ld::service
