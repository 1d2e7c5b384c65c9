#pragma once
// Sending one HTTP request and getting its response: the seam between clients and the wire.
#include <chrono>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/http.hpp"

namespace ld {

// No HTTP answer was had: connection refused or reset, DNS, TLS, or a time-out.
class TransportError : public Error {
 public:
  enum class Kind { Connect, Timeout, Reset, Dns, Tls, Io, Other };
  TransportError(Kind kind, const std::string& what) : Error(what), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

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

// HTTP/1.1 over plain sockets and OpenSSL TLS, with the same behaviour as the libcurl transport
// (no redirects followed, connections reused per origin, TLS verified). The bootstrap's transport:
// it links no libcurl (aws/transport.hpp has the libcurl one). Thread-safe.
std::shared_ptr<Transport> make_socket_transport(TransportOptions options = {});

}  // namespace ld
