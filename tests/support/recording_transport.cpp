#include "support/recording_transport.hpp"

#include <utility>

namespace ld::test {

RecordingTransport::RecordingTransport(std::shared_ptr<Transport> inner)
    : inner_(std::move(inner)) {}

HttpResponse RecordingTransport::send(const HttpRequest& request) {
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
  }
  return inner_->send(request);
}

std::vector<HttpRequest> RecordingTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<HttpRequest> RecordingTransport::take() {
  std::lock_guard lock(mu_);
  std::vector<HttpRequest> out;
  out.swap(requests_);
  return out;
}

std::size_t RecordingTransport::size() const {
  std::lock_guard lock(mu_);
  return requests_.size();
}

}  // namespace ld::test
