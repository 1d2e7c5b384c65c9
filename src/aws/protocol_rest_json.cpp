// rest-json (Lambda): members bound to the URI, query and headers; the rest as one JSON object.
#include "aws/protocol_detail.hpp"

#include <utility>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {

HttpRequest serialize_rest_json(const ServiceInfo& service, const Operation& operation,
                                const Call& call) {
  HttpRequest request;
  auto consumed = apply_http_bindings(service, operation, call.input, request);
  const std::string what = describe(service, operation);
  if (const Binding* payload = payload_binding(operation, false)) {
    if (operation.body_members && !call.input.contains(payload->member) && call.body.empty() &&
        !call.body_file) {
      request.body = "{}";  // an absent structure payload is an empty object
      if (!request.headers.has("Content-Type"))
        request.headers.set("Content-Type", "application/json");
      return request;
    }
    apply_payload(*payload, call, request, "application/json",
                  [&](const json& value) { return dump_json(without_nulls(value), what); });
    return request;
  }
  // The body is the members no binding took: a JSON object whenever the operation has body
  // members ("{}" when none is set), no body at all when it has none.
  json body = json::object();
  bool any = operation.body_members;
  for (const auto& [key, value] : call.input.items()) {
    if (consumed.contains(key)) continue;
    any = true;
    if (!value.is_null()) body[key] = without_nulls(value);
  }
  if (any) {
    request.body = dump_json(body, what);
    if (!request.headers.has("Content-Type")) {
      request.headers.set("Content-Type", "application/json");
    }
  }
  return request;
}

Result parse_rest_json(const ServiceInfo& service, const Operation& operation,
                       HttpResponse response) {
  Result result;
  result.status = response.status;
  result.request_id = request_id_from_headers(response.headers);
  if (payload_binding(operation, true)) {
    result.body = std::move(response.body);
  } else if (std::string_view body = trim(response.body); !body.empty()) {
    json doc = json::parse(body, nullptr, false);
    if (!doc.is_object()) {
      throw Error(describe(service, operation) +
                  ": the response body is not a JSON object: " + body_excerpt(body));
    }
    result.output = output_document(std::move(doc));
  }
  apply_output_bindings(operation, response, result.output);
  result.headers = std::move(response.headers);
  return result;
}

}  // namespace ld::aws::detail
