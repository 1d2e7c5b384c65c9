#include "support/served_lambda.hpp"

#include "local/key_ring.hpp"

namespace ld::test {

ServedLambda::ServedLambda(const local::State& state, std::shared_ptr<local::Executor> executor,
                           const local::LambdaOptions& options,
                           const std::vector<std::shared_ptr<local::Service>>& others)
    : front_end_(std::make_shared<local::KeyRing>()) {
  service = std::make_shared<local::LambdaService>(state, std::move(executor), options);
  front_end_.add(service);
  for (const auto& other : others) front_end_.add(other);
  local::ServerOptions server_options;
  server_options.port = 0;
  server_ = std::make_unique<local::Server>(front_end_, server_options);
  server_->start();
  service->set_endpoint_port(server_->port());
}

ServedLambda::~ServedLambda() {
  server_->stop();
}

std::string ServedLambda::url() const {
  return server_->url();
}

int ServedLambda::port() const {
  return server_->port();
}

}  // namespace ld::test
