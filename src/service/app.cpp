#include "service/app.hpp"

#include "service/routes.hpp"
#include "service/zipball.hpp"
#include "web/params.hpp"

namespace ld::service {

web::Response answer(const std::function<web::Response()>& body) {
  try {
    return body();
  } catch (const InvalidRepoRef& error) {
    throw web::ValidationError(
        {web::FieldError{"value_error", {"query", error.field()}, error.what(), nullptr, nullptr}});
  } catch (const UpstreamTimeout& error) {
    return web::Response::json(504, {{"detail", {{"message", error.what()}}}});
  } catch (const UpstreamError& error) {
    return web::Response::json(502, {{"detail",
                                      {{"message", error.what()},
                                       {"upstream_status", error.status()},
                                       {"upstream_url", error.url()}}}});
  } catch (const ZipballError& error) {
    return web::Response::json(502, {{"detail", {{"message", error.what()}}}});
  }
}

std::vector<web::QueryParam> repo_params(bool with_ref) {
  std::vector<web::QueryParam> params = {
      {"owner", web::ParamType::String, false, "owasp-sbot", "Repository owner"},
      {"name", web::ParamType::String, false, "OSBot-Utils", "Repository name"},
  };
  if (with_ref)
    params.push_back({"ref", web::ParamType::String, false, "main", "Branch, tag or commit"});
  return params;
}

RepoRef repo_from(const web::Params& params, bool with_ref) {
  RepoRef repo;
  repo.owner = params.string("owner");
  repo.name = params.string("name");
  repo.ref = with_ref ? params.string("ref") : "";
  return repo;
}

RepoFilter filter_from(const web::Params& params) {
  RepoFilter filter;
  filter.repo = repo_from(params, true);
  filter.filter_starts_with = params.string("filter_starts_with");
  filter.filter_contains = params.string("filter_contains");
  filter.filter_ends_with = params.string("filter_ends_with");
  return filter;
}

void add_routes(web::App& app, const Settings& settings) {
  ld::TransportOptions options;
  options.request_timeout = settings.upstream_timeout;
  auto transport = ld::make_socket_transport(options);
  GitHubSettings github{settings.github_api_url, settings.github_token,
                        "lambdeploy-github-digest/" + settings.version};
  auto upstreams = std::make_shared<const Upstreams>(
      Upstreams{settings, GitHubClient(std::move(github), transport), Upstream(transport)});
  add_info_routes(app, upstreams);
  add_github_api_routes(app, upstreams);
  add_github_digest_routes(app, upstreams);
  add_threat_intelligence_routes(app, upstreams);
}

std::unique_ptr<web::App> make_app(const Settings& settings) {
  web::AppConfig config;
  config.title = "GitHub Digest - Service";
  config.version = settings.version;
  config.description =
      "Digests of GitHub repositories as Markdown, and the GitHub API calls behind them.";
  config.api_key.enabled = settings.api_key_enabled;
  config.api_key.name = settings.api_key_name;
  config.api_key.value = settings.api_key_value;
  auto app = std::make_unique<web::App>(std::move(config));
  add_routes(*app, settings);
  return app;
}

}  // namespace ld::service
