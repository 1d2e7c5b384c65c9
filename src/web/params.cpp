#include "web/params.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "core/strings.hpp"

namespace ld::web {
namespace {

using nlohmann::json;

std::optional<std::int64_t> parse_integer(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

// The spellings pydantic accepts for a boolean.
std::optional<bool> parse_boolean(std::string_view text) {
  std::string t = to_lower(trim(text));
  for (const char* s : {"1", "on", "t", "true", "y", "yes"})
    if (t == s) return true;
  for (const char* s : {"0", "off", "f", "false", "n", "no"})
    if (t == s) return false;
  return std::nullopt;
}

FieldError error(std::string type, json loc, std::string msg, json input, json ctx = nullptr) {
  return FieldError{std::move(type), std::move(loc), std::move(msg), std::move(input),
                    std::move(ctx)};
}

// Converts one query value; adds an error and returns null when it does not fit the type.
json convert(const QueryParam& p, const std::string& text, std::vector<FieldError>& errors) {
  switch (p.type) {
    case ParamType::String:
      return text;
    case ParamType::Integer:
      if (auto v = parse_integer(text)) return *v;
      errors.push_back(
          error("int_parsing", {"query", p.name},
                "Input should be a valid integer, unable to parse string as an integer", text));
      return nullptr;
    case ParamType::Number:
      if (auto v = parse_number(text)) return *v;
      errors.push_back(error("float_parsing", {"query", p.name},
                             "Input should be a valid number, unable to parse string as a number",
                             text));
      return nullptr;
    case ParamType::Boolean:
      if (auto v = parse_boolean(text)) return *v;
      errors.push_back(error("bool_parsing", {"query", p.name},
                             "Input should be a valid boolean, unable to interpret input", text));
      return nullptr;
  }
  return nullptr;
}

// Whether a JSON value has a JSON Schema type; the pydantic error type and message when not.
bool type_matches(const json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer")
    return v.is_number_integer() ||
           (v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>());
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;  // unknown or absent type: anything goes
}

std::pair<std::string, std::string> type_error(const std::string& type) {
  if (type == "string") return {"string_type", "Input should be a valid string"};
  if (type == "integer") return {"int_type", "Input should be a valid integer"};
  if (type == "number") return {"float_type", "Input should be a valid number"};
  if (type == "boolean") return {"bool_type", "Input should be a valid boolean"};
  if (type == "array") return {"list_type", "Input should be a valid list"};
  if (type == "object") return {"dict_type", "Input should be a valid dictionary"};
  return {"type_error", "Input should be of type " + type};
}

// Checks `v` against the parts of JSON Schema routes use: type, required, properties, items.
void check_schema(const json& v, const json& schema, json loc, std::vector<FieldError>& errors) {
  if (!schema.is_object()) return;
  if (auto t = schema.find("type"); t != schema.end() && t->is_string()) {
    const auto type = t->get<std::string>();
    if (!type_matches(v, type)) {
      auto [etype, msg] = type_error(type);
      if (type == "object" && loc.size() == 1) {
        etype = "model_attributes_type";
        msg = "Input should be a valid dictionary or object to extract fields from";
      }
      errors.push_back(error(etype, std::move(loc), msg, v));
      return;
    }
  }
  if (v.is_object()) {
    // Declared and required fields, by name (nlohmann::json keeps object keys sorted).
    std::vector<std::string> names;
    auto props = schema.find("properties");
    if (props != schema.end() && props->is_object())
      for (const auto& [name, sub] : props->items()) names.push_back(name);
    std::vector<std::string> required;
    if (auto req = schema.find("required"); req != schema.end() && req->is_array())
      for (const auto& name : *req)
        if (name.is_string()) required.push_back(name.get<std::string>());
    names.insert(names.end(), required.begin(), required.end());
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& name : names) {
      json l = loc;
      l.push_back(name);
      auto it = v.find(name);
      if (it == v.end()) {
        if (std::find(required.begin(), required.end(), name) != required.end())
          errors.push_back(error("missing", std::move(l), "Field required", nullptr));
      } else if (props != schema.end() && props->is_object() && props->contains(name)) {
        check_schema(*it, (*props)[name], std::move(l), errors);
      }
    }
  }
  if (v.is_array()) {
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        json l = loc;
        l.push_back(i);
        check_schema(v[i], *items, std::move(l), errors);
      }
    }
  }
}

// nlohmann's message without its "[json.exception.parse_error.101] " prefix.
std::string parse_error_text(const std::exception& e) {
  std::string_view what = e.what();
  if (!what.empty() && what.front() == '[') {
    auto close = what.find("] ");
    if (close != std::string_view::npos) what.remove_prefix(close + 2);
  }
  return std::string(what);
}

}  // namespace

const char* json_type_name(ParamType type) {
  switch (type) {
    case ParamType::String:
      return "string";
    case ParamType::Integer:
      return "integer";
    case ParamType::Number:
      return "number";
    case ParamType::Boolean:
      return "boolean";
  }
  return "string";
}

ValidationError::ValidationError(std::vector<FieldError> errors)
    : ld::Error([&] {
        std::string m = "invalid request:";
        for (const auto& e : errors) m += " " + e.loc.dump() + " " + e.msg + ";";
        return m;
      }()),
      errors_(std::move(errors)) {}

std::string ValidationError::body() const {
  nlohmann::ordered_json detail = nlohmann::ordered_json::array();
  for (const auto& e : errors_) {
    nlohmann::ordered_json item;
    item["type"] = e.type;
    item["loc"] = e.loc;
    item["msg"] = e.msg;
    item["input"] = e.input;
    if (!e.ctx.is_null()) item["ctx"] = e.ctx;
    detail.push_back(std::move(item));
  }
  nlohmann::ordered_json doc;
  doc["detail"] = std::move(detail);
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response ValidationError::response() const {
  return Response::text(400, body(), "application/json");
}

Params Params::parse(const Request& request, const RouteSpec& spec) {
  Params out;
  out.request_ = &request;
  std::vector<FieldError> errors;
  out.values_.reserve(spec.query.size());
  for (const auto& p : spec.query) {
    // Like Starlette, the last of repeated values wins.
    const std::string* text = nullptr;
    for (const auto& [k, v] : request.query)
      if (k == p.name) text = &v;
    json value;
    if (text) {
      value = convert(p, *text, errors);
    } else if (p.required) {
      errors.push_back(error("missing", {"query", p.name}, "Field required", nullptr));
    } else {
      value = p.default_value;
    }
    out.values_.emplace_back(p.name, std::move(value));
  }
  if (!spec.body_schema.is_null() && spec.validate_body) {
    if (trim(request.body).empty()) {
      if (spec.body_required)
        errors.push_back(error("missing", {"body"}, "Field required", nullptr));
    } else {
      try {
        out.body_ = json::parse(request.body);
        check_schema(out.body_, spec.body_schema, {"body"}, errors);
      } catch (const json::parse_error& e) {
        errors.push_back(error("json_invalid", {"body"}, "JSON decode error", json::object(),
                               {{"error", parse_error_text(e)}}));
      }
    }
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
  return out;
}

const nlohmann::json& Params::value(std::string_view name) const {
  for (const auto& [k, v] : values_)
    if (k == name) return v;
  throw std::logic_error("query parameter '" + std::string(name) + "' is not declared");
}

bool Params::has(std::string_view name) const {
  return !value(name).is_null();
}

std::optional<std::string> Params::optional_string(std::string_view name) const {
  const auto& v = value(name);
  if (v.is_null()) return std::nullopt;
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::optional<std::int64_t> Params::optional_integer(std::string_view name) const {
  const auto& v = value(name);
  if (v.is_null()) return std::nullopt;
  if (!v.is_number())
    throw std::logic_error("query parameter '" + std::string(name) + "' is not an integer");
  return v.get<std::int64_t>();
}

std::optional<bool> Params::optional_boolean(std::string_view name) const {
  const auto& v = value(name);
  if (v.is_null()) return std::nullopt;
  if (!v.is_boolean())
    throw std::logic_error("query parameter '" + std::string(name) + "' is not a boolean");
  return v.get<bool>();
}

namespace {
template <typename T>
T required_value(std::optional<T> v, std::string_view name) {
  if (!v) throw std::logic_error("query parameter '" + std::string(name) + "' has no value");
  return std::move(*v);
}
}  // namespace

std::string Params::string(std::string_view name) const {
  return required_value(optional_string(name), name);
}

std::int64_t Params::integer(std::string_view name) const {
  return required_value(optional_integer(name), name);
}

double Params::number(std::string_view name) const {
  const auto& v = value(name);
  if (!v.is_number())
    throw std::logic_error("query parameter '" + std::string(name) + "' has no number value");
  return v.get<double>();
}

bool Params::boolean(std::string_view name) const {
  return required_value(optional_boolean(name), name);
}

std::string Params::path(std::string_view name) const {
  if (request_) {
    if (auto v = request_->path_param(name)) return *v;
  }
  throw std::logic_error("path parameter '" + std::string(name) + "' is not in the route");
}

}  // namespace ld::web
