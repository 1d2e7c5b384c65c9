#pragma once
// Sending one HTTP request and getting its response: the seam between the client and libcurl.
#include <chrono>
#include <memory>
#include <string>

#include "aws/http.hpp"

namespace ld::aws {

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{3100};
  std::chrono::milliseconds request_timeout{60000};  // whole request, 0 = none
  bool verify_tls = true;
  std::string ca_file;  // extra CA bundle (AWS_CA_BUNDLE), empty = system store
};

// Sends requests over HTTP(S). Throws TransportError when no response is had.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

// libcurl transport: connections reused per host, TLS verified, bodies streamed from files.
// Thread-safe.
std::shared_ptr<Transport> make_curl_transport(TransportOptions options = {});

}  // namespace ld::aws
