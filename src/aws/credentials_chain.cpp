// The default credentials chain: CachingProvider, ChainProvider and make_credentials_chain.
#include "aws/credentials_chain.hpp"

#include <charconv>

#include "aws/region.hpp"
#include "core/strings.hpp"

namespace ld::aws {
namespace {

// Thrown by a provider that only says why the chain should look elsewhere.
class AbsentProvider : public CredentialsProvider {
 public:
  explicit AbsentProvider(std::string why) : why_(std::move(why)) {}
  Credentials credentials() override { throw CredentialsNotFound(why_); }

 private:
  std::string why_;
};

}  // namespace

// ---- CachingProvider ----

CachingProvider::CachingProvider(std::shared_ptr<CredentialsProvider> inner, NowFn now,
                                 std::chrono::milliseconds refresh_before)
    : inner_(std::move(inner)),
      now_(now ? std::move(now) : NowFn(system_now)),
      refresh_before_(refresh_before) {}

Credentials CachingProvider::credentials() {
  std::lock_guard lock(mu_);
  Timestamp now = now_();
  if (cached_ && (!cached_->expiration || *cached_->expiration - now > refresh_before_))
    return *cached_;
  try {
    cached_ = inner_->credentials();
    return *cached_;
  } catch (const CredentialsError&) {
    // A refresh that fails while the old credentials still work is not yet an error.
    if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
    throw;
  }
}

// ---- ChainProvider ----

ChainProvider::ChainProvider(std::vector<Link> links) : links_(std::move(links)) {}

Credentials ChainProvider::credentials() {
  std::shared_ptr<CredentialsProvider> chosen;
  {
    std::lock_guard lock(mu_);
    if (!chosen_) {
      std::string looked;
      int n = 0;
      for (const Link& link : links_) {
        try {
          Credentials c = link.provider->credentials();
          chosen_ = link.provider;
          return c;
        } catch (const CredentialsNotFound& e) {
          looked += "\n  " + std::to_string(++n) + ". " + link.name + ": " + e.what();
        } catch (const CredentialsError&) {
          throw;
        } catch (const std::exception& e) {
          throw CredentialsError(link.name + ": " + e.what());
        }
      }
      throw CredentialsError(
          "no AWS credentials found. Looked at, in order:" + looked +
          "\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add keys to a profile with "
          "`aws configure`, or choose a profile with --profile or AWS_PROFILE.");
    }
    chosen = chosen_;
  }
  return chosen->credentials();
}

// ---- the default chain ----

std::shared_ptr<CredentialsProvider> make_credentials_chain(ChainOptions options) {
  ProviderContext context;
  context.env = options.env ? std::move(options.env) : process_environment();
  context.config = options.config
                       ? options.config
                       : std::make_shared<const SharedConfig>(SharedConfig::load(context.env));
  context.profile = profile_name(options.profile, context.env);
  context.now = options.now ? options.now : NowFn(system_now);
  context.region = options.region;
  if (context.region.empty()) {
    try {
      if (auto found = find_region("", context.env, *context.config, context.profile))
        context.region = found->region;
    } catch (const Error&) {
      // A malformed region is reported by whoever needs the region; STS goes global.
    }
  }
  context.transport = options.transport ? options.transport : make_curl_transport();
  if (options.metadata_transport) {
    context.metadata_transport = options.metadata_transport;
  } else {
    TransportOptions metadata;
    long seconds = 1;
    if (auto v = env_value(context.env, "AWS_METADATA_SERVICE_TIMEOUT")) {
      std::string_view s = trim(*v);
      long parsed = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
      if (ec == std::errc() && ptr == s.data() + s.size() && parsed > 0) seconds = parsed;
    }
    metadata.connect_timeout = std::chrono::seconds(seconds);
    metadata.request_timeout = std::chrono::seconds(seconds);
    context.metadata_transport = make_curl_transport(metadata);
  }

  auto cached = [&](std::shared_ptr<CredentialsProvider> p) {
    return std::make_shared<CachingProvider>(std::move(p), context.now);
  };
  std::vector<ChainProvider::Link> links;
  if (options.explicit_credentials)
    links.push_back(
        {"explicit keys", std::make_shared<StaticProvider>(*options.explicit_credentials)});
  if (options.profile.empty())
    links.push_back(
        {"environment variables", cached(std::make_shared<EnvironmentProvider>(context.env))});
  else
    links.push_back({"environment variables",
                     std::make_shared<AbsentProvider>("not used because --profile was given")});
  links.push_back(
      {"web identity (environment)", cached(std::make_shared<WebIdentityProvider>(context))});
  bool named = !options.profile.empty() || env_value(context.env, "AWS_PROFILE") ||
               env_value(context.env, "AWS_DEFAULT_PROFILE");
  links.push_back({"profile '" + context.profile + "' of the shared files",
                   cached(std::make_shared<ProfileProvider>(context, context.profile, named))});
  links.push_back({"container credentials", cached(std::make_shared<ContainerProvider>(context))});
  links.push_back(
      {"EC2 instance metadata", cached(std::make_shared<InstanceMetadataProvider>(context))});
  return std::make_shared<ChainProvider>(std::move(links));
}

}  // namespace ld::aws
