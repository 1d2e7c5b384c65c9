// /github-api: GitHub's answers passed through as {"headers", "content", "duration"}, and the
// zipball's file names and text files (as the original: a list, and {path: content}).
#include <nlohmann/json.hpp>

#include "service/repo_filter.hpp"
#include "service/routes.hpp"
#include "service/zipball.hpp"
#include "web/params.hpp"

namespace ld::service {
namespace {

web::RouteSpec spec(std::string summary, std::vector<web::QueryParam> query = {}) {
  web::RouteSpec route;
  route.summary = std::move(summary);
  route.tag = "github-api";
  route.query = std::move(query);
  return route;
}

}  // namespace

void add_github_api_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams) {
  app.get("/github-api/apis-available", spec("GitHub's API index"),
          [upstreams](web::Request&, const web::Params&) {
            return answer([&] {
              return web::Response::json(200, upstreams->github.apis_available().to_json());
            });
          });
  app.get("/github-api/rate-limit", spec("GitHub's rate limit for the service's token"),
          [upstreams](web::Request&, const web::Params&) {
            return answer(
                [&] { return web::Response::json(200, upstreams->github.rate_limit().to_json()); });
          });
  app.get("/github-api/repository", spec("A repository", repo_params(false)),
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              return web::Response::json(
                  200, upstreams->github.repository(repo_from(params, false)).to_json());
            });
          });
  app.get("/github-api/repository-commits",
          spec("A repository's latest commits", repo_params(false)),
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              auto repo = repo_from(params, false);
              return web::Response::json(200, upstreams->github.commits(repo).to_json());
            });
          });
  app.get("/github-api/repository-issues", spec("A repository's open issues", repo_params(false)),
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              return web::Response::json(
                  200, upstreams->github.issues(repo_from(params, false)).to_json());
            });
          });
  app.get("/github-api/repository-files-names",
          spec("The paths of a repository's files at a ref", repo_params(true)),
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              const auto zip = upstreams->github.zipball(repo_from(params, true));
              Zipball zipball(zip.body, upstreams->settings.zip_limits);
              return web::Response::json(200, zipball.names());
            });
          });
  auto text_params = repo_params(true);
  text_params.push_back({"filter_starts_with", web::ParamType::String, false, "", "Path prefix"});
  text_params.push_back({"filter_contains", web::ParamType::String, false, "", "Text in the path"});
  text_params.push_back(
      {"filter_ends_with", web::ParamType::String, false, "", "Path suffix, e.g. .py"});
  app.get("/github-api/repository-text-files",
          spec("A repository's text files, filtered", text_params),
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              RepoFilter filter = filter_from(params);
              const auto zip = upstreams->github.zipball(filter.repo);
              Zipball zipball(zip.body, upstreams->settings.zip_limits);
              nlohmann::json files = nlohmann::json::object();
              for (auto& [path, content] : zipball.text_files(filter))
                files[path] = std::move(content);
              return web::Response::json(200, files);
            });
          });
}

}  // namespace ld::service
