// Every request the deployer sends is checked against the official API models (botocore
// service-2.json, read in place from <conformance>/models/<service>/): the operation exists, every
// required member of its input is present where the protocol puts it (URI label, query string,
// header, JSON body, query form, XML payload), and every member sent is one the input shape has,
// with a value of the member's type, within its enum, length and range.
//
// The requests are recorded at the Transport seam while the library deploys, against an
// in-process local endpoint, the GitHub Digest service (lambdeploy.toml) and the example `hello`
// (examples/hello/lambdeploy.toml, which ships a dependency layer), both to stage dev; then both
// are prepared and applied a second time: those plans must be empty and every call of that run
// read-only (a deploy with nothing changed makes no mutating call).
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <pugixml.hpp>

#include "aws/protocol.hpp"
#include "aws/services/cloudwatch.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/transport.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "deploy/apply.hpp"
#include "deploy/clients.hpp"
#include "deploy/config.hpp"
#include "deploy/prepare.hpp"
#include "local/endpoint.hpp"
#include "local/local_client.hpp"
#include "support/conformance.hpp"
#include "support/deploy_harness.hpp"
#include "support/model.hpp"
#include "support/recording_transport.hpp"
#include "support/temp_dir.hpp"

namespace ld::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- what is newer than the models -------------------------------------------------------------

// The models here are botocore 1.29.27 (December 2022). What AWS added to the API since then is
// not in them. Each member or enum value the deployer must send that the models do not know is
// listed here with the reason; nothing else is let through, and every entry must still be used
// (AFirstDeployUsesEveryStepOfTheDesign checks that), so the lists cannot go stale.

// A member of an operation's input newer than the model. `member` is the path from the input.
struct NewerMember {
  std::string_view service;  // the model folder
  std::string_view operation;
  std::string_view member;
  std::string_view why;
};

constexpr NewerMember kNewerMembers[] = {
    // The exception the design names (section 2, step 8). Since October 2025 AWS requires, for a
    // public Function URL, a second resource-policy statement granting lambda:InvokeFunction with
    // the condition lambda:InvokedViaFunctionUrl; AddPermission's boolean InvokedViaFunctionUrl
    // (2025) is how that statement is made.
    {"lambda", "AddPermission", "InvokedViaFunctionUrl",
     "2025: the lambda:InvokeFunction grant a public Function URL needs since October 2025"},
};

// An enum value newer than the model, by the model's shape name.
struct NewerEnumValue {
  std::string_view service;
  std::string_view shape;
  std::string_view value;
  std::string_view why;
};

constexpr NewerEnumValue kNewerEnumValues[] = {
    // Not foreseen by the brief: the OS-only runtime on Amazon Linux 2023 (November 2023), the
    // design's runtime; the 2022 model's Runtime enum stops at provided.al2. Used by CreateFunction
    // (Runtime) and PublishLayerVersion (CompatibleRuntimes).
    {"lambda", "Runtime", "provided.al2023",
     "November 2023: the Amazon Linux 2023 OS-only runtime"},
};

const NewerMember* newer_member(std::string_view service, std::string_view operation,
                                std::string_view member) {
  for (const NewerMember& m : kNewerMembers)
    if (m.service == service && m.operation == operation && m.member == member) return &m;
  return nullptr;
}

const NewerEnumValue* newer_enum_value(std::string_view service, std::string_view shape,
                                       std::string_view value) {
  for (const NewerEnumValue& e : kNewerEnumValues)
    if (e.service == service && e.shape == shape && e.value == value) return &e;
  return nullptr;
}

// ---- the recorded requests, named --------------------------------------------------------------

// One recorded request, with what it was found to be and what is wrong with it.
struct Checked {
  std::string service;    // model folder: lambda s3 iam sts logs cloudwatch ssm ("" unknown)
  std::string operation;  // the model's operation name ("" unknown)
  std::string line;       // "POST /2015-03-31/functions/…" for messages
  std::vector<std::string> problems;
  // What was let through as newer than the model: "member lambda AddPermission
  // InvokedViaFunctionUrl", "enum lambda Runtime provided.al2023".
  std::set<std::string> newer_used;
  // Shapes whose pattern std::regex could not check here ("lambda FunctionName").
  std::set<std::string> patterns_not_checked;
};

// The SigV4 service of `request`'s Authorization header ("" when unsigned).
std::string signing_service(const HttpRequest& request) {
  const std::string authorization = request.headers.get("Authorization").value_or("");
  const auto at = authorization.find("Credential=");
  if (at == std::string::npos) return "";
  const auto end = authorization.find_first_of(", ", at);
  const std::vector<std::string> scope =
      split(authorization.substr(at + 11, end == std::string::npos ? end : end - at - 11), '/');
  // AK / date / region / service / aws4_request
  if (scope.size() != 5 || scope[4] != "aws4_request") return "";
  return scope[3];
}

std::string model_folder(const std::string& signing_name) {
  static const std::map<std::string, std::string> folders{{"lambda", "lambda"},
                                                          {"s3", "s3"},
                                                          {"iam", "iam"},
                                                          {"sts", "sts"},
                                                          {"logs", "logs"},
                                                          {"ssm", "ssm"},
                                                          {"monitoring", "cloudwatch"}};
  auto it = folders.find(signing_name);
  return it == folders.end() ? "" : it->second;
}

QueryParams parse_form(std::string_view body) {
  QueryParams pairs;
  for (const std::string& part : split(body, '&')) {
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (eq == std::string::npos)
      pairs.emplace_back(uri_decode(part, true), "");
    else
      pairs.emplace_back(uri_decode(part.substr(0, eq), true),
                         uri_decode(part.substr(eq + 1), true));
  }
  return pairs;
}

std::string shown(std::string_view value) {
  std::string text(value.substr(0, 80));
  if (value.size() > 80) text += "… (" + std::to_string(value.size()) + " bytes)";
  return "'" + text + "'";
}

std::string shown_json(const json& value) {
  return value.is_string() ? shown(value.get<std::string>()) : shown(value.dump());
}

std::string joined(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

std::string wire_name(const ModelMember& m) {
  return m.location_name.empty() ? m.name : m.location_name;
}

// Characters as AWS counts a string's length (code points; UTF-8 continuation bytes not counted).
std::size_t characters(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// A model pattern as a std::regex, or nullptr when ECMAScript cannot read it as the model means
// it (Java's \p{…} classes, inline flags and look-behind; \uXXXX ranges beyond ASCII).
const std::regex* model_regex(const std::string& pattern) {
  static std::map<std::string, std::optional<std::regex>> compiled;
  auto it = compiled.find(pattern);
  if (it == compiled.end()) {
    std::optional<std::regex> re;
    const bool java_only =
        pattern.find("\\p{") != std::string::npos || pattern.find("\\P{") != std::string::npos ||
        pattern.find("(?<") != std::string::npos ||
        std::regex_search(pattern, std::regex(R"(\(\?[a-zA-Z])")) ||
        pattern.find("\\u") != std::string::npos || pattern.find("\\z") != std::string::npos ||
        pattern.find("\\A") != std::string::npos;
    if (!java_only) {
      try {
        re.emplace(pattern, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        re.reset();
      }
    }
    it = compiled.emplace(pattern, std::move(re)).first;
  }
  return it->second ? &*it->second : nullptr;
}

// Checks values against shapes of one operation's model, collecting what is wrong in `out`.
class ShapeCheck {
 public:
  ShapeCheck(const ServiceModel& model, Checked& out) : model_(model), out_(out) {}

  void problem(const std::string& path, const std::string& what) {
    out_.problems.push_back(out_.service + " " + out_.operation + ": member " +
                            (path.empty() ? "(input)" : path) + ": " + what);
  }

  // A member the shape does not have: allowed only when kNewerThanTheModels lists it.
  void unknown(const std::string& path, const std::string& where, const std::string& shape,
               const std::string& value) {
    if (newer_member(out_.service, out_.operation, path)) {
      out_.newer_used.insert("member " + out_.service + " " + out_.operation + " " + path);
      return;
    }
    problem(path, "not a member of " + shape + " in the model (sent in the " + where + ", value " +
                      value + ")");
  }

  // `value`: a JSON body's value (text = false), or a tree whose leaves are the strings of a
  // query form or an XML document (text = true; lists are arrays, maps arrays of {key, value}).
  void value(const ModelShape& shape, const json& v, const std::string& path, bool text) {
    const std::string& t = shape.type;
    if (v.is_null()) {
      problem(path, "null (or a gap in a list) where " + shape.name + " (" + t + ") is expected");
      return;
    }
    if (t == "structure") {
      structure(shape, v, path, text, /*body_only=*/false);
    } else if (t == "list") {
      if (!v.is_array())
        return problem(path, "expected a list (" + shape.name + "), got " + shown_json(v));
      count(shape, v.size(), path, "items");
      const ModelShape& element = model_.shape(shape.member_shape);
      for (std::size_t i = 0; i < v.size(); ++i)
        value(element, v[i], path + "[" + std::to_string(i) + "]", text);
    } else if (t == "map") {
      check_map(shape, v, path, text);
    } else if (text) {
      if (!v.is_string()) return problem(path, "expected a scalar, got " + shown_json(v));
      scalar_text(shape, v.get<std::string>(), path, TextPlace::Form);
    } else {
      scalar_json(shape, v, path);
    }
  }

  // A structure. `body_only`: the input of a rest operation, whose members bound to the URI,
  // query or headers are not in the body (checked elsewhere).
  void structure(const ModelShape& shape, const json& v, const std::string& path, bool text,
                 bool body_only) {
    if (!v.is_object())
      return problem(path, "expected a structure (" + shape.name + "), got " + shown_json(v));
    for (const auto& [key, child] : v.items()) {
      const ModelMember* member = nullptr;
      for (const ModelMember& m : shape.members)
        if (wire_name(m) == key && (!body_only || m.location.empty())) member = &m;
      if (member == nullptr && body_only) {
        for (const ModelMember& m : shape.members)
          if (m.name == key && !m.location.empty())
            problem(joined(path, key), "is bound to the " + m.location + " (" + wire_name(m) +
                                           "), but was sent in the body");
      }
      if (member == nullptr) {
        unknown(joined(path, key), text ? "form or document" : "JSON body", shape.name,
                shown_json(child));
        continue;
      }
      value(model_.shape(member->shape), child, joined(path, member->name), text);
    }
    for (const ModelMember& m : shape.members) {
      if (!m.required || (body_only && !m.location.empty()) || m.name == shape.payload) continue;
      if (!v.contains(wire_name(m)))
        problem(joined(path, m.name), "required by " + shape.name + " but not sent");
    }
  }

  enum class TextPlace { Form, Uri, Query, Header };

  // A scalar written as text: a query form value, a URI label, a query parameter, a header.
  void scalar_text(const ModelShape& shape, const std::string& s, const std::string& path,
                   TextPlace place) {
    const std::string& t = shape.type;
    if (t == "string") {
      check_string(shape, s, path);
    } else if (t == "boolean") {
      if (s != "true" && s != "false") problem(path, "expected true or false, got " + shown(s));
    } else if (t == "integer" || t == "long") {
      long long n = 0;
      const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        return problem(path, "expected an integer (" + t + "), got " + shown(s));
      range(shape, static_cast<double>(n), path);
    } else if (t == "double" || t == "float") {
      char* end = nullptr;
      const double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size())
        return problem(path, "expected a number (" + t + "), got " + shown(s));
      range(shape, d, path);
    } else if (t == "blob") {
      blob(shape, s, path);
    } else if (t == "timestamp") {
      static const std::regex iso(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
      static const std::regex epoch(R"(\d+(\.\d+)?)");
      static const std::regex http_date(
          R"([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)");
      const bool ok = std::regex_match(s, iso) || std::regex_match(s, epoch) ||
                      (place == TextPlace::Header && std::regex_match(s, http_date));
      if (!ok) problem(path, "expected a timestamp, got " + shown(s));
    } else {
      problem(path, "a " + t + " (" + shape.name + ") cannot be sent as text " + shown(s));
    }
  }

 private:
  void scalar_json(const ModelShape& shape, const json& v, const std::string& path) {
    const std::string& t = shape.type;
    if (t == "string") {
      if (!v.is_string()) return problem(path, "expected a string, got " + shown_json(v));
      check_string(shape, v.get<std::string>(), path);
    } else if (t == "boolean") {
      if (!v.is_boolean()) problem(path, "expected a boolean, got " + shown_json(v));
    } else if (t == "integer" || t == "long") {
      if (!v.is_number_integer())
        return problem(path, "expected an integer (" + t + "), got " + shown_json(v));
      range(shape, v.get<double>(), path);
    } else if (t == "double" || t == "float") {
      if (!v.is_number())
        return problem(path, "expected a number (" + t + "), got " + shown_json(v));
      range(shape, v.get<double>(), path);
    } else if (t == "blob") {
      if (!v.is_string())
        return problem(path, "expected a base64 string (blob), got " + shown_json(v));
      blob(shape, v.get<std::string>(), path);
    } else if (t == "timestamp") {
      // The JSON protocols send timestamps as epoch seconds.
      if (!v.is_number()) problem(path, "expected epoch seconds (timestamp), got " + shown_json(v));
    } else {
      problem(path, "unknown shape type " + t + " of " + shape.name);
    }
  }

  void check_map(const ModelShape& shape, const json& v, const std::string& path, bool text) {
    const ModelShape& key_shape = model_.shape(shape.key_shape);
    const ModelShape& value_shape = model_.shape(shape.value_shape);
    if (text) {  // entries as the form or document gave them
      if (!v.is_array()) return problem(path, "expected map entries, got " + shown_json(v));
      count(shape, v.size(), path, "entries");
      for (std::size_t i = 0; i < v.size(); ++i) {
        const json& entry = v[i];
        const std::string at = path + "[" + std::to_string(i) + "]";
        if (!entry.is_object() || !entry.contains("key") || !entry.contains("value") ||
            !entry["key"].is_string()) {
          problem(at, "a map entry needs a key and a value, got " + shown_json(entry));
          continue;
        }
        check_string(key_shape, entry["key"].get<std::string>(), at + ".key");
        value(value_shape, entry["value"], at + "." + entry["key"].get<std::string>(), text);
      }
      return;
    }
    if (!v.is_object())
      return problem(path, "expected a map (" + shape.name + "), got " + shown_json(v));
    count(shape, v.size(), path, "entries");
    for (const auto& [key, child] : v.items()) {
      if (key_shape.type == "string")
        check_string(key_shape, key, path + " (key " + shown(key) + ")");
      value(value_shape, child, path + "." + key, text);
    }
  }

  void check_string(const ModelShape& shape, const std::string& s, const std::string& path) {
    if (!shape.enum_values.empty() && std::find(shape.enum_values.begin(), shape.enum_values.end(),
                                                s) == shape.enum_values.end()) {
      if (newer_enum_value(out_.service, shape.name, s)) {
        out_.newer_used.insert("enum " + out_.service + " " + shape.name + " " + s);
      } else {
        problem(path, shown(s) + " is not one of " + shape.name + "'s values (" +
                          join(shape.enum_values, ", ") + ")");
      }
    }
    const auto n = static_cast<long long>(characters(s));
    if (shape.min && n < *shape.min)
      problem(path, shown(s) + " is shorter than " + shape.name + "'s minimum " +
                        std::to_string(*shape.min));
    if (shape.max && n > *shape.max)
      problem(path, shown(s) + " (" + std::to_string(n) + " characters) is longer than " +
                        shape.name + "'s maximum " + std::to_string(*shape.max));
    // Patterns are checked where ECMAScript reads them as the model means them, on values short
    // enough for std::regex's recursive matcher (policy documents are not).
    if (!shape.pattern.empty()) {
      const std::regex* re = s.size() <= 4096 ? model_regex(shape.pattern) : nullptr;
      if (re == nullptr) {
        out_.patterns_not_checked.insert(out_.service + " " + shape.name);
      } else if (!std::regex_search(s, *re)) {
        problem(path, shown(s) + " does not match " + shape.name + "'s pattern " + shape.pattern);
      }
    }
  }

  void blob(const ModelShape& shape, const std::string& s, const std::string& path) {
    const std::optional<std::string> bytes = base64_decode(s);
    if (!bytes) return problem(path, "a blob must be base64; got " + shown(s));
    if (shape.min && static_cast<long long>(bytes->size()) < *shape.min)
      problem(path, "blob shorter than " + shape.name + "'s minimum");
    if (shape.max && static_cast<long long>(bytes->size()) > *shape.max)
      problem(path, "blob of " + std::to_string(bytes->size()) + " bytes is longer than " +
                        shape.name + "'s maximum " + std::to_string(*shape.max));
  }

  void range(const ModelShape& shape, double n, const std::string& path) {
    if (shape.min && n < static_cast<double>(*shape.min))
      problem(path, std::to_string(n) + " is below " + shape.name + "'s minimum " +
                        std::to_string(*shape.min));
    if (shape.max && n > static_cast<double>(*shape.max))
      problem(path, std::to_string(n) + " is above " + shape.name + "'s maximum " +
                        std::to_string(*shape.max));
  }

  void count(const ModelShape& shape, std::size_t n, const std::string& path, const char* what) {
    const auto count = static_cast<long long>(n);
    if (shape.min && count < *shape.min)
      problem(path, std::to_string(n) + " " + what + ", fewer than " + shape.name + "'s minimum " +
                        std::to_string(*shape.min));
    if (shape.max && count > *shape.max)
      problem(path, std::to_string(n) + " " + what + ", more than " + shape.name + "'s maximum " +
                        std::to_string(*shape.max));
  }

  const ServiceModel& model_;
  Checked& out_;
};

// ---- query protocol: the form back into a tree -------------------------------------------------

// Puts form key `parts[i..]` = `text` into `node` following `shape`: structures by member (wire)
// name, lists as Name.member.N (Name.N flattened), maps as Name.entry.N.key / .value.
void place_form(const ServiceModel& model, ShapeCheck& check, json& node, const ModelShape& shape,
                const std::vector<std::string>& parts, std::size_t i, const std::string& text,
                const std::string& path, const std::string& key) {
  if (i == parts.size()) {
    if (shape.type == "list" && text.empty()) {  // Name= is the empty list
      if (node.is_null()) node = json::array();
      return;
    }
    if (shape.type == "structure" || shape.type == "list" || shape.type == "map")
      return check.problem(
          path, "form key " + key + " stops at a " + shape.type + " (" + shape.name + ")");
    if (!node.is_null()) return check.problem(path, "form key " + key + " given twice");
    node = text;
    return;
  }
  if (shape.type == "structure") {
    const ModelMember* member = nullptr;
    for (const ModelMember& m : shape.members)
      if (wire_name(m) == parts[i]) member = &m;
    if (member == nullptr)
      return check.unknown(joined(path, parts[i]), "query form (" + key + ")", shape.name,
                           shown(text));
    if (node.is_null()) node = json::object();
    place_form(model, check, node[wire_name(*member)], model.shape(member->shape), parts, i + 1,
               text, joined(path, member->name), key);
    return;
  }
  if (shape.type == "list" || shape.type == "map") {
    std::size_t j = i;
    if (!shape.flattened) {
      const std::string wrapper = shape.type == "map"                  ? "entry"
                                  : shape.member_location_name.empty() ? "member"
                                                                       : shape.member_location_name;
      if (parts[j] != wrapper)
        return check.problem(path,
                             "form key " + key + ": expected ." + wrapper + ". in a " + shape.type);
      ++j;
    }
    std::size_t index = 0;
    const std::string& digits = j < parts.size() ? parts[j] : std::string();
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (ec != std::errc() || end != digits.data() + digits.size() || index == 0)
      return check.problem(path, "form key " + key + ": expected a 1-based index");
    if (node.is_null()) node = json::array();
    if (!node.is_array()) return check.problem(path, "form key " + key + " mixes shapes");
    while (node.size() < index) node.push_back(nullptr);
    json& item = node[index - 1];
    const std::string at = path + "[" + std::to_string(index - 1) + "]";
    if (shape.type == "list") {
      place_form(model, check, item, model.shape(shape.member_shape), parts, j + 1, text, at, key);
      return;
    }
    if (j + 1 >= parts.size() || (parts[j + 1] != "key" && parts[j + 1] != "value"))
      return check.problem(path, "form key " + key + ": a map entry has .key and .value");
    if (item.is_null()) item = json::object();
    if (parts[j + 1] == "key") {
      item["key"] = text;
    } else {
      place_form(model, check, item["value"], model.shape(shape.value_shape), parts, j + 2, text,
                 at + ".value", key);
    }
    return;
  }
  check.problem(path, "form key " + key + " goes below a " + shape.type + " (" + shape.name + ")");
}

// ---- rest-xml: a payload document back into a tree ---------------------------------------------

json xml_tree(const ServiceModel& model, ShapeCheck& check, const pugi::xml_node& node,
              const ModelShape& shape, const std::string& path) {
  if (shape.type == "structure") {
    json object = json::object();
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      const ModelMember* member = nullptr;
      for (const ModelMember& m : shape.members)
        if (wire_name(m) == child.name()) member = &m;
      if (member == nullptr) {
        check.unknown(joined(path, child.name()), "XML document", shape.name,
                      shown(std::string(child.child_value())));
        continue;
      }
      const ModelShape& ms = model.shape(member->shape);
      const std::string at = joined(path, member->name);
      if ((ms.type == "list" || ms.type == "map") && ms.flattened) {
        json& list = object[wire_name(*member)];
        if (list.is_null()) list = json::array();
        if (ms.type == "list") {
          list.push_back(xml_tree(model, check, child, model.shape(ms.member_shape), at));
        } else {
          list.push_back({{"key", child.child_value("key")},
                          {"value", xml_tree(model, check, child.child("value"),
                                             model.shape(ms.value_shape), at)}});
        }
      } else {
        object[wire_name(*member)] = xml_tree(model, check, child, ms, at);
      }
    }
    return object;
  }
  if (shape.type == "list" || shape.type == "map") {
    json list = json::array();
    const std::string element_name = shape.type == "map" ? "entry"
                                     : shape.member_location_name.empty()
                                         ? "member"
                                         : shape.member_location_name;
    for (const pugi::xml_node& child : node.children()) {
      if (child.type() != pugi::node_element) continue;
      if (element_name != child.name()) {
        check.problem(path, "XML element <" + std::string(child.name()) + "> where <" +
                                element_name + "> is expected");
        continue;
      }
      if (shape.type == "list") {
        list.push_back(xml_tree(model, check, child, model.shape(shape.member_shape), path));
      } else {
        list.push_back({{"key", child.child_value("key")},
                        {"value", xml_tree(model, check, child.child("value"),
                                           model.shape(shape.value_shape), path)}});
      }
    }
    return list;
  }
  return std::string(node.child_value());
}

// ---- one request against its model -------------------------------------------------------------

// A request URI template ("/{Bucket}/{Key+}?list-type=2") matched against a request's path.
struct UriMatch {
  bool matched = false;
  int literals = 0;                           // literal segments (more: more specific)
  std::map<std::string, std::string> labels;  // label → decoded value
  std::vector<std::pair<std::string, std::string>> fixed_query;  // from the template
};

UriMatch match_uri(const std::string& request_uri, const HttpRequest& request) {
  UriMatch out;
  std::string path_template = request_uri;
  if (auto q = path_template.find('?'); q != std::string::npos) {
    for (const std::string& part : split(path_template.substr(q + 1), '&')) {
      if (part.empty()) continue;
      const auto eq = part.find('=');
      out.fixed_query.emplace_back(part.substr(0, eq),
                                   eq == std::string::npos ? "" : part.substr(eq + 1));
    }
    path_template.resize(q);
  }
  for (const auto& [key, value] : out.fixed_query) {
    const bool present = std::any_of(request.query.begin(), request.query.end(),
                                     [&](auto& p) { return p.first == key && p.second == value; });
    if (!present) return out;
  }
  const std::vector<std::string> want = split(path_template, '/');
  const std::vector<std::string> have = split(request.path, '/');
  std::size_t h = 0;
  for (std::size_t w = 0; w < want.size(); ++w) {
    const std::string& segment = want[w];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      std::string label = segment.substr(1, segment.size() - 2);
      if (label.ends_with('+')) {  // greedy: the rest of the path, at least one segment
        label.pop_back();
        if (w + 1 != want.size() || h >= have.size()) return out;
        std::vector<std::string> rest(have.begin() + static_cast<std::ptrdiff_t>(h), have.end());
        out.labels[label] = uri_decode(join(rest, "/"));
        h = have.size();
        continue;
      }
      if (h >= have.size() || have[h].empty()) return out;
      out.labels[label] = uri_decode(have[h++]);
      continue;
    }
    if (h >= have.size() || have[h] != segment) return out;
    ++h;
    if (!segment.empty()) ++out.literals;
  }
  out.matched = h == have.size();
  return out;
}

// The operation a rest request is: the model's operation whose method and URI template match,
// the most specific (literal segments, then fixed query keys, then all required headers there).
std::string rest_operation(const nlohmann::ordered_json& operations, const ServiceModel& model,
                           const HttpRequest& request, std::string& ambiguity) {
  struct Candidate {
    std::string name;
    int literals, fixed, headers_present;
  };
  std::vector<Candidate> candidates;
  for (const auto& [name, spec] : operations.items()) {
    const ModelOperation* op = model.operation(name);
    if (op == nullptr || op->method != request.method) continue;
    const UriMatch m = match_uri(op->request_uri, request);
    if (!m.matched) continue;
    // Operations sharing a method and URI (PutObject, CopyObject, UploadPart) differ in the
    // headers and query parameters they require.
    int headers_present = 1;
    if (!op->input_shape.empty()) {
      for (const ModelMember& member : model.shape(op->input_shape).members) {
        if (!member.required) continue;
        const std::string wire = wire_name(member);
        if (member.location == "header" && !request.headers.has(wire)) headers_present = 0;
        if (member.location == "querystring" &&
            std::none_of(request.query.begin(), request.query.end(),
                         [&](const auto& p) { return p.first == wire; }))
          headers_present = 0;
      }
    }
    candidates.push_back(
        {name, m.literals, static_cast<int>(m.fixed_query.size()), headers_present});
  }
  if (candidates.empty()) return "";
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.headers_present, a.literals, a.fixed) >
           std::tie(b.headers_present, b.literals, b.fixed);
  });
  if (candidates.size() > 1 &&
      std::tie(candidates[0].headers_present, candidates[0].literals, candidates[0].fixed) ==
          std::tie(candidates[1].headers_present, candidates[1].literals, candidates[1].fixed))
    ambiguity = candidates[0].name + " or " + candidates[1].name;
  return candidates.front().name;
}

// The operations of a model in its own order (for rest matching).
const nlohmann::ordered_json& model_operations(const std::string& folder) {
  static std::map<std::string, nlohmann::ordered_json> loaded;
  auto it = loaded.find(folder);
  if (it == loaded.end()) {
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(
        read_file(conformance_dir() / "models" / folder / "service-2.json"));
    it = loaded.emplace(folder, doc["operations"]).first;
  }
  return it->second;
}

void check_rest(const ServiceModel& model, const ModelOperation& op, const HttpRequest& request,
                Checked& out, bool xml) {
  ShapeCheck check(model, out);
  const UriMatch uri = match_uri(op.request_uri, request);
  const ModelShape* input = op.input_shape.empty() ? nullptr : &model.shape(op.input_shape);
  const std::string input_name = input ? input->name : "(no input)";

  // URI labels.
  for (const auto& [label, text] : uri.labels) {
    const ModelMember* member = nullptr;
    if (input)
      for (const ModelMember& m : input->members)
        if (m.location == "uri" && wire_name(m) == label) member = &m;
    if (member == nullptr) {
      check.problem(label, "URI label {" + label + "} has no member in the model");
      continue;
    }
    if (text.empty()) check.problem(member->name, "URI label {" + label + "} is empty");
    check.scalar_text(model.shape(member->shape), text, member->name, ShapeCheck::TextPlace::Uri);
  }

  // Query parameters: the template's fixed ones, or members bound to the query string.
  std::set<std::string> query_keys;
  for (const auto& [key, text] : request.query) {
    query_keys.insert(key);
    const bool fixed = std::any_of(uri.fixed_query.begin(), uri.fixed_query.end(),
                                   [&](const auto& p) { return p.first == key; });
    if (fixed) continue;
    const ModelMember* member = nullptr;
    if (input)
      for (const ModelMember& m : input->members)
        if (m.location == "querystring" && wire_name(m) == key) member = &m;
    if (member == nullptr) {
      check.unknown(key, "query string", input_name, shown(text));
      continue;
    }
    const ModelShape& shape = model.shape(member->shape);
    if (shape.type == "map") continue;  // a map bound to the query string takes any key
    check.scalar_text(shape.type == "list" ? model.shape(shape.member_shape) : shape, text,
                      member->name, ShapeCheck::TextPlace::Query);
  }

  if (input) {
    for (const ModelMember& m : input->members) {
      if (m.location == "querystring" && m.required && !query_keys.count(wire_name(m)))
        check.problem(m.name,
                      "required, bound to query parameter " + wire_name(m) + ", but not sent");
      if (m.location == "header") {
        const std::optional<std::string> text = request.headers.get(wire_name(m));
        if (!text) {
          if (m.required)
            check.problem(m.name, "required, bound to header " + wire_name(m) + ", but not sent");
          continue;
        }
        const ModelShape& shape = model.shape(m.shape);
        if (shape.type != "list")
          check.scalar_text(shape, *text, m.name, ShapeCheck::TextPlace::Header);
      }
      if (m.location == "headers") {
        const ModelShape& value_shape = model.shape(model.shape(m.shape).value_shape);
        for (const auto& field : request.headers)
          if (starts_with_icase(field.name, wire_name(m)))
            check.scalar_text(value_shape, field.value,
                              m.name + "." + field.name.substr(wire_name(m).size()),
                              ShapeCheck::TextPlace::Header);
      }
      if (m.location == "uri" && !uri.labels.count(wire_name(m)))
        check.problem(m.name, "bound to URI label {" + wire_name(m) + "}, which the path lacks");
    }
  }

  // The body: a payload member (raw bytes, or one document of a structure), or rest-json's
  // object of the unbound members.
  const bool has_body = !request.body.empty() || request.body_file.has_value();
  const ModelMember* payload =
      input && !input->payload.empty() ? input->member(input->payload) : nullptr;
  if (payload) {
    const ModelShape& shape = model.shape(payload->shape);
    if (shape.type != "structure") {
      if (payload->required && !has_body)
        check.problem(payload->name, "required (the request body), but the body is empty");
      return;
    }
    if (request.body.empty()) {
      if (payload->required)
        check.problem(payload->name, "required (the request body), but the body is empty");
      return;
    }
    if (xml) {
      pugi::xml_document doc;
      if (!doc.load_buffer(request.body.data(), request.body.size()))
        return check.problem(payload->name, "the body is not XML: " + shown(request.body));
      const pugi::xml_node root = doc.document_element();
      if (wire_name(*payload) != root.name())
        check.problem(payload->name, "XML root <" + std::string(root.name()) +
                                         ">, the model says <" + wire_name(*payload) + ">");
      check.value(shape, xml_tree(model, check, root, shape, payload->name), payload->name,
                  /*text=*/true);
    } else {
      const json body = json::parse(request.body, nullptr, false);
      check.value(shape, body, payload->name, /*text=*/false);
    }
    return;
  }
  if (xml) {
    if (has_body) check.problem("", "a body " + shown(request.body) + " where the model has none");
    return;
  }
  json body = json::object();
  if (!request.body.empty()) {
    body = json::parse(request.body, nullptr, false);
    if (!body.is_object())
      return check.problem("", "the body is not a JSON object: " + shown(request.body));
  }
  if (input) {
    check.structure(*input, body, "", /*text=*/false, /*body_only=*/true);
  } else if (!body.empty()) {
    check.problem("", "a body " + shown(request.body) + " for an operation without input");
  }
}

Checked check_request(const HttpRequest& request) {
  Checked out;
  out.line = request.method + " " + request.path +
             (request.query.empty() ? "" : "?" + request.query_string());
  const std::string signing = signing_service(request);
  out.service = model_folder(signing);
  if (out.service.empty()) {
    out.problems.push_back(out.line + ": no known service in the credential scope (signing name '" +
                           signing + "')");
    return out;
  }
  const ServiceModel& model = service_model(out.service);
  const std::string protocol = model.metadata_string("protocol");
  QueryParams form;
  if (protocol == "json") {
    const std::string target = request.headers.get("X-Amz-Target").value_or("");
    const std::string prefix = model.metadata_string("targetPrefix") + ".";
    if (!target.starts_with(prefix)) {
      out.problems.push_back(out.service + " " + out.line + ": X-Amz-Target " + shown(target) +
                             " does not start with " + prefix);
      return out;
    }
    out.operation = target.substr(prefix.size());
    const std::string content_type = request.headers.get("Content-Type").value_or("");
    const std::string expected = "application/x-amz-json-" + model.metadata_string("jsonVersion");
    if (content_type != expected)
      out.problems.push_back(out.service + " " + out.operation + ": Content-Type " +
                             shown(content_type) + ", the model's protocol wants " + expected);
  } else if (protocol == "query") {
    form = parse_form(request.body);
    for (const auto& [key, value] : form)
      if (key == "Action") out.operation = value;
    if (out.operation.empty()) {
      out.problems.push_back(out.service + " " + out.line + ": a query request without Action");
      return out;
    }
  } else {
    std::string ambiguity;
    out.operation = rest_operation(model_operations(out.service), model, request, ambiguity);
    if (out.operation.empty()) {
      out.problems.push_back(out.service + " " + out.line +
                             ": no operation of the model has this method and URI");
      return out;
    }
    if (!ambiguity.empty())
      out.problems.push_back(out.service + " " + out.line + ": could be " + ambiguity);
  }
  const ModelOperation* op = model.operation(out.operation);
  if (op == nullptr) {
    out.problems.push_back(out.service + " " + out.operation + ": the model has no such operation");
    return out;
  }
  if (op->method != request.method && protocol != "rest-json" && protocol != "rest-xml")
    out.problems.push_back(out.service + " " + out.operation + ": sent as " + request.method +
                           ", the model says " + op->method);
  const ModelShape* input = op->input_shape.empty() ? nullptr : &model.shape(op->input_shape);
  ShapeCheck check(model, out);

  if (protocol == "json") {
    const json body =
        request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
    if (input) {
      check.structure(*input, body, "", /*text=*/false, /*body_only=*/false);
    } else if (!body.is_object() || !body.empty()) {
      check.problem("", "a body " + shown(request.body) + " for an operation without input");
    }
  } else if (protocol == "query") {
    json tree = json::object();
    bool version_seen = false;
    for (const auto& [key, value] : form) {
      if (key == "Action") continue;
      if (key == "Version") {
        version_seen = true;
        if (value != model.metadata_string("apiVersion"))
          check.problem("", "Version=" + value + ", the model's apiVersion is " +
                                model.metadata_string("apiVersion"));
        continue;
      }
      if (input == nullptr) {
        check.problem(key, "form key for an operation without input");
        continue;
      }
      place_form(model, check, tree, *input, split(key, '.'), 0, value, "", key);
    }
    if (!version_seen) check.problem("", "the form has no Version");
    if (input) check.structure(*input, tree, "", /*text=*/true, /*body_only=*/false);
  } else {
    check_rest(model, *op, request, out, protocol == "rest-xml");
  }
  return out;
}

// ---- the checker, checked ----------------------------------------------------------------------

// `input` for `operation` of a service, serialized by the project's client and signed in name
// only (the checker reads the service from the credential scope).
HttpRequest wire_request(const aws::ServiceInfo& service,
                         const std::vector<const aws::Operation*>& operations,
                         std::string_view operation, const json& input, std::string body = {}) {
  const aws::Operation* op = nullptr;
  for (const aws::Operation* candidate : operations)
    if (candidate->name == operation) op = candidate;
  if (op == nullptr) throw std::runtime_error("no operation " + std::string(operation));
  aws::Call call;
  call.input = input;
  call.body = std::move(body);
  HttpRequest request = aws::serialize_request(service, *op, call);
  request.headers.set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/" +
                                           std::string(service.signing_name) +
                                           "/aws4_request, SignedHeaders=host, Signature=00");
  return request;
}

std::string problems_of(const Checked& c) {
  return c.operation + ": " + (c.problems.empty() ? "(none)" : join(c.problems, "\n  "));
}

bool mentions(const Checked& c, std::string_view text) {
  return std::any_of(c.problems.begin(), c.problems.end(),
                     [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

TEST(RequestChecker, NamesTheOperationOfEachProtocol) {
  EXPECT_EQ(check_request(wire_request(aws::kS3, aws::s3::operations(), "PutObject",
                                       {{"Bucket", "b"}, {"Key", "a/b.zip"}}, "zip"))
                .operation,
            "PutObject");
  EXPECT_EQ(
      check_request(wire_request(aws::kS3, aws::s3::operations(), "HeadBucket", {{"Bucket", "b"}}))
          .operation,
      "HeadBucket");
  EXPECT_EQ(check_request(wire_request(aws::kLambda, aws::lambda::operations(), "GetFunction",
                                       {{"FunctionName", "f"}}))
                .operation,
            "GetFunction");
  EXPECT_EQ(check_request(wire_request(aws::kLambda, aws::lambda::operations(),
                                       "GetFunctionConfiguration", {{"FunctionName", "f"}}))
                .operation,
            "GetFunctionConfiguration");
  EXPECT_EQ(check_request(wire_request(aws::kLogs, aws::logs::operations(), "CreateLogGroup",
                                       {{"logGroupName", "/aws/lambda/f"}}))
                .operation,
            "CreateLogGroup");
  const Checked alarm = check_request(
      wire_request(aws::kCloudWatch, aws::cloudwatch::operations(), "PutMetricAlarm",
                   {{"AlarmName", "f-errors"},
                    {"Namespace", "AWS/Lambda"},
                    {"MetricName", "Errors"},
                    {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Value", "f"}}})},
                    {"Statistic", "Sum"},
                    {"Period", 300},
                    {"EvaluationPeriods", 1},
                    {"Threshold", 10},
                    {"ComparisonOperator", "GreaterThanOrEqualToThreshold"},
                    {"TreatMissingData", "notBreaching"}}));
  const Checked bucket = check_request(wire_request(
      aws::kS3, aws::s3::operations(), "CreateBucket",
      {{"Bucket", "b"}, {"CreateBucketConfiguration", {{"LocationConstraint", "eu-west-1"}}}}));
  EXPECT_EQ(bucket.operation, "CreateBucket");
  EXPECT_TRUE(bucket.problems.empty()) << problems_of(bucket);
  EXPECT_EQ(alarm.service, "cloudwatch");
  EXPECT_EQ(alarm.operation, "PutMetricAlarm");
  EXPECT_TRUE(alarm.problems.empty()) << problems_of(alarm);
}

TEST(RequestChecker, FindsWhatTheModelsRefuse) {
  // rest-json: a required member missing, an unknown member, a wrong type, a bad enum value.
  const Checked create =
      check_request(wire_request(aws::kLambda, aws::lambda::operations(), "CreateFunction",
                                 {{"FunctionName", "f"},
                                  {"Code", {{"ZipFile", "not base64!"}}},
                                  {"MemorySize", "big"},
                                  {"PackageType", "Tarball"},
                                  {"Colour", "blue"}}));
  EXPECT_TRUE(mentions(create, "member Role: required")) << problems_of(create);
  EXPECT_TRUE(mentions(create, "member Colour: not a member")) << problems_of(create);
  EXPECT_TRUE(mentions(create, "member MemorySize: expected an integer")) << problems_of(create);
  EXPECT_TRUE(mentions(create, "member PackageType: 'Tarball' is not one of"))
      << problems_of(create);
  EXPECT_TRUE(mentions(create, "member Code.ZipFile: a blob must be base64"))
      << problems_of(create);
  // A member newer than the model passes only where the list says.
  const Checked grant =
      check_request(wire_request(aws::kLambda, aws::lambda::operations(), "AddPermission",
                                 {{"FunctionName", "f"},
                                  {"StatementId", "s"},
                                  {"Action", "lambda:InvokeFunction"},
                                  {"Principal", "*"},
                                  {"InvokedViaFunctionUrl", true},
                                  {"InvokeMode", "BUFFERED"}}));
  EXPECT_EQ(grant.problems.size(), 1u) << problems_of(grant);
  EXPECT_TRUE(mentions(grant, "member InvokeMode: not a member")) << problems_of(grant);
  // query: a nested required member missing, an unknown nested member, a number as text.
  const Checked alarm = check_request(
      wire_request(aws::kCloudWatch, aws::cloudwatch::operations(), "PutMetricAlarm",
                   {{"AlarmName", "a"},
                    {"Dimensions", json::array({{{"Name", "FunctionName"}, {"Shade", "x"}}})},
                    {"EvaluationPeriods", "one"},
                    {"ComparisonOperator", "GreaterThanThreshold"}}));
  EXPECT_TRUE(mentions(alarm, "member Dimensions[0].Value: required")) << problems_of(alarm);
  EXPECT_TRUE(mentions(alarm, "member Dimensions[0].Shade: not a member")) << problems_of(alarm);
  EXPECT_TRUE(mentions(alarm, "member EvaluationPeriods: expected an integer"))
      << problems_of(alarm);
  // json: a type and a length limit.
  const Checked retention = check_request(
      wire_request(aws::kLogs, aws::logs::operations(), "PutRetentionPolicy",
                   {{"logGroupName", std::string(600, 'g')}, {"retentionInDays", "14"}}));
  EXPECT_TRUE(mentions(retention, "member retentionInDays: expected an integer"))
      << problems_of(retention);
  EXPECT_TRUE(mentions(retention, "is longer than LogGroupName's maximum 512"))
      << problems_of(retention);
  // rest-xml: a payload document's values.
  const Checked bucket = check_request(wire_request(
      aws::kS3, aws::s3::operations(), "CreateBucket",
      {{"Bucket", "b"}, {"CreateBucketConfiguration", {{"LocationConstraint", "mars-1"}}}}));
  EXPECT_TRUE(mentions(
      bucket, "member CreateBucketConfiguration.LocationConstraint: 'mars-1' is not one of"))
      << problems_of(bucket);
  // An unknown operation.
  HttpRequest nonsense =
      wire_request(aws::kLogs, aws::logs::operations(), "CreateLogGroup", {{"logGroupName", "g"}});
  nonsense.headers.set("X-Amz-Target", "Logs_20140328.MakeLogGroup");
  EXPECT_TRUE(mentions(check_request(nonsense), "the model has no such operation"));
}

// ---- the deploys -------------------------------------------------------------------------------

bool read_only(const std::string& operation) {
  for (const char* prefix : {"Get", "List", "Head", "Describe"})
    if (operation.starts_with(prefix)) return true;
  return operation == "GetCallerIdentity";
}

// What a run of the deployer sent, checked.
struct DeployRun {
  std::vector<Checked> requests;
  std::map<std::string, int> operations;  // "lambda CreateFunction" → how many
  std::vector<std::string> plan_actions;  // the plans' summaries
};

DeployRun checked_run(const std::vector<HttpRequest>& requests) {
  DeployRun run;
  for (const HttpRequest& request : requests) {
    run.requests.push_back(check_request(request));
    const Checked& c = run.requests.back();
    ++run.operations[c.service + " " + (c.operation.empty() ? "?" : c.operation)];
  }
  return run;
}

std::string listing(const std::map<std::string, int>& operations) {
  std::string text;
  for (const auto& [name, count] : operations)
    text += "  " + name + (count > 1 ? " ×" + std::to_string(count) : "") + "\n";
  return text;
}

class DeployRequests : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const fs::path root = repo_root();
    for (const char* zip : {"github-digest.zip", "hello.zip", "hello-deps.zip"}) {
      if (!fs::exists(root / "dist" / zip)) {
        skip_ = new std::string("dist/" + std::string(zip) +
                                " is made by the normal build (cmake --build --preset dev); "
                                "build it first");
        return;
      }
    }
    dir_ = new TempDir("deploy-requests");
    local::EndpointOptions options;
    options.server.port = 0;
    options.data_dir = dir_->path() / "endpoint";
    options.settle_delay = std::chrono::milliseconds(20);
    endpoint_ = new local::Endpoint(options);
    endpoint_->start();

    auto recorder = std::make_shared<RecordingTransport>(make_curl_transport());
    aws::ClientConfig config = client_config(endpoint_->url());
    config.transport = recorder;
    const deploy::Clients clients(config);
    const std::vector<std::pair<fs::path, fs::path>> services = {
        {root / "lambdeploy.toml", root / "dist" / "github-digest.zip"},
        {root / "examples" / "hello" / "lambdeploy.toml", root / "dist" / "hello.zip"}};
    try {
      first_ = new DeployRun();
      second_ = new DeployRun();
      std::vector<std::string> first_plans, second_plans;
      for (const auto& [file, zip] : services) deploy_once(file, zip, clients, first_plans);
      *first_ = checked_run(recorder->take());
      first_->plan_actions = first_plans;
      for (const auto& [file, zip] : services) deploy_once(file, zip, clients, second_plans);
      *second_ = checked_run(recorder->take());
      second_->plan_actions = second_plans;
    } catch (const std::exception& e) {
      error_ = new std::string(std::string("the deploy failed: ") + e.what());
    }
  }

  static void TearDownTestSuite() {
    if (endpoint_) endpoint_->stop();
    delete endpoint_;
    delete dir_;
    delete first_;
    delete second_;
    delete skip_;
    delete error_;
    endpoint_ = nullptr;
    dir_ = nullptr;
    first_ = second_ = nullptr;
    skip_ = error_ = nullptr;
  }

  // prepare_stage + apply of stage dev, as `lambdeploy deploy --local --package ZIP` does it.
  static void deploy_once(const fs::path& config_file, const fs::path& zip,
                          const deploy::Clients& clients, std::vector<std::string>& plans) {
    const deploy::Config config = deploy::load_config(config_file);
    deploy::PrepareOptions options;
    options.package.package_zip = zip;
    options.generate_missing_secrets = true;
    // Nothing from the machine's environment: the API keys come from SSM (generated the first
    // time), as on a fresh CI runner.
    options.env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    const deploy::Prepared prepared =
        deploy::prepare_stage(config, config.stage("dev"), clients, "us-east-1", options);
    for (const deploy::Action& action : prepared.plan.actions)
      plans.push_back(config_file.parent_path().filename().string() + ": " + action.summary);
    deploy::ApplyOptions apply_options;
    apply_options.caller = prepared.caller.value("Arn", "");
    apply_options.now_iso8601 = format_iso8601(system_now());
    deploy::Progress progress;
    deploy::apply(prepared.plan, prepared.desired, prepared.observed, clients, apply_options,
                  progress);
  }

  void SetUp() override {
    if (skip_) GTEST_SKIP() << *skip_;
    if (error_) FAIL() << *error_;
  }

  static void expect_conforms(const DeployRun& run, const char* which) {
    std::set<std::string> newer, unchecked;
    std::size_t bad = 0;
    for (const Checked& c : run.requests) {
      for (const std::string& problem : c.problems)
        ADD_FAILURE() << which << " run, " << c.line << "\n  " << problem;
      if (!c.problems.empty()) ++bad;
      newer.insert(c.newer_used.begin(), c.newer_used.end());
      unchecked.insert(c.patterns_not_checked.begin(), c.patterns_not_checked.end());
    }
    std::printf("%s run: %zu requests, %zu with problems; operations:\n%s", which,
                run.requests.size(), bad, listing(run.operations).c_str());
    for (const std::string& item : newer)
      std::printf("  newer than the model, allowed: %s\n", item.c_str());
    if (!unchecked.empty())
      std::printf("  patterns not checked (Java regex syntax, or a value over 4 KB): %s\n",
                  join(std::vector<std::string>(unchecked.begin(), unchecked.end()), ", ").c_str());
  }

  inline static std::string* skip_ = nullptr;
  inline static std::string* error_ = nullptr;
  inline static TempDir* dir_ = nullptr;
  inline static local::Endpoint* endpoint_ = nullptr;
  inline static DeployRun* first_ = nullptr;
  inline static DeployRun* second_ = nullptr;
};

TEST_F(DeployRequests, AFirstDeploySendsOnlyWhatTheModelsDescribe) {
  ASSERT_FALSE(first_->requests.empty());
  expect_conforms(*first_, "first");
}

TEST_F(DeployRequests, AFirstDeployUsesEveryStepOfTheDesign) {
  std::set<std::string> seen;
  for (const Checked& c : first_->requests) seen.insert(c.operation);
  const std::vector<std::string> expected = {"CreateBucket",   "PutObject",
                                             "CreateRole",     "PutRolePolicy",
                                             "GetRole",        "CreateFunction",
                                             "PublishVersion", "Invoke",
                                             "CreateAlias",    "CreateFunctionUrlConfig",
                                             "AddPermission",  "PublishLayerVersion",
                                             "CreateLogGroup", "PutRetentionPolicy",
                                             "PutMetricAlarm", "GetCallerIdentity",
                                             "PutParameter"};
  for (const std::string& operation : expected)
    EXPECT_TRUE(seen.count(operation)) << operation << " was not sent; sent:\n"
                                       << listing(first_->operations);
  EXPECT_TRUE(seen.count("HeadObject") || seen.count("HeadBucket"))
      << "neither HeadObject nor HeadBucket was sent";
  // Every entry of the lists of what is newer than the models is really sent (the grant AWS
  // requires since 2025 among them): an entry the deployer no longer needs must go.
  std::set<std::string> newer;
  for (const Checked& c : first_->requests) newer.insert(c.newer_used.begin(), c.newer_used.end());
  for (const NewerMember& m : kNewerMembers) {
    const std::string entry = "member " + std::string(m.service) + " " + std::string(m.operation) +
                              " " + std::string(m.member);
    EXPECT_TRUE(newer.count(entry)) << entry << " is allowed (" << m.why << ") but never sent";
  }
  for (const NewerEnumValue& e : kNewerEnumValues) {
    const std::string entry =
        "enum " + std::string(e.service) + " " + std::string(e.shape) + " " + std::string(e.value);
    EXPECT_TRUE(newer.count(entry)) << entry << " is allowed (" << e.why << ") but never sent";
  }
}

TEST_F(DeployRequests, ASecondDeployWithNothingChangedPlansNothing) {
  EXPECT_TRUE(second_->plan_actions.empty())
      << "second plan:\n  " << join(second_->plan_actions, "\n  ");
  EXPECT_FALSE(first_->plan_actions.empty());
}

TEST_F(DeployRequests, ASecondDeployWithNothingChangedMakesNoMutatingCall) {
  ASSERT_FALSE(second_->requests.empty());
  for (const Checked& c : second_->requests)
    EXPECT_TRUE(read_only(c.operation))
        << c.service << " " << c.operation << " (" << c.line << ") changes something";
  expect_conforms(*second_, "second");
}

}  // namespace
}  // namespace ld::test
