// json 1.1 (CloudWatch Logs, SSM): POST / with X-Amz-Target; the input is the JSON body.
#include "aws/protocol_detail.hpp"

#include <utility>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {

HttpRequest serialize_json(const ServiceInfo& service, const Operation& operation,
                           const Call& call) {
  const std::string what = describe(service, operation);
  if (!call.input.is_object()) {
    throw Error(what + ": the input must be a JSON object, not " +
                std::string(call.input.type_name()));
  }
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  std::string_view version = service.json_version.empty() ? "1.1" : service.json_version;
  request.headers.set("Content-Type", "application/x-amz-json-" + std::string(version));
  request.headers.set("X-Amz-Target",
                      std::string(service.target_prefix) + "." + std::string(operation.name));
  request.body = dump_json(without_nulls(call.input), what);
  return request;
}

Result parse_json(const ServiceInfo& service, const Operation& operation, HttpResponse response) {
  Result result;
  result.status = response.status;
  result.request_id = request_id_from_headers(response.headers);
  if (std::string_view body = trim(response.body); !body.empty()) {
    json doc = json::parse(body, nullptr, false);
    if (!doc.is_object()) {
      throw Error(describe(service, operation) +
                  ": the response body is not a JSON object: " + body_excerpt(body));
    }
    result.output = output_document(std::move(doc));
  }
  result.headers = std::move(response.headers);
  return result;
}

}  // namespace ld::aws::detail
