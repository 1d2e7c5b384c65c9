#pragma once
// A Transport that sends through another one and keeps a copy of every request it was given, so
// a test can check afterwards what a client (or the whole deployer) put on the wire.
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/transport.hpp"

namespace ld::test {

// Records each request before passing it on (a request whose send throws is recorded too).
// Thread-safe.
class RecordingTransport : public Transport {
 public:
  explicit RecordingTransport(std::shared_ptr<Transport> inner);

  HttpResponse send(const HttpRequest& request) override;

  // The requests recorded so far, oldest first.
  std::vector<HttpRequest> requests() const;
  // The requests recorded so far; the record starts empty again.
  std::vector<HttpRequest> take();
  std::size_t size() const;

 private:
  std::shared_ptr<Transport> inner_;
  mutable std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

}  // namespace ld::test
