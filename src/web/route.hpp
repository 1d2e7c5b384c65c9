#pragma once
// What a route declares about itself: enough to validate its parameters and to describe it in
// the OpenAPI document, plus the code that answers it.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "web/request.hpp"
#include "web/response.hpp"

namespace ld::web {

class Params;

// The JSON type a query parameter's text is converted to.
enum class ParamType { String, Integer, Number, Boolean };

// One declared query parameter ("?owner=octocat").
struct QueryParam {
  std::string name{};
  ParamType type = ParamType::String;
  bool required = false;
  nlohmann::json default_value{};  // null: no default
  std::string description{};
};

// Everything a route says about itself besides its method, path and code.
struct RouteSpec {
  std::string summary{};
  std::string description{};
  std::string tag{};
  std::string operation_id{};  // generated from method and path when empty
  std::vector<QueryParam> query{};
  nlohmann::json body_schema{};  // JSON Schema of a JSON request body; null: no body
  bool body_required = true;
  // false: the handler reads request.body itself (form or JSON); body_schema only documents it.
  bool validate_body = true;
  std::string response_content_type = "application/json";
  std::string response_description = "Successful Response";
  bool hidden = false;  // left out of the OpenAPI document (/docs, /openapi.json)
};

// The code of a route: the request and its validated parameters in, a response out. May throw:
// ValidationError becomes 400, anything else 500.
using RouteHandler = std::function<Response(Request&, const Params&)>;

// One method on one path pattern ("/github-api/{name}").
struct Route {
  std::string method;  // upper case
  std::string path;
  RouteSpec spec;
  RouteHandler handler;
};

// Human name for a type as JSON Schema spells it ("integer").
const char* json_type_name(ParamType type);

}  // namespace ld::web
