#pragma once
// The OpenAPI 3.1.0 document of an app, built from its routes' declarations (what /openapi.json
// serves and /docs renders).
#include <string>

#include <nlohmann/json.hpp>

#include "web/router.hpp"

namespace ld::web {

// The document's "info" and the API key's header for "securitySchemes".
struct OpenApiInfo {
  std::string title;
  std::string version;
  std::string description;
  std::string api_key_name;  // empty: no security scheme
};

// {"openapi": "3.1.0", "info", "paths", "components", "tags"[, "security"]}, keys in that
// order, paths in the order the routes were added; hidden routes left out.
nlohmann::ordered_json openapi_document(const OpenApiInfo& info, const Router& router);

// The operationId of a route without one: method and path ("get_github_api_name").
std::string default_operation_id(const Route& route);

}  // namespace ld::web
