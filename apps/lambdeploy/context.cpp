#include "context.hpp"

#include <cstdlib>
#include <filesystem>

#include "local_endpoint.hpp"

namespace ld::cli {

Output& Context::out() {
  if (output_) return *output_;
  Output::Mode mode;
  mode.json = options.json;
  mode.quiet = options.quiet;
  mode.color = !options.no_color && std::getenv("NO_COLOR") == nullptr;
  mode.verbose = options.verbose;
  output_ = std::make_unique<Output>(mode);
  return *output_;
}

const deploy::Config& Context::config() {
  if (!config_) {
    std::optional<std::filesystem::path> explicit_path;
    if (!options.config.empty()) explicit_path = options.config;
    config_ =
        deploy::load_config(deploy::find_config(explicit_path, std::filesystem::current_path()));
  }
  return *config_;
}

const deploy::StageSpec& Context::stage(const std::string& name) {
  return config().stage(name);
}

const aws::Session& Context::session(const std::string& stage_name) {
  if (session_) return *session_;
  aws::SessionOptions session_options;
  session_options.profile = options.profile;
  session_options.region = options.region;
  if (session_options.region.empty() && !stage_name.empty()) {
    const auto& spec = stage(stage_name);
    if (spec.region) session_options.region = *spec.region;
  }
  session_options.endpoint_url = options.endpoint_url;
  if (options.local) {
    if (session_options.endpoint_url.empty()) session_options.endpoint_url = local_endpoint_url();
    const char* region_env = std::getenv("AWS_REGION");
    const char* default_region = std::getenv("AWS_DEFAULT_REGION");
    if (session_options.region.empty() && region_env == nullptr && default_region == nullptr)
      session_options.region = "us-east-1";
    // The local endpoint's default key unless the environment names one.
    if (std::getenv("AWS_ACCESS_KEY_ID") == nullptr)
      session_options.explicit_credentials =
          aws::Credentials{"test", "test", "", std::nullopt, "--local"};
  }
  endpoint_ = session_options.endpoint_url;
  session_ = std::make_unique<aws::Session>(std::move(session_options));
  return *session_;
}

const deploy::Clients& Context::clients(const std::string& stage_name) {
  if (!clients_) clients_ = std::make_unique<deploy::Clients>(session(stage_name));
  return *clients_;
}

std::string Context::endpoint_text() const {
  if (!endpoint_.empty()) return endpoint_;
  return "AWS";
}

}  // namespace ld::cli
