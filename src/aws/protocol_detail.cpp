// Shared parts of the wire protocols: URI templates, bindings, scalars as text, JSON bodies.
#include "aws/protocol_detail.hpp"

#include <cmath>
#include <utility>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {
namespace {

std::string label_member(const Operation& operation, std::string_view label) {
  for (const auto& b : operation.input) {
    if (b.location != Location::Uri) continue;
    if (b.name == label || (b.name.empty() && b.member == label)) return std::string(b.member);
  }
  return std::string(label);
}

std::string wire_name(const Binding& b) {
  return std::string(b.name.empty() ? b.member : b.name);
}

// One item of a header list: quoted when it holds a comma or a quote (RFC 7230 lists).
std::string header_list_item(const std::string& text) {
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string expand_path(const ServiceInfo& service, const Operation& operation,
                        std::string_view path, const json& input, std::set<std::string>& consumed) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t open = path.find('{', i);
    if (open == std::string_view::npos) {
      out.append(path.substr(i));
      break;
    }
    out.append(path.substr(i, open - i));
    std::size_t close = path.find('}', open);
    if (close == std::string_view::npos) {
      throw Error(describe(service, operation) + ": the URI template '" +
                  std::string(operation.uri) + "' has an unclosed '{'");
    }
    std::string_view label = path.substr(open + 1, close - open - 1);
    bool greedy = !label.empty() && label.back() == '+';
    if (greedy) label.remove_suffix(1);
    std::string member = label_member(operation, label);
    auto it = input.find(member);
    if (it == input.end() || it->is_null()) {
      throw Error(describe(service, operation) + ": input member '" + member +
                  "' is required (it fills {" + std::string(label) + "} in the request URI)");
    }
    std::string text = scalar_text(*it, describe(service, operation) + " member '" + member + "'");
    if (text.empty()) {
      throw Error(describe(service, operation) + ": input member '" + member +
                  "' must not be empty (it fills {" + std::string(label) + "} in the request URI)");
    }
    out += uri_encode(text, greedy);
    consumed.insert(member);
    i = close + 1;
  }
  return out;
}

void add_query_value(const std::string& key, const json& value, const std::string& what,
                     QueryParams& query) {
  if (value.is_null()) return;
  if (value.is_array()) {
    for (const auto& item : value)
      if (!item.is_null()) query.emplace_back(key, scalar_text(item, what));
    return;
  }
  query.emplace_back(key, scalar_text(value, what));
}

bool has_query_key(const QueryParams& query, const std::string& key) {
  for (const auto& [k, v] : query)
    if (k == key) return true;
  return false;
}

}  // namespace

std::string describe(const ServiceInfo& service, const Operation& operation) {
  return std::string(service.id) + " " + std::string(operation.name);
}

std::string scalar_text(const json& value, std::string_view what) {
  switch (value.type()) {
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::number_integer:
      return std::to_string(value.get<std::int64_t>());
    case json::value_t::number_unsigned:
      return std::to_string(value.get<std::uint64_t>());
    case json::value_t::number_float: {
      double d = value.get<double>();
      if (std::isnan(d)) return "NaN";
      if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
      return value.dump();
    }
    case json::value_t::null:
      return {};
    default:
      throw Error(std::string(what) + " must be a string, number or boolean here, not " +
                  std::string(value.type_name()));
  }
}

std::set<std::string> apply_http_bindings(const ServiceInfo& service, const Operation& operation,
                                          const json& input, HttpRequest& request) {
  if (!input.is_object()) {
    throw Error(describe(service, operation) + ": the input must be a JSON object, not " +
                std::string(input.type_name()));
  }
  std::set<std::string> consumed;
  request.method = std::string(operation.method);
  std::string_view uri = operation.uri.empty() ? std::string_view("/") : operation.uri;
  std::string_view path = uri;
  std::string_view fixed_query;
  if (auto q = uri.find('?'); q != std::string_view::npos) {
    path = uri.substr(0, q);
    fixed_query = uri.substr(q + 1);
  }
  request.path = expand_path(service, operation, path, input, consumed);
  if (request.path.empty()) request.path = "/";
  request.query.clear();
  if (!fixed_query.empty()) {
    for (const auto& part : split(fixed_query, '&')) {
      if (part.empty()) continue;
      auto eq = part.find('=');
      if (eq == std::string::npos) {
        request.query.emplace_back(uri_decode(part), "");
      } else {
        request.query.emplace_back(uri_decode(part.substr(0, eq)), uri_decode(part.substr(eq + 1)));
      }
    }
  }

  // Named query parameters first, then maps spread over the query (a named one wins).
  std::vector<const Binding*> query_maps;
  for (const auto& b : operation.input) {
    std::string member(b.member);
    auto it = input.find(member);
    bool present = it != input.end() && !it->is_null();
    std::string what = describe(service, operation) + " member '" + member + "'";
    switch (b.location) {
      case Location::Uri:
      case Location::Payload:
      case Location::StatusCode:
        consumed.insert(member);
        break;
      case Location::Query:
        consumed.insert(member);
        if (!present) break;
        if (it->is_object()) {
          query_maps.push_back(&b);
        } else {
          add_query_value(wire_name(b), *it, what, request.query);
        }
        break;
      case Location::Header: {
        consumed.insert(member);
        if (!present) break;
        if (it->is_array()) {
          std::string joined;
          for (const auto& item : *it) {
            if (item.is_null()) continue;
            if (!joined.empty()) joined += ", ";
            joined += header_list_item(scalar_text(item, what));
          }
          request.headers.set(wire_name(b), joined);
        } else {
          request.headers.set(wire_name(b), scalar_text(*it, what));
        }
        break;
      }
      case Location::HeaderPrefix:
        consumed.insert(member);
        if (!present) break;
        if (!it->is_object()) throw Error(what + " must be an object (a map of headers)");
        for (const auto& [key, value] : it->items()) {
          if (value.is_null()) continue;
          request.headers.set(std::string(b.name) + key, scalar_text(value, what));
        }
        break;
    }
  }
  QueryParams from_maps;
  for (const Binding* b : query_maps) {
    std::string what = describe(service, operation) + " member '" + std::string(b->member) + "'";
    for (const auto& [key, value] : input.at(std::string(b->member)).items()) {
      if (has_query_key(request.query, key)) continue;
      add_query_value(key, value, what, from_maps);
    }
  }
  request.query.insert(request.query.end(), from_maps.begin(), from_maps.end());
  return consumed;
}

const Binding* payload_binding(const Operation& operation, bool output) {
  for (const auto& b : output ? operation.output : operation.input)
    if (b.location == Location::Payload) return &b;
  return nullptr;
}

void apply_payload(const Binding& binding, const Call& call, HttpRequest& request,
                   std::string_view document_type,
                   const std::function<std::string(const json&)>& document) {
  auto it = call.input.find(std::string(binding.member));
  std::string content_type;
  if (it == call.input.end() || it->is_null()) {
    if (call.body_file) {
      request.body_file = call.body_file;
      content_type = "application/octet-stream";
    } else {
      request.body = call.body;
      if (!request.body.empty()) content_type = "application/octet-stream";
    }
  } else if (it->is_string()) {
    request.body = it->get<std::string>();
    if (!request.body.empty()) content_type = "text/plain";
  } else {
    request.body = document(*it);
    content_type = std::string(document_type);
  }
  if (!content_type.empty() && !request.headers.has("Content-Type")) {
    request.headers.set("Content-Type", content_type);
  }
}

void apply_output_bindings(const Operation& operation, const HttpResponse& response, json& output) {
  for (const auto& b : operation.output) {
    std::string member(b.member);
    switch (b.location) {
      case Location::Header:
        if (auto v = response.headers.get(wire_name(b))) output[member] = *v;
        break;
      case Location::HeaderPrefix: {
        json map = json::object();
        for (const auto& field : response.headers) {
          if (!starts_with_icase(field.name, b.name)) continue;
          std::string key = field.name.substr(b.name.size());
          if (!map.contains(key)) map[key] = field.value;
        }
        output[member] = std::move(map);
        break;
      }
      case Location::StatusCode:
        output[member] = response.status;
        break;
      default:
        break;
    }
  }
}

std::string request_id_from_headers(const Headers& headers) {
  for (std::string_view name : {"x-amzn-RequestId", "x-amz-request-id", "x-amzn-request-id"}) {
    if (auto v = headers.get(name); v && !v->empty()) return *v;
  }
  return {};
}

namespace {

// Removes null members in place, at every depth: a response page can hold thousands of
// events, and copying it once more costs as much as parsing it.
void drop_nulls(json& value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        drop_nulls(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& item : value) drop_nulls(item);
  }
}

}  // namespace

json output_document(json doc) {
  drop_nulls(doc);
  doc.erase("__type");
  return doc;
}

json without_nulls(const json& value) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, child] : value.items()) {
      if (child.is_null()) continue;
      out[key] = without_nulls(child);
    }
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(without_nulls(item));
    return out;
  }
  return value;
}

std::string dump_json(const json& value, std::string_view what) {
  try {
    return value.dump();
  } catch (const json::exception& e) {
    throw Error(std::string(what) + ": the input cannot be written as JSON (" + e.what() + ")");
  }
}

}  // namespace ld::aws::detail
