#include "web/openapi.hpp"

#include <cctype>

#include "core/strings.hpp"
#include "web/api_key.hpp"

namespace ld::web {
namespace {

using ojson = nlohmann::ordered_json;

// "max_files" → "Max Files", as FastAPI titles parameters.
std::string title_of(std::string_view name) {
  std::string out;
  bool start = true;
  for (char c : name) {
    if (c == '_' || c == '-') {
      out += ' ';
      start = true;
    } else {
      out += start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      start = false;
    }
  }
  return out;
}

ojson validation_error_schemas() {
  ojson validation = {{"properties",
                       {{"loc",
                         {{"items", {{"anyOf", {{{"type", "string"}}, {{"type", "integer"}}}}}},
                          {"type", "array"},
                          {"title", "Location"}}},
                        {"msg", {{"type", "string"}, {"title", "Message"}}},
                        {"type", {{"type", "string"}, {"title", "Error Type"}}}}},
                      {"type", "object"},
                      {"required", {"loc", "msg", "type"}},
                      {"title", "ValidationError"}};
  ojson http_validation = {{"properties",
                            {{"detail",
                              {{"items", {{"$ref", "#/components/schemas/ValidationError"}}},
                               {"type", "array"},
                               {"title", "Detail"}}}}},
                           {"type", "object"},
                           {"title", "HTTPValidationError"}};
  return {{"HTTPValidationError", http_validation}, {"ValidationError", validation}};
}

ojson operation(const Route& route, bool secured) {
  const RouteSpec& spec = route.spec;
  ojson op = ojson::object();
  if (!spec.tag.empty()) op["tags"] = {spec.tag};
  op["summary"] = spec.summary.empty() ? title_of(default_operation_id(route)) : spec.summary;
  if (!spec.description.empty()) op["description"] = spec.description;
  op["operationId"] = spec.operation_id.empty() ? default_operation_id(route) : spec.operation_id;

  ojson parameters = ojson::array();
  std::string_view path = route.path;
  for (std::size_t open = path.find('{'); open != std::string_view::npos;
       open = path.find('{', open + 1)) {
    auto close = path.find('}', open);
    std::string name(path.substr(open + 1, close - open - 1));
    parameters.push_back({{"name", name},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", "string"}, {"title", title_of(name)}}}});
  }
  for (const auto& q : spec.query) {
    ojson schema = {{"type", json_type_name(q.type)}, {"title", title_of(q.name)}};
    if (!q.default_value.is_null()) schema["default"] = ojson::parse(q.default_value.dump());
    ojson p = {{"name", q.name}, {"in", "query"}, {"required", q.required}, {"schema", schema}};
    if (!q.description.empty()) p["description"] = q.description;
    parameters.push_back(std::move(p));
  }
  if (!parameters.empty()) op["parameters"] = std::move(parameters);

  if (!spec.body_schema.is_null()) {
    op["requestBody"] = {
        {"required", spec.body_required},
        {"content", {{"application/json", {{"schema", ojson::parse(spec.body_schema.dump())}}}}}};
  }
  ojson content_schema = spec.response_content_type == "application/json"
                             ? ojson::object()
                             : ojson{{"type", "string"}};
  ojson responses = {{"200",
                      {{"description", spec.response_description},
                       {"content", {{spec.response_content_type, {{"schema", content_schema}}}}}}}};
  if (!spec.query.empty() || !spec.body_schema.is_null()) {
    responses["400"] = {{"description", "Validation Error"},
                        {"content",
                         {{"application/json",
                           {{"schema", {{"$ref", "#/components/schemas/HTTPValidationError"}}}}}}}};
  }
  op["responses"] = std::move(responses);
  if (secured && is_api_key_exempt(route.path)) op["security"] = ojson::array();
  return op;
}

}  // namespace

std::string default_operation_id(const Route& route) {
  std::string id = to_lower(route.method);
  bool sep = true;
  for (char c : route.path) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      if (sep) id += '_';
      id += c;
      sep = false;
    } else {
      sep = true;
    }
  }
  return id;
}

nlohmann::ordered_json openapi_document(const OpenApiInfo& info, const Router& router) {
  const bool secured = !info.api_key_name.empty();
  ojson doc;
  doc["openapi"] = "3.1.0";
  doc["info"] = {{"title", info.title}, {"version", info.version}};
  if (!info.description.empty()) doc["info"]["description"] = info.description;
  ojson paths = ojson::object();
  ojson tags = ojson::array();
  for (const Route& route : router.routes()) {
    if (route.spec.hidden) continue;
    paths[route.path][to_lower(route.method)] = operation(route, secured);
    if (!route.spec.tag.empty() && std::none_of(tags.begin(), tags.end(), [&](const ojson& t) {
          return t["name"] == route.spec.tag;
        }))
      tags.push_back({{"name", route.spec.tag}});
  }
  doc["paths"] = std::move(paths);
  doc["components"] = {{"schemas", validation_error_schemas()}};
  if (secured) {
    doc["components"]["securitySchemes"] = {
        {"APIKeyHeader", {{"type", "apiKey"}, {"in", "header"}, {"name", info.api_key_name}}}};
    doc["security"] = {{{"APIKeyHeader", ojson::array()}}};
  }
  doc["tags"] = std::move(tags);
  return doc;
}

}  // namespace ld::web
