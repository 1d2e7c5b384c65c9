#pragma once
// What the service's route files share: the upstream clients and the mapping of their errors
// to HTTP answers (400 bad input, 502 upstream failed, 504 upstream too slow).
#include <functional>
#include <memory>

#include "service/github_client.hpp"
#include "service/repo_filter.hpp"
#include "service/settings.hpp"
#include "service/upstream.hpp"
#include "web/app.hpp"

namespace ld::service {

// The clients every route uses, made once per app.
struct Upstreams {
  Settings settings;
  GitHubClient github;
  Upstream plain;  // checkip, ipdata
};

// Runs a route's body and answers its known failures: InvalidRepoRef → 400 ({"detail": [...]}
// as FastAPI), UpstreamError → 502, UpstreamTimeout → 504, ZipballError → 502.
web::Response answer(const std::function<web::Response()>& body);

// The parameters owner, name (and ref) with the original's defaults.
std::vector<web::QueryParam> repo_params(bool with_ref);
RepoRef repo_from(const web::Params& params, bool with_ref);
// The repository (with ref) and the original's three path filters (filter_starts_with,
// filter_contains, filter_ends_with) from the query.
RepoFilter filter_from(const web::Params& params);

void add_info_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams);
void add_github_api_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams);
void add_github_digest_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams);
void add_threat_intelligence_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams);

}  // namespace ld::service
