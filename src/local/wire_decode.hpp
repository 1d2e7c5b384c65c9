#pragma once
// Reading an AWS API request the way AWS's front ends do: the operation and its input members,
// per wire protocol (the inverse of aws/protocol*.cpp, driven by the same operation tables).
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"
#include "core/http.hpp"

namespace ld::local {

// How deeply a request's input may nest: JSON arrays and objects in a json or rest-json body,
// elements in an XML body, dotted segments in a query-protocol key. AWS's own shapes nest fewer
// than 20 levels; deeper input is refused before it is built, so nothing recurses on it.
inline constexpr std::size_t kMaxInputDepth = 100;

// A rest-json request matched to its operation, with the input read from the URI labels, the
// query and header bindings and the JSON body (or the raw payload member).
struct RestMatch {
  const aws::Operation* operation = nullptr;
  nlohmann::json input = nlohmann::json::object();
};

// Finds the operation whose method and URI template (labels, greedy labels, fixed query keys)
// match `request` (path still percent-encoded). nullopt when none does. Throws ApiError
// (SerializationException) when the body is not a JSON object or nests deeper than
// kMaxInputDepth.
std::optional<RestMatch> match_rest(const std::vector<const aws::Operation*>& operations,
                                    const HttpRequest& request);

// The form parameters of a query-protocol call (body or query string), without Action and
// Version, as nested members: `A.member.2.B=x` → {"A": [ {}, {"B": "x"} ]}, `M.entry.1.key=k`
// with `M.entry.1.value=v` → {"M": {"k": "v"}}, `L=` → {"L": []}. Scalars stay strings.
// Throws ApiError (InvalidQueryParameter) for a key of more than kMaxInputDepth segments.
nlohmann::json unflatten_query(const QueryParams& form);

// `text` parsed as JSON, or a discarded value (is_discarded()) when it is not JSON or nests
// deeper than kMaxInputDepth: the part below the limit is never built.
nlohmann::json parse_json_within_depth(std::string_view text);

// A json or rest-json request body: a JSON object nesting at most kMaxInputDepth levels, else
// ApiError (SerializationException) whose message names `what` ("the request body of Invoke").
nlohmann::json read_json_object(std::string_view body, std::string_view what);

// Whether an XML body nests at most kMaxInputDepth elements (true for a body that is no XML
// document: its reader reports that). Walks the tree without recursion.
bool xml_within_depth(std::string_view body);

// Decoded `key=value&...` pairs of a form body or query string ('+' is a space).
QueryParams parse_form(std::string_view text);

}  // namespace ld::local
