#pragma once
// Outputs of the XML protocols (query: IAM, STS, CloudWatch; rest-xml: S3) arrive without their
// shapes: every scalar is a string, a list is whatever its elements looked like (an array, one
// object, a {"member": ...} wrapper, or "" when empty). These give the fields callers read their
// real JSON types back.
#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ld::aws {

// The list a value stands for: [] for null, "" or a missing member; the items of an array; the
// items under a "member" wrapper; otherwise the value itself as the only item.
nlohmann::json xml_list(const nlohmann::json& value);

// Each named member of `object` that is present, rewritten as a list (xml_list), a number or a
// boolean. Members that are absent stay absent; values that do not parse stay as they were.
void normalize_lists(nlohmann::json& object, std::initializer_list<std::string_view> members);
// As normalize_lists, and a member that is absent becomes [] (an empty XML list has no element).
void require_lists(nlohmann::json& object, std::initializer_list<std::string_view> members);
void normalize_numbers(nlohmann::json& object, std::initializer_list<std::string_view> members);
void normalize_booleans(nlohmann::json& object, std::initializer_list<std::string_view> members);

// An IAM policy document as IAM returns it (URL-encoded JSON) decoded, and parsed when it is JSON
// (as the AWS SDKs do); text that is not JSON is returned decoded.
nlohmann::json decode_policy_document(const nlohmann::json& value);

}  // namespace ld::aws
