// XML <-> JSON for the XML protocols (query, rest-xml), without shapes.
#include "aws/protocol_detail.hpp"

#include <set>
#include <utility>
#include <vector>

#include <pugixml.hpp>

#include "core/error.hpp"

namespace ld::aws::detail {
namespace {

std::string local_name(const char* name) {
  std::string_view n(name);
  auto colon = n.find(':');
  return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
}

std::string node_text(const pugi::xml_node& node) {
  std::string text;
  for (auto child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      text += child.value();
  }
  return text;
}

json xml_value(const pugi::xml_node& node) {
  std::vector<pugi::xml_node> elements;
  for (auto child : node.children())
    if (child.type() == pugi::node_element) elements.push_back(child);
  if (elements.empty()) return node_text(node);

  auto all_named = [&](std::string_view name) {
    for (const auto& e : elements)
      if (local_name(e.name()) != name) return false;
    return true;
  };
  if (all_named("member")) {
    json list = json::array();
    for (const auto& e : elements) list.push_back(xml_value(e));
    return list;
  }
  if (all_named("entry")) {
    bool keyed = true;
    for (const auto& e : elements) {
      bool has_key = false;
      for (auto c : e.children())
        if (c.type() == pugi::node_element && local_name(c.name()) == "key") has_key = true;
      keyed = keyed && has_key;
    }
    if (keyed) {
      json map = json::object();
      for (const auto& e : elements) {
        std::string key;
        json value = "";
        for (auto c : e.children()) {
          if (c.type() != pugi::node_element) continue;
          std::string n = local_name(c.name());
          if (n == "key") key = node_text(c);
          if (n == "value") value = xml_value(c);
        }
        map[key] = std::move(value);
      }
      return map;
    }
  }
  json object = json::object();
  std::set<std::string> repeated;
  for (const auto& e : elements) {
    std::string name = local_name(e.name());
    json value = xml_value(e);
    auto it = object.find(name);
    if (it == object.end()) {
      object[name] = std::move(value);
    } else {
      if (!repeated.contains(name)) {
        *it = json::array({std::move(*it)});
        repeated.insert(name);
      }
      it->push_back(std::move(value));
    }
  }
  return object;
}

bool valid_xml_name(std::string_view name) {
  if (name.empty()) return false;
  auto start = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  if (!start(name.front())) return false;
  for (char c : name) {
    if (!start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  }
  return true;
}

void escape_xml(std::string& out, std::string_view text, bool attribute) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        out.push_back(c);
        break;
      default:
        out.push_back(c);
    }
  }
}

void write_xml(std::string& out, const std::string& name, const json& value) {
  if (value.is_null()) return;
  if (value.is_array()) {
    for (const auto& item : value) write_xml(out, name, item);
    return;
  }
  if (!valid_xml_name(name)) throw Error("'" + name + "' cannot be an XML element name");
  out += '<' + name + '>';
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) write_xml(out, key, child);
  } else {
    escape_xml(out, scalar_text(value, "XML element <" + name + ">"), false);
  }
  out += "</" + name + '>';
}

}  // namespace

std::string json_to_xml(std::string_view root, const json& value, std::string_view xmlns) {
  std::string name(root);
  if (!valid_xml_name(name)) throw Error("'" + name + "' cannot be an XML element name");
  std::string out = "<" + name;
  if (!xmlns.empty()) {
    out += " xmlns=\"";
    escape_xml(out, xmlns, true);
    out += '"';
  }
  out += '>';
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) write_xml(out, key, child);
  } else if (value.is_array()) {
    for (const auto& item : value) write_xml(out, "member", item);
  } else if (!value.is_null()) {
    escape_xml(out, scalar_text(value, "XML element <" + name + ">"), false);
  }
  out += "</" + name + '>';
  return out;
}

std::optional<XmlDocument> parse_xml(std::string_view text) {
  pugi::xml_document doc;
  auto parsed = doc.load_buffer(text.data(), text.size(),
                                pugi::parse_default | pugi::parse_ws_pcdata, pugi::encoding_utf8);
  if (!parsed) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (!root) return std::nullopt;
  return XmlDocument{local_name(root.name()), xml_value(root)};
}

}  // namespace ld::aws::detail
