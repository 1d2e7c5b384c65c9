#pragma once
// Reading an AWS API request the way AWS's front ends do: the operation and its input members,
// per wire protocol (the inverse of aws/protocol*.cpp, driven by the same operation tables).
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"
#include "core/http.hpp"

namespace ld::local {

// A rest-json request matched to its operation, with the input read from the URI labels, the
// query and header bindings and the JSON body (or the raw payload member).
struct RestMatch {
  const aws::Operation* operation = nullptr;
  nlohmann::json input = nlohmann::json::object();
};

// Finds the operation whose method and URI template (labels, greedy labels, fixed query keys)
// match `request` (path still percent-encoded). nullopt when none does. Throws ApiError
// (SerializationException) when the body is not a JSON object.
std::optional<RestMatch> match_rest(const std::vector<const aws::Operation*>& operations,
                                    const HttpRequest& request);

// The form parameters of a query-protocol call (body or query string), without Action and
// Version, as nested members: `A.member.2.B=x` → {"A": [ {}, {"B": "x"} ]}, `M.entry.1.key=k`
// with `M.entry.1.value=v` → {"M": {"k": "v"}}, `L=` → {"L": []}. Scalars stay strings.
nlohmann::json unflatten_query(const QueryParams& form);

// Decoded `key=value&...` pairs of a form body or query string ('+' is a space).
QueryParams parse_form(std::string_view text);

}  // namespace ld::local
