#pragma once
// Text in a decoded call's input: a query-protocol form (IAM, STS, CloudWatch) is decoded from
// percent-escapes, so its strings may hold bytes that are not UTF-8, which AWS refuses and which
// no JSON document (nor nlohmann::json::dump) can hold.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ld::local {

// The member path ("tags.1.value", in the lower camel case of AWS's validation messages) of the
// first string or map key in `input` that is not UTF-8; nullopt when all are.
std::optional<std::string> first_non_utf8_member(const nlohmann::json& input);

// "1 validation error detected: Value at '<member>' failed to satisfy constraint: Member must
// satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF…]+",
// the ValidationError AWS's query-protocol services answer for such a member.
std::string non_utf8_message(const std::string& member);

}  // namespace ld::local
