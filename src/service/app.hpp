#pragma once
// The GitHub Digest service as a web::App: info, github-api, github-digest and
// threat-intelligence routes, behind the API-key gate.
#include <memory>

#include "service/settings.hpp"
#include "web/app.hpp"

namespace ld::service {

// The service's app. A unique_ptr because web::App can be neither copied nor moved.
std::unique_ptr<web::App> make_app(const Settings& settings);

// Adds the service's routes to an existing app (make_app calls it).
void add_routes(web::App& app, const Settings& settings);

}  // namespace ld::service
