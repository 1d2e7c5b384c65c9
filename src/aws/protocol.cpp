// Dispatch of the protocol functions to the service's wire protocol.
#include "aws/protocol.hpp"

#include <exception>
#include <string>
#include <utility>

#include "aws/protocol_detail.hpp"
#include "core/strings.hpp"

namespace ld::aws {

HttpRequest serialize_request(const ServiceInfo& service, const Operation& operation,
                              const Call& call) {
  if (call.input.is_null()) {  // no input at all: an empty one
    Call empty = call;
    empty.input = json::object();
    return serialize_request(service, operation, empty);
  }
  switch (service.protocol) {
    case Protocol::RestJson:
      return detail::serialize_rest_json(service, operation, call);
    case Protocol::RestXml:
      return detail::serialize_rest_xml(service, operation, call);
    case Protocol::Json:
      return detail::serialize_json(service, operation, call);
    case Protocol::Query:
      return detail::serialize_query(service, operation, call);
  }
  throw Error(detail::describe(service, operation) + ": unknown protocol");
}

Result parse_response(const ServiceInfo& service, const Operation& operation,
                      HttpResponse response) {
  switch (service.protocol) {
    case Protocol::RestJson:
      return detail::parse_rest_json(service, operation, std::move(response));
    case Protocol::RestXml:
      return detail::parse_rest_xml(service, operation, std::move(response));
    case Protocol::Json:
      return detail::parse_json(service, operation, std::move(response));
    case Protocol::Query:
      return detail::parse_query(service, operation, std::move(response));
  }
  throw Error(detail::describe(service, operation) + ": unknown protocol");
}

AwsError parse_error(const ServiceInfo& service, const Operation& operation,
                     const HttpResponse& response) {
  try {
    // The protocol says which format to expect; a body in the other one (a proxy's page, a
    // front end's answer) is read in the format it is in.
    std::string_view body = trim(response.body);
    bool json_protocol =
        service.protocol == Protocol::RestJson || service.protocol == Protocol::Json;
    bool looks_xml = !body.empty() && body.front() == '<';
    bool looks_json = !body.empty() && body.front() == '{';
    if ((json_protocol && !looks_xml) || (!json_protocol && looks_json)) {
      return detail::parse_json_error(service, operation, response);
    }
    return detail::parse_xml_error(service, operation, response);
  } catch (const std::exception& e) {
    return AwsError(detail::code_for_status(response.status),
                    "HTTP " + std::to_string(response.status) + ": the error could not be read (" +
                        e.what() + ")",
                    response.status, {}, std::string(service.id), std::string(operation.name));
  }
}

}  // namespace ld::aws
