// rest-xml (S3): members bound to the URI, query and headers; structured payloads as XML.
#include "aws/protocol_detail.hpp"

#include <utility>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {
namespace {

constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

bool is_s3(const ServiceInfo& service) {
  return service.signing_name == "s3" || service.endpoint_prefix == "s3";
}

}  // namespace

HttpRequest serialize_rest_xml(const ServiceInfo& service, const Operation& operation,
                               const Call& call) {
  HttpRequest request;
  auto consumed = apply_http_bindings(service, operation, call.input, request);
  const std::string what = describe(service, operation);
  std::string_view xmlns = is_s3(service) ? kS3Namespace : std::string_view{};
  if (const Binding* payload = payload_binding(operation, false)) {
    std::string root(payload->name.empty() ? payload->member : payload->name);
    apply_payload(*payload, call, request, "application/xml", [&](const json& value) {
      try {
        return json_to_xml(root, value, xmlns);
      } catch (const Error& e) {
        throw Error(what + " member '" + std::string(payload->member) + "': " + e.what());
      }
    });
    return request;
  }
  // Members no binding took (not expected of S3, whose documents are payloads): one document
  // named after the operation, as botocore names an input shape without an XML name.
  json body = json::object();
  for (const auto& [key, value] : call.input.items()) {
    if (!consumed.contains(key) && !value.is_null()) body[key] = value;
  }
  if (!body.empty()) {
    try {
      request.body = json_to_xml(std::string(operation.name) + "Request", body);
    } catch (const Error& e) {
      throw Error(what + ": " + e.what());
    }
    if (!request.headers.has("Content-Type")) {
      request.headers.set("Content-Type", "application/xml");
    }
  }
  return request;
}

Result parse_rest_xml(const ServiceInfo& service, const Operation& operation,
                      HttpResponse response) {
  Result result;
  result.status = response.status;
  result.request_id = request_id_from_headers(response.headers);
  const Binding* payload = payload_binding(operation, true);
  if (payload && !operation.document_payload) {
    result.body = std::move(response.body);
  } else if (std::string_view body = trim(response.body); !body.empty()) {
    auto doc = parse_xml(body);
    if (!doc) {
      throw Error(describe(service, operation) +
                  ": the response body is not XML: " + body_excerpt(body));
    }
    // S3 answers some failures (CopyObject, CompleteMultipartUpload) with 200 and an <Error>.
    if (doc->root_name == "Error" && doc->root.is_object() && doc->root.contains("Code")) {
      throw parse_xml_error(service, operation, response);
    }
    if (payload) {
      result.output[std::string(payload->member)] = std::move(doc->root);
    } else if (doc->root.is_object()) {
      result.output = std::move(doc->root);
    }
  }
  apply_output_bindings(operation, response, result.output);
  result.headers = std::move(response.headers);
  return result;
}

}  // namespace ld::aws::detail
