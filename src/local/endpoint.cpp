#include "local/endpoint.hpp"

#include "core/error.hpp"
#include "local/services/sts.hpp"

namespace ld::local {

Endpoint::Endpoint(EndpointOptions options) : options_(std::move(options)) {}

Endpoint::~Endpoint() {
  stop();
}

void Endpoint::start() {
  std::error_code ec;
  std::filesystem::create_directories(options_.data_dir, ec);
  if (ec) {
    throw Error("cannot create the data dir " + options_.data_dir.string() + ": " + ec.message());
  }
  keys_ = std::make_shared<KeyRing>(options_.keys);
  front_end_ = std::make_unique<FrontEnd>(keys_, options_.now);
  front_end_->add(std::make_shared<StsService>(keys_));
  server_ = std::make_unique<Server>(*front_end_, options_.server);
  server_->set_health([this] {
    return nlohmann::json{{"data_dir", std::filesystem::absolute(options_.data_dir).string()}};
  });
  server_->start();
}

void Endpoint::stop() {
  if (server_) server_->stop();
  server_.reset();
}

}  // namespace ld::local
