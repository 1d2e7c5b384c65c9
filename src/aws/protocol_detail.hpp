#pragma once
// What the four wire protocols share (private to src/aws): URI templates, header and query
// bindings, scalars as text, XML <-> JSON, and the parts of an error every protocol reads.
//
// The data model, for every protocol: an input or output is a JSON object whose keys are the
// members' names as they travel on the wire (for the services in scope these are the model's
// member names). Values go on the wire as given: blobs inside documents are base64 strings the
// caller made, timestamps are written as the caller wrote them, and raw payload bytes travel in
// Call::body / Result::body. Members set to null are treated as absent.
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/client.hpp"
#include "aws/error.hpp"
#include "aws/http.hpp"
#include "aws/service.hpp"

namespace ld::aws::detail {

using nlohmann::json;

// "Lambda Invoke" as errors name an operation.
std::string describe(const ServiceInfo& service, const Operation& operation);

// A scalar (string, number, boolean) as text on the wire; throws ld::Error naming `what` for
// objects and arrays.
std::string scalar_text(const json& value, std::string_view what);

// The input members that travel outside the body: URI labels, query, headers, header maps.
// Fills method, path and query of `request` and its headers; returns the names of the input
// members it consumed (so the body can be made of the rest). Throws ld::Error naming the
// operation and member when a URI label has no value.
std::set<std::string> apply_http_bindings(const ServiceInfo& service, const Operation& operation,
                                          const json& input, HttpRequest& request);

// The Payload input binding, if the operation has one.
const Binding* payload_binding(const Operation& operation, bool output);

// Sets the body from the Payload binding: the raw bytes of Call::body / body_file when the member
// is absent, the member's text when it is a string, and otherwise a document made by
// `document` (JSON or XML). Content-Type is set unless a header binding already did.
void apply_payload(const Binding& binding, const Call& call, HttpRequest& request,
                   std::string_view document_type,
                   const std::function<std::string(const json&)>& document);

// Output members bound to headers, header maps and the status code.
void apply_output_bindings(const Operation& operation, const HttpResponse& response, json& output);

// x-amzn-RequestId or x-amz-request-id, when present.
std::string request_id_from_headers(const Headers& headers);

// Copy of `value` without null members (recursively, in objects; array items are kept).
json without_nulls(const json& value);
// A JSON response body as output: without null members and without a top-level "__type" (a
// type marker, never a member). Deeper "__type" keys are kept: they may be map keys (tags).
json output_document(json doc);

// JSON text of `value`; throws ld::Error naming `what` when a string is not valid UTF-8.
std::string dump_json(const json& value, std::string_view what);

// XML document text: <root xmlns="...">...</root>. Objects become child elements (in the JSON
// object's order, which is alphabetical), arrays repeated elements of the same name (so a list
// wrapped in <member> items is written {"List": {"member": [...]}} and S3's flattened lists
// {"Object": [...]}), scalars escaped text; nulls are skipped. Throws ld::Error for a key that
// cannot be an element name.
std::string json_to_xml(std::string_view root, const json& value, std::string_view xmlns = {});

// Parsed XML body as JSON, following the shape-less rules of the XML protocols: an element with
// no child elements is a string (its text); an element whose children are all <member> is an
// array; one whose children are all <entry><key/><value/></entry> is an object map; any other
// element with children is an object, where repeated siblings of the same name become an
// array. Namespace prefixes and attributes are ignored. Returns nullopt when the text is not XML.
struct XmlDocument {
  std::string root_name;
  json root;  // the root element converted as above (an object when it has children)
};
std::optional<XmlDocument> parse_xml(std::string_view text);

// The parts of an error every protocol reads: code, message and request id, and the fallbacks
// when the body says nothing useful.
struct ErrorParts {
  std::string code;
  std::string message;
  std::string request_id;
};
// "aws.protocoltests#FooError:http://internal.amazon.com/..." -> "FooError".
std::string sanitize_error_code(std::string_view code);
// A code for a status when the body has none: "BadRequest", "NotFound", "InternalServerError",
// "ServiceUnavailable", ... (the HTTP reason phrase without spaces), else "Http<status>".
std::string code_for_status(int status);
// Short printable excerpt of a body for messages ("<empty body>" when empty).
std::string body_excerpt(std::string_view body);
AwsError make_error(const ServiceInfo& service, const Operation& operation,
                    const HttpResponse& response, ErrorParts parts);

// JSON errors (rest-json and json 1.1): X-Amzn-ErrorType or x-amzn-query-error header, then
// body "code" or "__type"; message from "message" in any case.
AwsError parse_json_error(const ServiceInfo& service, const Operation& operation,
                          const HttpResponse& response);
// XML errors (query and rest-xml): the first <Error> element's <Code> and <Message>, wherever it
// is (<ErrorResponse><Error>, S3's root <Error>, EC2-like <Response><Errors><Error>), and
// <RequestId>/<RequestID> anywhere.
AwsError parse_xml_error(const ServiceInfo& service, const Operation& operation,
                         const HttpResponse& response);

// The per-protocol halves that protocol.cpp dispatches to (protocol_<name>.cpp). The shared
// parts above live in protocol_detail.cpp (bindings), protocol_xml.cpp and protocol_errors.cpp.
HttpRequest serialize_rest_json(const ServiceInfo& service, const Operation& operation,
                                const Call& call);
Result parse_rest_json(const ServiceInfo& service, const Operation& operation,
                       HttpResponse response);
HttpRequest serialize_rest_xml(const ServiceInfo& service, const Operation& operation,
                               const Call& call);
Result parse_rest_xml(const ServiceInfo& service, const Operation& operation,
                      HttpResponse response);
HttpRequest serialize_json(const ServiceInfo& service, const Operation& operation,
                           const Call& call);
Result parse_json(const ServiceInfo& service, const Operation& operation, HttpResponse response);
HttpRequest serialize_query(const ServiceInfo& service, const Operation& operation,
                            const Call& call);
Result parse_query(const ServiceInfo& service, const Operation& operation, HttpResponse response);

// Query-form pairs of `input` flattened under `prefix`: objects as "Parent.Child", arrays as
// "Parent.member.N" (1-based; an empty array is "Parent="), scalars as text; nulls skipped.
void flatten_query(const std::string& prefix, const json& value, QueryParams& out);

}  // namespace ld::aws::detail
