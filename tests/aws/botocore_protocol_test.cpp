// Runs botocore's protocol test vectors (read in place from the conformance folder) through the
// four wire protocols: every error case through parse_error, and every input (serialization)
// and output (parsing) case that our JSON data model can express. A converter turns each case's
// operation model and shapes into our Operation / Binding and its params into our data model
// (keys as on the wire, blobs base64, XML lists and maps as the elements they become); cases
// that need a feature the protocol layer deliberately lacks are skipped by name.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "aws/protocol.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "core/time.hpp"
#include "support/conformance.hpp"

namespace ld::aws {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

// What the protocol layer deliberately does not do, and why; a case needing one is skipped.
const std::map<std::string, std::string>& features() {
  static const std::map<std::string, std::string> kFeatures = {
      {"host-prefix", "endpoint host prefixes are not modelled: the client owns the host"},
      {"endpoint-base-path", "an endpoint's base path is the client's to prepend"},
      {"timestamp-format",
       "timestamps travel as the caller wrote them (no epoch -> ISO 8601 / HTTP-date)"},
      {"idempotency-token", "idempotency tokens are not filled in automatically"},
      {"request-compression", "request bodies are never compressed"},
      {"checksum", "request checksums (Content-MD5, httpChecksum) are not computed"},
      {"jsonvalue-header", "mediaType headers (base64 of JSON) are not encoded or decoded"},
      {"document-payload", "a document as the whole payload is not supported"},
      {"query-map", "query maps (Name.entry.N.key) have no JSON form: an object is a structure"},
      {"query-flattened-list", "query lists are always Name.member.N (no flattened trait)"},
      {"query-list-member-name", "query list items are always Name.member.N (no renamed items)"},
      {"xml-attribute", "XML attributes are neither written nor read"},
      {"xml-namespace", "no XML namespace is written but S3's"},
      {"xml-root-name", "an input document is named {Operation}Request"},
      {"structure-payload-output", "an output payload is returned raw in Result::body"},
      {"header-list-output", "a header holding a list is returned as its text"},
      {"nested-type-marker",
       "a \"__type\" key below the top level is kept: it may be a map key (a tag)"},
      {"xml-empty-collection", "an empty XML list or map reads as \"\" without a model"},
      {"xml-flattened-list-of-one",
       "a flattened XML list of fewer than two items reads as its item without a model"},
      {"xml-list-member-name", "XML list items other than <member> read as a wrapper object"},
      {"xml-flattened-map", "a flattened XML map reads as repeated {key, value} objects"},
      {"xml-map-entry-names", "XML map entries other than <key>/<value> read as entries"},
  };
  return kFeatures;
}

// Feature names a case needs.
struct Needs {
  std::set<std::string> names;
  void add(const std::string& name) {
    if (!features().contains(name)) throw std::logic_error("unknown feature " + name);
    names.insert(name);
  }
};

// Strings that outlive a case: ServiceInfo and Binding hold string_views.
struct Arena {
  std::deque<std::string> strings;
  std::string_view keep(std::string s) {
    strings.push_back(std::move(s));
    return strings.back();
  }
};

std::string text_of(const ojson& object, const char* key, std::string fallback = {}) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool flag(const ojson& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

json to_json(const ojson& value) {
  return json::parse(value.dump());
}

enum class Where { Body, Header, Query, Uri };

// One suite of a vector file: its protocol and shapes.
struct Suite {
  std::string protocol;
  const ojson& metadata;
  const ojson& shapes;

  bool xml() const { return protocol == "query" || protocol == "rest-xml"; }
  const ojson& shape(const ojson& ref) const {
    return shapes.at(ref.at("shape").get<std::string>());
  }
  std::string type(const ojson& ref) const { return shape(ref).at("type").get<std::string>(); }
  // The key a body member has in our data model: its wire name.
  static std::string wire_key(const std::string& member, const ojson& ref) {
    return text_of(ref, "locationName", member);
  }
};

Protocol protocol_of(const std::string& name) {
  if (name == "rest-json") return Protocol::RestJson;
  if (name == "rest-xml") return Protocol::RestXml;
  if (name == "json") return Protocol::Json;
  return Protocol::Query;
}

ServiceInfo service_of(const Suite& suite, Arena& arena) {
  return ServiceInfo{
      .id = "ProtocolTests",
      .endpoint_prefix = "protocoltests",
      .signing_name = "protocoltests",
      .api_version = arena.keep(text_of(suite.metadata, "apiVersion")),
      .protocol = protocol_of(suite.protocol),
      .target_prefix = arena.keep(text_of(suite.metadata, "targetPrefix")),
      .json_version = arena.keep(text_of(suite.metadata, "jsonVersion")),
      .env_name = "PROTOCOLTESTS",
      .config_key = "protocoltests",
  };
}

// ---- params -> our input ---------------------------------------------------------------------

json to_wire(const Suite& suite, const ojson& ref, const ojson& value, Where where, Needs& needs) {
  const ojson& shape = suite.shape(ref);
  const std::string type = shape.at("type").get<std::string>();
  if (suite.protocol == "rest-xml") {
    if (ref.contains("xmlAttribute") || shape.contains("xmlAttribute")) needs.add("xml-attribute");
    if (ref.contains("xmlNamespace") || shape.contains("xmlNamespace")) needs.add("xml-namespace");
  }
  if (value.is_null()) return nullptr;
  if (flag(shape, "document")) return to_json(value);
  if (type == "structure") {
    json out = json::object();
    for (const auto& [name, member] : shape.at("members").items()) {
      if (value.contains(name)) {
        out[Suite::wire_key(name, member)] = to_wire(suite, member, value.at(name), where, needs);
      }
    }
    return out;
  }
  if (type == "list") {
    json items = json::array();
    for (const auto& item : value)
      items.push_back(to_wire(suite, shape.at("member"), item, where, needs));
    if (where != Where::Body) return items;
    bool flattened = flag(ref, "flattened") || flag(shape, "flattened");
    if (suite.protocol == "query") {
      if (flattened) needs.add("query-flattened-list");
      if (shape.at("member").contains("locationName")) needs.add("query-list-member-name");
      return items;
    }
    if (suite.protocol == "rest-xml") {
      if (flattened) return items;
      return json{{text_of(shape.at("member"), "locationName", "member"), items}};
    }
    return items;
  }
  if (type == "map") {
    if (where == Where::Body && suite.protocol == "query") {
      needs.add("query-map");
      return json::object();
    }
    if (where == Where::Body && suite.protocol == "rest-xml") {
      std::string key_name = text_of(shape.at("key"), "locationName", "key");
      std::string value_name = text_of(shape.at("value"), "locationName", "value");
      json entries = json::array();
      for (const auto& [k, v] : value.items()) {
        entries.push_back(
            json{{key_name, k}, {value_name, to_wire(suite, shape.at("value"), v, where, needs)}});
      }
      if (flag(ref, "flattened") || flag(shape, "flattened")) return entries;
      return json{{"entry", entries}};
    }
    json out = json::object();
    for (const auto& [k, v] : value.items())
      out[k] = to_wire(suite, shape.at("value"), v, where, needs);
    return out;
  }
  if (type == "blob") return base64_encode(value.get<std::string>());
  if (type == "timestamp") {
    std::string fallback;
    switch (where) {
      case Where::Body:
        fallback = suite.xml() ? "iso8601" : "unixTimestamp";
        break;
      case Where::Header:
        fallback = "rfc822";
        break;
      default:
        fallback = "iso8601";
    }
    std::string format =
        text_of(ref, "timestampFormat", text_of(shape, "timestampFormat", fallback));
    if (format != "unixTimestamp") needs.add("timestamp-format");
    return to_json(value);
  }
  if (where == Where::Header && (flag(shape, "jsonvalue") || flag(ref, "jsonvalue"))) {
    needs.add("jsonvalue-header");
  }
  return to_json(value);
}

// An operation's input as our Operation and Call.
struct Request {
  Operation operation;
  Call call;
};

Request convert_input(const Suite& suite, const ojson& given, const ojson& params, Arena& arena,
                      Needs& needs) {
  Request r;
  r.operation.name = arena.keep(text_of(given, "name"));
  r.operation.method = arena.keep(text_of(given.at("http"), "method", "POST"));
  r.operation.uri = arena.keep(text_of(given.at("http"), "requestUri", "/"));
  if (given.contains("endpoint")) needs.add("host-prefix");
  if (given.contains("requestcompression")) needs.add("request-compression");
  if (given.contains("httpChecksumRequired") || given.contains("httpChecksum"))
    needs.add("checksum");
  if (!given.contains("input")) return r;

  const ojson& input = suite.shape(given.at("input"));
  const std::string payload = text_of(input, "payload");
  int body_members = 0;
  bool body_named = false;
  for (const auto& [name, ref] : input.at("members").items()) {
    const std::string location = text_of(ref, "location");
    const bool present = params.contains(name) && !params.at(name).is_null();
    if (flag(ref, "idempotencyToken") && !params.contains(name)) needs.add("idempotency-token");
    auto bind = [&](Location where, std::string wire) {
      r.operation.input.push_back({arena.keep(name), where, arena.keep(std::move(wire))});
    };
    if (location == "uri") {
      bind(Location::Uri, text_of(ref, "locationName", name));
      if (present) r.call.input[name] = to_wire(suite, ref, params.at(name), Where::Uri, needs);
    } else if (location == "querystring") {
      bind(Location::Query, text_of(ref, "locationName"));
      if (present) r.call.input[name] = to_wire(suite, ref, params.at(name), Where::Query, needs);
    } else if (location == "header") {
      bind(Location::Header, text_of(ref, "locationName", name));
      if (present) r.call.input[name] = to_wire(suite, ref, params.at(name), Where::Header, needs);
    } else if (location == "headers") {
      bind(Location::HeaderPrefix, text_of(ref, "locationName"));
      if (present) r.call.input[name] = to_wire(suite, ref, params.at(name), Where::Header, needs);
    } else if (location == "statusCode") {
      continue;
    } else if (name == payload) {
      const ojson& target = suite.shape(ref);
      const std::string type = target.at("type").get<std::string>();
      bind(Location::Payload, text_of(ref, "locationName", text_of(target, "locationName", name)));
      if (suite.protocol == "rest-xml" &&
          (ref.contains("xmlNamespace") || target.contains("xmlNamespace"))) {
        needs.add("xml-namespace");
      }
      if (present) {
        if (type == "blob") {
          r.call.body = params.at(name).get<std::string>();
        } else if (type == "string") {
          r.call.input[name] = params.at(name).get<std::string>();
        } else if (flag(target, "document")) {
          needs.add("document-payload");
        } else {
          r.call.input[name] = to_wire(suite, ref, params.at(name), Where::Body, needs);
        }
      } else if (suite.protocol == "rest-json" && (type == "structure" || flag(target, "union"))) {
        r.operation.body_members = true;
      }
    } else {
      ++body_members;
      if (params.contains(name)) {
        body_named = true;
        r.call.input[Suite::wire_key(name, ref)] =
            to_wire(suite, ref, params.at(name), Where::Body, needs);
      }
    }
  }
  if (suite.protocol == "rest-json" && payload.empty() && body_members > 0) {
    r.operation.body_members = true;
  }
  if (suite.protocol == "rest-xml" && body_named) {
    std::string root = text_of(given.at("input"), "locationName",
                               given.at("input").at("shape").get<std::string>());
    if (root != std::string(r.operation.name) + "Request") needs.add("xml-root-name");
    if (given.at("input").contains("xmlNamespace") || input.contains("xmlNamespace")) {
      needs.add("xml-namespace");
    }
  }
  return r;
}

// ---- comparing requests ----------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> sorted_pairs(std::string_view text,
                                                              bool plus_is_space) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& part : split(text, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string::npos) {
      out.emplace_back(uri_decode(part, plus_is_space), "");
    } else {
      out.emplace_back(uri_decode(part.substr(0, eq), plus_is_space),
                       uri_decode(part.substr(eq + 1), plus_is_space));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string pairs_text(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) out += "[" + k + "=" + v + "]";
  return out;
}

// Canonical text of an XML tree: element names, attributes, children sorted stably by name,
// leaf text verbatim, whitespace between elements dropped.
std::string canonical_xml(const pugi::xml_node& node) {
  std::string out = "<" + std::string(node.name());
  std::vector<std::string> attributes;
  for (auto a : node.attributes()) attributes.push_back(std::string(a.name()) + "=" + a.value());
  std::sort(attributes.begin(), attributes.end());
  for (const auto& a : attributes) out += " " + a;
  out += ">";
  std::vector<pugi::xml_node> elements;
  std::string text;
  for (auto c : node.children()) {
    if (c.type() == pugi::node_element) elements.push_back(c);
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) text += c.value();
  }
  if (elements.empty()) {
    out += text;
  } else {
    std::stable_sort(elements.begin(), elements.end(), [](const auto& a, const auto& b) {
      return std::string_view(a.name()) < std::string_view(b.name());
    });
    for (const auto& e : elements) out += canonical_xml(e);
  }
  return out + "</" + node.name() + ">";
}

std::optional<std::string> canonical_xml(std::string_view text) {
  pugi::xml_document doc;
  if (!doc.load_buffer(text.data(), text.size(), pugi::parse_default | pugi::parse_ws_pcdata)) {
    return std::nullopt;
  }
  return canonical_xml(doc.document_element());
}

std::string media_type(std::string_view content_type) {
  return to_lower(trim(content_type.substr(0, content_type.find(';'))));
}

// Empty when `request` is what `expected` (a case's "serialized") describes.
std::string compare_request(const std::string& protocol, const ojson& expected,
                            const HttpRequest& request) {
  std::ostringstream diff;
  if (text_of(expected, "method") != request.method) {
    diff << "method " << request.method << " != " << text_of(expected, "method") << "; ";
  }
  std::string uri = text_of(expected, "uri", "/");
  std::string_view path = uri, query;
  if (auto q = uri.find('?'); q != std::string::npos) {
    path = std::string_view(uri).substr(0, q);
    query = std::string_view(uri).substr(q + 1);
  }
  if (path != request.path) diff << "path " << request.path << " != " << path << "; ";
  auto want_query = sorted_pairs(query, false);
  auto have_query = request.query;
  std::sort(have_query.begin(), have_query.end());
  if (want_query != have_query) {
    diff << "query " << pairs_text(have_query) << " != " << pairs_text(want_query) << "; ";
  }
  if (expected.contains("headers")) {
    for (const auto& [name, value] : expected.at("headers").items()) {
      if (iequals(name, "Content-Length")) continue;  // the transport's to set
      auto have = request.headers.get(name);
      std::string want = value.get<std::string>();
      bool same = have && (iequals(name, "Content-Type") ? media_type(*have) == media_type(want)
                                                         : *have == want);
      if (!same)
        diff << "header " << name << ": '" << have.value_or("<absent>") << "' != '" << want
             << "'; ";
    }
  }
  for (const char* list : {"forbidHeaders", "requireHeaders"}) {
    if (!expected.contains(list)) continue;
    for (const auto& name : expected.at(list)) {
      std::string n = name.get<std::string>();
      if (iequals(n, "Content-Length")) continue;
      bool has = request.headers.has(n);
      if (has == (std::string_view(list) == "forbidHeaders")) {
        diff << list << " " << n << "; ";
      }
    }
  }
  if (expected.contains("body")) {
    std::string want = expected.at("body").get<std::string>();
    const std::string& have = request.body;
    bool same = want == have;
    if (!same && !want.empty() && !have.empty()) {
      if (protocol == "query" && want.starts_with("Action=")) {
        same = sorted_pairs(want, true) == sorted_pairs(have, true);
      } else if (protocol == "rest-xml" && trim(want).starts_with("<")) {
        auto a = canonical_xml(want), b = canonical_xml(have);
        same = a && b && *a == *b;
      } else if (protocol == "json" || protocol == "rest-json") {
        json a = json::parse(want, nullptr, false), b = json::parse(have, nullptr, false);
        same = !a.is_discarded() && !b.is_discarded() && a == b;
      }
    }
    if (!same) diff << "body '" << have << "' != '" << want << "'; ";
  }
  return diff.str();
}

// ---- output: features, bindings, comparison --------------------------------------------------

void output_needs(const Suite& suite, const ojson& ref, const ojson& value, Needs& needs) {
  const ojson& shape = suite.shape(ref);
  const std::string type = shape.at("type").get<std::string>();
  if (suite.xml() && (ref.contains("xmlAttribute") || shape.contains("xmlAttribute"))) {
    needs.add("xml-attribute");
  }
  if (value.is_null()) return;
  if (type == "structure" && value.is_object()) {
    for (const auto& [name, member] : shape.at("members").items())
      if (value.contains(name)) output_needs(suite, member, value.at(name), needs);
  } else if (type == "list" && value.is_array()) {
    bool flattened = flag(ref, "flattened") || flag(shape, "flattened");
    if (suite.xml()) {
      if (value.empty()) needs.add("xml-empty-collection");
      if (flattened && value.size() < 2) needs.add("xml-flattened-list-of-one");
      if (!flattened && text_of(shape.at("member"), "locationName", "member") != "member") {
        needs.add("xml-list-member-name");
      }
    }
    for (const auto& item : value) output_needs(suite, shape.at("member"), item, needs);
  } else if (type == "map" && value.is_object()) {
    if (suite.xml()) {
      if (value.empty()) needs.add("xml-empty-collection");
      if (flag(ref, "flattened") || flag(shape, "flattened")) needs.add("xml-flattened-map");
      if (text_of(shape.at("key"), "locationName", "key") != "key" ||
          text_of(shape.at("value"), "locationName", "value") != "value") {
        needs.add("xml-map-entry-names");
      }
    }
    for (const auto& [k, v] : value.items()) output_needs(suite, shape.at("value"), v, needs);
  }
}

Operation convert_output(const Suite& suite, const ojson& given, const ojson& result, Arena& arena,
                         Needs& needs) {
  Operation op;
  op.name = arena.keep(text_of(given, "name"));
  op.method = arena.keep(text_of(given.at("http"), "method", "POST"));
  op.uri = arena.keep(text_of(given.at("http"), "requestUri", "/"));
  if (!given.contains("output")) return op;
  const ojson& output = suite.shape(given.at("output"));
  const std::string payload = text_of(output, "payload");
  for (const auto& [name, ref] : output.at("members").items()) {
    const std::string location = text_of(ref, "location");
    const ojson& target = suite.shape(ref);
    const std::string type = target.at("type").get<std::string>();
    const bool expected = result.contains(name);
    auto bind = [&](Location where, std::string wire) {
      op.output.push_back({arena.keep(name), where, arena.keep(std::move(wire))});
    };
    if (location == "header") {
      bind(Location::Header, text_of(ref, "locationName", name));
      if (expected && type == "list") needs.add("header-list-output");
      if (expected && (flag(target, "jsonvalue") || flag(ref, "jsonvalue")))
        needs.add("jsonvalue-header");
    } else if (location == "headers") {
      bind(Location::HeaderPrefix, text_of(ref, "locationName"));
    } else if (location == "statusCode") {
      bind(Location::StatusCode, "");
    } else if (name == payload) {
      bind(Location::Payload, text_of(ref, "locationName", name));
      if (expected && type != "blob" && type != "string") needs.add("structure-payload-output");
    } else if (expected) {
      output_needs(suite, ref, result.at(name), needs);
    }
  }
  return op;
}

std::optional<double> number_in(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

// Epoch seconds of a timestamp as the wire wrote it (number, ISO 8601 or HTTP date).
std::optional<double> instant_in(const json& v) {
  if (auto n = number_in(v)) return n;
  if (!v.is_string()) return std::nullopt;
  auto t = parse_iso8601(v.get<std::string>());
  if (!t) t = parse_http_date(v.get<std::string>());
  if (!t) return std::nullopt;
  return static_cast<double>(t->time_since_epoch().count()) / 1000.0;
}

std::string compare_value(const Suite& suite, const ojson& ref, const ojson& want, const json& have,
                          const std::string& at) {
  const ojson& shape = suite.shape(ref);
  const std::string type = shape.at("type").get<std::string>();
  auto bad = [&](const std::string& what) {
    return at + ": " + what + " (have " + have.dump() + ", want " + want.dump() + "); ";
  };
  if (flag(shape, "document")) return to_json(want) == have ? "" : bad("document differs");
  if (type == "structure") {
    if (!have.is_object()) return bad("not an object");
    std::string diff;
    for (const auto& [name, member] : shape.at("members").items()) {
      std::string key = Suite::wire_key(name, member);
      auto it = have.find(key);
      if (want.contains(name)) {
        diff += it == have.end() ? at + "." + key + " missing; "
                                 : compare_value(suite, member, want.at(name), *it, at + "." + key);
      } else if (it != have.end()) {
        diff += at + "." + key + " unexpected; ";
      }
    }
    return diff;
  }
  if (type == "list") {
    if (!have.is_array() || have.size() != want.size()) return bad("not a list of that size");
    std::string diff;
    for (std::size_t i = 0; i < want.size(); ++i) {
      diff += compare_value(suite, shape.at("member"), want.at(i), have.at(i),
                            at + "[" + std::to_string(i) + "]");
    }
    return diff;
  }
  if (type == "map") {
    if (!have.is_object() || have.size() != want.size()) return bad("not a map of that size");
    std::string diff;
    for (const auto& [k, v] : want.items()) {
      auto it = have.find(k);
      diff += it == have.end() ? at + "." + k + " missing; "
                               : compare_value(suite, shape.at("value"), v, *it, at + "." + k);
    }
    return diff;
  }
  if (type == "blob") {
    return have.is_string() && have.get<std::string>() == base64_encode(want.get<std::string>())
               ? ""
               : bad("blob differs");
  }
  if (type == "timestamp") {
    auto t = instant_in(have);
    return t && std::abs(*t - want.get<double>()) < 1e-3 ? "" : bad("instant differs");
  }
  if (type == "boolean") {
    bool w = want.get<bool>();
    bool same = have.is_boolean()
                    ? have.get<bool>() == w
                    : have.is_string() && have.get<std::string>() == (w ? "true" : "false");
    return same ? "" : bad("boolean differs");
  }
  if (type == "integer" || type == "long" || type == "short" || type == "byte" || type == "float" ||
      type == "double") {
    if (want.is_string()) {  // NaN, Infinity, -Infinity
      return have.is_string() && have.get<std::string>() == want.get<std::string>()
                 ? ""
                 : bad("special float differs");
    }
    auto n = number_in(have);
    double w = want.get<double>();
    return n && std::abs(*n - w) <= 1e-9 * std::max(1.0, std::abs(w)) ? "" : bad("number differs");
  }
  return have.is_string() && have.get<std::string>() == want.get<std::string>()
             ? ""
             : bad("string differs");
}

std::string compare_result(const Suite& suite, const ojson& given, const ojson& want,
                           const Result& result) {
  // No output shape: every member the body may hold is unknown to the model, and unknown
  // members are kept as sent (not compared), as in any structure.
  if (!given.contains("output")) return result.body.empty() ? "" : "unexpected payload; ";
  const ojson& output = suite.shape(given.at("output"));
  const std::string payload = text_of(output, "payload");
  std::string diff;
  for (const auto& [name, ref] : output.at("members").items()) {
    const std::string location = text_of(ref, "location");
    const bool expected = want.contains(name);
    if (name == payload && location.empty()) {
      std::string w = expected ? want.at(name).get<std::string>() : "";
      if (result.body != w) diff += "payload '" + result.body + "' != '" + w + "'; ";
      continue;
    }
    std::string key = location.empty() ? Suite::wire_key(name, ref) : name;
    auto it = result.output.find(key);
    if (expected) {
      diff += it == result.output.end() ? key + " missing; "
                                        : compare_value(suite, ref, want.at(name), *it, key);
    } else if (it != result.output.end() && !(location == "headers" && it->empty())) {
      diff += key + " unexpected: " + it->dump() + "; ";
    }
  }
  return diff;
}

// ---- running a vector file -------------------------------------------------------------------

struct Tally {
  int run = 0, passed = 0, ignored = 0, skipped = 0;
  std::map<std::string, int> by_feature;
  std::vector<std::string> failures;

  void skip(const Needs& needs) {
    ++skipped;
    for (const auto& n : needs.names) ++by_feature[n];
  }
  void report(const std::string& file) const {
    std::cout << "[botocore] " << file << ": run " << run << " / passed " << passed
              << " / skipped-by-feature " << skipped << " / ignored-by-botocore " << ignored
              << "\n";
    for (const auto& [name, count] : by_feature) {
      std::cout << "    " << name << " (" << count << "): " << features().at(name) << "\n";
    }
  }
};

const ojson& ignore_list() {
  static const ojson list = ojson::parse(test::read_file(
      test::conformance_dir() / "protocol-tests/botocore/protocol-tests-ignore-list.json"));
  return list;
}

bool ignored(const std::string& protocol, const std::string& direction, const ojson& suite,
             const ojson& c) {
  const ojson& list = ignore_list();
  if (auto g = list.at("general").find(direction); g != list.at("general").end()) {
    for (const auto& s : g->at("suites"))
      if (s == suite.at("description")) return true;
  }
  auto p = list.at("protocols").find(protocol);
  if (p == list.at("protocols").end()) return false;
  auto d = p->find(direction);
  if (d == p->end()) return false;
  for (const auto& id : d->value("cases", ojson::array()))
    if (id == c.at("id")) return true;
  return false;
}

ojson vectors(const std::string& direction, const std::string& protocol) {
  return ojson::parse(test::read_file(test::conformance_dir() / "protocol-tests/botocore" /
                                      direction / (protocol + ".json")));
}

Tally run_input(const std::string& protocol) {
  Tally tally;
  for (const auto& s : vectors("input", protocol)) {
    Suite suite{protocol, s.at("metadata"), s.at("shapes")};
    for (const auto& c : s.at("cases")) {
      if (ignored(protocol, "input", s, c)) {
        ++tally.ignored;
        continue;
      }
      Arena arena;
      Needs needs;
      const ojson& serialized = c.at("serialized");
      std::string host = text_of(serialized, "host");
      if (host.find('/') != std::string::npos)
        needs.add("endpoint-base-path");
      else if (!host.empty())
        needs.add("host-prefix");
      Request r =
          convert_input(suite, c.at("given"), c.value("params", ojson::object()), arena, needs);
      if (!needs.names.empty()) {
        tally.skip(needs);
        continue;
      }
      ++tally.run;
      ServiceInfo service = service_of(suite, arena);
      std::string diff;
      try {
        diff =
            compare_request(protocol, serialized, serialize_request(service, r.operation, r.call));
      } catch (const std::exception& e) {
        diff = std::string("threw: ") + e.what();
      }
      if (diff.empty()) {
        ++tally.passed;
      } else {
        tally.failures.push_back(c.at("id").get<std::string>() + ": " + diff);
      }
    }
  }
  return tally;
}

HttpResponse response_of(const ojson& c) {
  HttpResponse response;
  const ojson& r = c.at("response");
  response.status = r.at("status_code").get<int>();
  if (r.contains("headers")) {
    for (const auto& [name, value] : r.at("headers").items())
      response.headers.add(name, value.get<std::string>());
  }
  response.body = text_of(r, "body");
  return response;
}

Tally run_output(const std::string& protocol) {
  Tally tally;
  for (const auto& s : vectors("output", protocol)) {
    Suite suite{protocol, s.at("metadata"), s.at("shapes")};
    for (const auto& c : s.at("cases")) {
      if (c.contains("errorCode")) continue;  // ErrorCases covers these
      if (ignored(protocol, "output", s, c)) {
        ++tally.ignored;
        continue;
      }
      Arena arena;
      Needs needs;
      const ojson want = c.value("result", ojson::object());
      Operation op = convert_output(suite, c.at("given"), want, arena, needs);
      if (!suite.xml()) {
        json body = json::parse(text_of(c.at("response"), "body"), nullptr, false);
        if (body.is_object() && std::any_of(body.begin(), body.end(), [](const json& v) {
              return v.is_object() && v.contains("__type");
            })) {
          needs.add("nested-type-marker");
        }
      }
      if (!needs.names.empty()) {
        tally.skip(needs);
        continue;
      }
      ++tally.run;
      ServiceInfo service = service_of(suite, arena);
      std::string diff;
      try {
        Result result = parse_response(service, op, response_of(c));
        diff = compare_result(suite, c.at("given"), want, result);
        if (result.status != c.at("response").at("status_code").get<int>()) diff += "status; ";
      } catch (const std::exception& e) {
        diff = std::string("threw: ") + e.what();
      }
      if (diff.empty()) {
        ++tally.passed;
      } else {
        tally.failures.push_back(c.at("id").get<std::string>() + ": " + diff);
      }
    }
  }
  return tally;
}

// Every case that ran passed, and as many ran as when these counts were last reviewed (fewer
// means the converter or a skip rule changed what is covered).
void expect_all_passed(const Tally& tally, int expected_run) {
  EXPECT_EQ(tally.run, expected_run);
  EXPECT_EQ(tally.passed, tally.run);
  for (const auto& f : tally.failures) ADD_FAILURE() << f;
}

// The suite and case of that id in a vector file.
std::pair<const ojson*, const ojson*> find_case(const ojson& file, const std::string& id) {
  for (const auto& s : file)
    for (const auto& c : s.at("cases"))
      if (c.at("id") == id) return {&s, &c};
  throw std::runtime_error("no case " + id);
}

// ---- the tests -------------------------------------------------------------------------------

// Every error case of the four files: code, message, status and request id as botocore expects.
// The cases botocore's ignore list names (its JSON parser ignores X-Amzn-ErrorType and "code";
// ComplexError needs modelled members) are run as well: the extraction rules they check are ours.
TEST(BotocoreProtocol, EveryErrorCaseParses) {
  const std::map<std::string, int> expected_counts = {
      {"rest-json", 12}, {"json", 12}, {"query", 3}, {"rest-xml", 2}};
  int total = 0;
  for (const auto& [protocol, expected_count] : expected_counts) {
    int count = 0, on_ignore_list = 0;
    for (const auto& s : vectors("output", protocol)) {
      Suite suite{protocol, s.at("metadata"), s.at("shapes")};
      for (const auto& c : s.at("cases")) {
        if (!c.contains("errorCode")) continue;
        ++count;
        if (ignored(protocol, "output", s, c)) ++on_ignore_list;
        Arena arena;
        ServiceInfo service = service_of(suite, arena);
        Operation op{.name = arena.keep(text_of(c.at("given"), "name"))};
        HttpResponse response = response_of(c);
        AwsError error = parse_error(service, op, response);
        const std::string id = c.at("id").get<std::string>();
        EXPECT_EQ(error.code(), c.at("errorCode").get<std::string>()) << id;
        if (c.contains("errorMessage")) {
          EXPECT_EQ(error.message(), c.at("errorMessage").get<std::string>()) << id;
        } else if (response.body.find("essage") == std::string::npos) {
          EXPECT_EQ(error.message(), "") << id;
        }
        EXPECT_EQ(error.http_status(), response.status) << id;
        EXPECT_EQ(error.operation(), text_of(c.at("given"), "name")) << id;
        if (response.body.find("<RequestId>foo-id</RequestId>") != std::string::npos) {
          EXPECT_EQ(error.request_id(), "foo-id") << id;
        }
      }
    }
    std::cout << "[botocore] output/" << protocol << ".json errors: " << count << " run, "
              << on_ignore_list << " of them on botocore's ignore list\n";
    EXPECT_EQ(count, expected_count) << protocol;
    total += count;
  }
  EXPECT_EQ(total, 29);
}

// The comparisons must see a difference when there is one, or the counts above mean nothing.
TEST(BotocoreProtocol, ComparisonsSeeWrongRequests) {
  struct Probe {
    std::string protocol, id;
  };
  for (const auto& probe :
       {Probe{"rest-json", "RestJsonSimpleScalarProperties"},
        Probe{"query", "QuerySimpleInputParamsStrings"},
        Probe{"rest-xml", "SimpleScalarProperties"}, Probe{"json", "serializes_string_shapes"}}) {
    const ojson file = vectors("input", probe.protocol);
    auto [s, c] = find_case(file, probe.id);
    Suite suite{probe.protocol, s->at("metadata"), s->at("shapes")};
    Arena arena;
    Needs needs;
    Request r = convert_input(suite, c->at("given"), c->at("params"), arena, needs);
    ASSERT_TRUE(needs.names.empty()) << probe.id;
    ServiceInfo service = service_of(suite, arena);
    const HttpRequest good = serialize_request(service, r.operation, r.call);
    const ojson& want = c->at("serialized");
    EXPECT_EQ(compare_request(probe.protocol, want, good), "") << probe.id;

    std::vector<std::pair<std::string, HttpRequest>> wrong(5, {"", good});
    wrong[0].first = "path";
    wrong[0].second.path += "x";
    wrong[1].first = "query";
    wrong[1].second.query.emplace_back("extra", "1");
    wrong[2].first = "method";
    wrong[2].second.method = "PATCH";
    wrong[3].first = "body";
    wrong[3].second.body = good.body.substr(0, good.body.size() / 2) + "X";
    wrong[4].first = "content type";
    wrong[4].second.headers.set("Content-Type", "text/html");
    for (const auto& [what, request] : wrong) {
      EXPECT_NE(compare_request(probe.protocol, want, request), "") << probe.id << " " << what;
    }
  }
}

TEST(BotocoreProtocol, ComparisonsSeeWrongResults) {
  struct Probe {
    std::string protocol, id, member;
    json wrong;
  };
  for (const auto& probe :
       {Probe{"rest-json", "RestJsonSimpleScalarProperties", "foo", "Bar"},
        Probe{"rest-json", "RestJsonSimpleScalarProperties", "DoubleDribble", 6.25},
        Probe{"json", "parses_list_shapes", "ListOfStrings", json::array({"abc"})},
        Probe{"query", "QuerySimpleScalarProperties", "byteValue", "2"},
        Probe{"rest-xml", "XmlBlobs", "data", "value"}}) {
    const ojson file = vectors("output", probe.protocol);
    auto [s, c] = find_case(file, probe.id);
    Suite suite{probe.protocol, s->at("metadata"), s->at("shapes")};
    Arena arena;
    Needs needs;
    const ojson& want = c->at("result");
    Operation op = convert_output(suite, c->at("given"), want, arena, needs);
    ASSERT_TRUE(needs.names.empty()) << probe.id;
    Result result = parse_response(service_of(suite, arena), op, response_of(*c));
    EXPECT_EQ(compare_result(suite, c->at("given"), want, result), "") << probe.id;
    Result changed = result;
    ASSERT_TRUE(changed.output.contains(probe.member)) << probe.id << " " << result.output.dump();
    changed.output[probe.member] = probe.wrong;
    EXPECT_NE(compare_result(suite, c->at("given"), want, changed), "") << probe.id;
    changed = result;
    changed.output.erase(probe.member);
    EXPECT_NE(compare_result(suite, c->at("given"), want, changed), "") << probe.id;
  }
}

TEST(BotocoreProtocol, RestJsonInput) {
  Tally t = run_input("rest-json");
  t.report("input/rest-json.json");
  expect_all_passed(t, 89);
}

TEST(BotocoreProtocol, JsonInput) {
  Tally t = run_input("json");
  t.report("input/json.json");
  expect_all_passed(t, 46);
}

TEST(BotocoreProtocol, QueryInput) {
  Tally t = run_input("query");
  t.report("input/query.json");
  expect_all_passed(t, 18);
}

TEST(BotocoreProtocol, RestXmlInput) {
  Tally t = run_input("rest-xml");
  t.report("input/rest-xml.json");
  expect_all_passed(t, 63);
}

TEST(BotocoreProtocol, RestJsonOutput) {
  Tally t = run_output("rest-json");
  t.report("output/rest-json.json");
  expect_all_passed(t, 63);
}

TEST(BotocoreProtocol, JsonOutput) {
  Tally t = run_output("json");
  t.report("output/json.json");
  expect_all_passed(t, 45);
}

TEST(BotocoreProtocol, QueryOutput) {
  Tally t = run_output("query");
  t.report("output/query.json");
  expect_all_passed(t, 27);
}

TEST(BotocoreProtocol, RestXmlOutput) {
  Tally t = run_output("rest-xml");
  t.report("output/rest-xml.json");
  expect_all_passed(t, 49);
}

}  // namespace
}  // namespace ld::aws
