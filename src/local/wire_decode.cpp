#include "local/wire_decode.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string>

#include <pugixml.hpp>

#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "local/api_call.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (!path.empty()) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// Matches the path part of a URI template; fills `labels` (decoded). Greedy labels ({Key+})
// take the rest of the path.
bool match_path(std::string_view pattern, std::string_view path, json& labels) {
  auto want = segments(pattern);
  auto got = segments(path);
  std::size_t i = 0;
  for (; i < want.size(); ++i) {
    std::string_view w = want[i];
    if (w.starts_with('{') && w.ends_with('}')) {
      std::string_view name = w.substr(1, w.size() - 2);
      if (name.ends_with('+')) {
        if (i >= got.size()) return false;
        std::string rest;
        for (std::size_t j = i; j < got.size(); ++j) {
          if (j > i) rest += '/';
          rest += uri_decode(got[j]);
        }
        labels[std::string(name.substr(0, name.size() - 1))] = rest;
        return true;
      }
      if (i >= got.size() || got[i].empty()) return false;
      labels[std::string(name)] = uri_decode(got[i]);
    } else if (i >= got.size() || got[i] != w) {
      return false;
    }
  }
  return i == got.size();
}

bool has_query_key(const QueryParams& query, std::string_view key) {
  return std::any_of(query.begin(), query.end(), [&](const auto& p) { return p.first == key; });
}

// The template's fixed query ("?uploads", "?list-type=2"): every key must be present.
bool match_fixed_query(std::string_view fixed, const QueryParams& query) {
  while (!fixed.empty()) {
    auto amp = fixed.find('&');
    std::string_view item = fixed.substr(0, amp);
    std::string_view key = item.substr(0, item.find('='));
    if (!key.empty() && !has_query_key(query, key)) return false;
    if (amp == std::string_view::npos) break;
    fixed.remove_prefix(amp + 1);
  }
  return true;
}

void read_bindings(const aws::Operation& operation, const HttpRequest& request, json& input) {
  bool payload_bound = false;
  for (const auto& binding : operation.input) {
    const std::string member(binding.member);
    switch (binding.location) {
      case aws::Location::Uri:
      case aws::Location::StatusCode:
        break;
      case aws::Location::Query: {
        std::vector<std::string> values;
        for (const auto& [key, value] : request.query)
          if (key == binding.name) values.push_back(value);
        if (values.size() == 1) input[member] = values.front();
        if (values.size() > 1) input[member] = values;
        break;
      }
      case aws::Location::Header:
        if (auto value = request.headers.get(binding.name)) input[member] = *value;
        break;
      case aws::Location::HeaderPrefix: {
        json map = json::object();
        for (const auto& field : request.headers.fields()) {
          if (field.name.size() > binding.name.size() &&
              starts_with_icase(field.name, binding.name))
            map[to_lower(field.name.substr(binding.name.size()))] = field.value;
        }
        if (!map.empty()) input[member] = map;
        break;
      }
      case aws::Location::Payload:
        payload_bound = true;
        input[member] = request.body;
        break;
    }
  }
  if (payload_bound || request.body.empty()) return;
  json body = read_json_object(request.body, "the request body of " + std::string(operation.name));
  for (auto& [key, value] : body.items()) {
    if (!input.contains(key)) input[key] = std::move(value);
  }
}

std::optional<std::size_t> index_of(std::string_view text) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0) return std::nullopt;
  return n;
}

// Turns the {"member": {"1": …}} and {"entry": {"1": {key, value}}} nodes into arrays and maps.
// Recurses once per key segment, which unflatten_query bounds by kMaxInputDepth.
json finish(json node) {
  if (!node.is_object()) return node;
  if (node.size() == 1 && node.contains("member") && node["member"].is_object()) {
    std::map<std::size_t, json> items;
    for (auto& [key, value] : node["member"].items())
      items[index_of(key).value()] = finish(std::move(value));
    json list = json::array();
    for (auto& [index, value] : items) list.push_back(std::move(value));
    return list;
  }
  if (node.size() == 1 && node.contains("entry") && node["entry"].is_object()) {
    json map = json::object();
    for (auto& [index, entry] : node["entry"].items()) {
      if (entry.is_object() && entry.contains("key")) {
        json value = entry.contains("value") ? std::move(entry["value"]) : json();
        map[entry["key"].get<std::string>()] = finish(std::move(value));
      }
    }
    return map;
  }
  for (auto& [key, value] : node.items()) value = finish(std::move(value));
  return node;
}

// Refuses a query key of more than kMaxInputDepth dotted segments, before anything is built.
void check_key_depth(const std::string& key) {
  const auto dots = static_cast<std::size_t>(std::count(key.begin(), key.end(), '.'));
  if (dots < kMaxInputDepth) return;
  constexpr std::size_t kShown = 64;
  const std::string shown = key.size() > kShown ? key.substr(0, kShown) + "..." : key;
  throw ApiError("InvalidQueryParameter",
                 "The AWS query string is malformed or does not adhere to AWS standards: the "
                 "parameter '" +
                     shown + "' nests more than " + std::to_string(kMaxInputDepth) +
                     " levels deep");
}

// A JSON parse callback that keeps nothing below kMaxInputDepth and notes that it saw it.
struct DepthLimit {
  bool* exceeded;
  bool operator()(int depth, json::parse_event_t event, json& /*parsed*/) const {
    const bool opens =
        event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    // `depth` counts the containers around this one: the top-level value is at 0.
    if (opens && static_cast<std::size_t>(depth) >= kMaxInputDepth) *exceeded = true;
    return !*exceeded;
  }
};

}  // namespace

std::optional<RestMatch> match_rest(const std::vector<const aws::Operation*>& operations,
                                    const HttpRequest& request) {
  for (const aws::Operation* operation : operations) {
    if (operation->method != request.method) continue;
    std::string_view uri = operation->uri;
    auto question = uri.find('?');
    std::string_view fixed =
        question == std::string_view::npos ? std::string_view() : uri.substr(question + 1);
    json labels = json::object();
    if (!match_path(uri.substr(0, question), request.path, labels)) continue;
    if (!match_fixed_query(fixed, request.query)) continue;
    RestMatch match;
    match.operation = operation;
    match.input = std::move(labels);
    read_bindings(*operation, request, match.input);
    return match;
  }
  return std::nullopt;
}

json unflatten_query(const QueryParams& form) {
  json root = json::object();
  for (const auto& [key, value] : form) check_key_depth(key);
  for (const auto& [key, value] : form) {
    if (key == "Action" || key == "Version" || key.empty()) continue;
    json* node = &root;
    std::string_view rest = key;
    bool bad = false;
    while (true) {
      auto dot = rest.find('.');
      std::string part(rest.substr(0, dot));
      if (dot == std::string_view::npos) {
        if (!node->is_object()) {
          bad = true;
          break;
        }
        // `L=` is an empty list; anything else a scalar.
        (*node)[part] = value;
        break;
      }
      if (!node->is_object()) {
        bad = true;
        break;
      }
      node = &(*node)[part];
      if (node->is_null()) *node = json::object();
      rest.remove_prefix(dot + 1);
    }
    if (bad) throw ApiError("MalformedQueryString", "the parameter '" + key + "' is malformed");
  }
  // An empty value where a list goes ("Tags=") stays "": services read it as an empty list.
  try {
    return finish(std::move(root));
  } catch (const std::exception&) {
    throw ApiError("MalformedQueryString", "a list index in the parameters is not a number");
  }
}

json parse_json_within_depth(std::string_view text) {
  bool exceeded = false;
  json value = json::parse(text, DepthLimit{&exceeded}, false);
  if (exceeded) return json(json::value_t::discarded);
  return value;
}

json read_json_object(std::string_view body, std::string_view what) {
  json value = parse_json_within_depth(body);
  if (value.is_object()) return value;
  // A body too deep to read is told apart from one that is no JSON at all.
  if (value.is_discarded() && json::accept(body)) {
    throw ApiError("SerializationException", std::string(what) + " nests more than " +
                                                 std::to_string(kMaxInputDepth) + " levels deep");
  }
  throw ApiError("SerializationException", std::string(what) + " is not a JSON object");
}

bool xml_within_depth(std::string_view body) {
  pugi::xml_document document;
  if (!document.load_buffer(body.data(), body.size())) return true;
  // Depth-first, with parent links instead of a stack: the document's children are at depth 1.
  std::size_t depth = 1;
  pugi::xml_node node = document.first_child();
  while (node) {
    if (node.type() == pugi::node_element && depth > kMaxInputDepth) return false;
    if (pugi::xml_node child = node.first_child()) {
      node = child;
      ++depth;
      continue;
    }
    while (node && !node.next_sibling() && depth > 1) {
      node = node.parent();
      --depth;
    }
    node = node.next_sibling();
  }
  return true;
}

QueryParams parse_form(std::string_view text) {
  QueryParams out;
  while (!text.empty()) {
    auto amp = text.find('&');
    std::string_view item = text.substr(0, amp);
    if (!item.empty()) {
      auto eq = item.find('=');
      std::string_view key = item.substr(0, eq);
      std::string_view value =
          eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1);
      out.emplace_back(uri_decode(key, true), uri_decode(value, true));
    }
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace ld::local
