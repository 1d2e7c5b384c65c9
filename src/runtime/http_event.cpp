#include "runtime/http_event.hpp"

#include <charconv>
#include <cstdint>

#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::runtime {

namespace {

using nlohmann::json;

// The string at event[key], or "" when missing or not a string.
std::string_view string_at(const json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

const json* object_at(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return nullptr;
  return &*it;
}

// A header or cookie value as text (numbers and booleans as their JSON text).
std::string value_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return {};
  return value.dump();
}

std::pair<std::string, std::string> split_cookie(std::string_view cookie) {
  std::string_view c = trim(cookie);
  auto eq = c.find('=');
  if (eq == std::string_view::npos) return {std::string(c), std::string()};
  return {std::string(trim(c.substr(0, eq))), std::string(trim(c.substr(eq + 1)))};
}

const char* kind_of(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "a JSON object";
    case json::value_t::array:
      return "a JSON array";
    case json::value_t::string:
      return "a JSON string";
    case json::value_t::boolean:
      return "a JSON boolean";
    case json::value_t::null:
      return "JSON null";
    case json::value_t::discarded:
      return "a payload that is not JSON";
    default:
      return "a JSON number";
  }
}

// Appends `text` as a JSON string literal.
void append_json_string(std::string& out, std::string_view text) {
  if (!is_valid_utf8(text)) {
    out += json(std::string(text)).dump(-1, ' ', false, json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(text.data() + run, text.size() - run);
  out += '"';
}

bool is_authorizer_event(const json& event) {
  return event.contains("routeArn") || event.contains("methodArn");
}

}  // namespace

std::string_view strip_bom(std::string_view payload) {
  if (payload.size() >= 3 && payload.substr(0, 3) == "\xEF\xBB\xBF") payload.remove_prefix(3);
  return payload;
}

bool is_http_event(const json& event) {
  if (!event.is_object() || is_authorizer_event(event)) return false;
  const json* context = object_at(event, "requestContext");
  if (context == nullptr || object_at(*context, "http") == nullptr) return false;
  auto raw_path = event.find("rawPath");
  return (raw_path != event.end() && raw_path->is_string()) || string_at(event, "version") == "2.0";
}

std::string unsupported_event_message(const json& event) {
  std::string message =
      "the event is not an HTTP request event (a Function URL or API Gateway HTTP API event, "
      "payload format 2.0, with requestContext.http and rawPath); got ";
  if (event.is_object() && is_authorizer_event(event)) {
    message += "a Lambda authorizer event";
    if (auto type = string_at(event, "type"); !type.empty()) {
      message += " (type ";
      message += type;
      message += ")";
    }
    return message;
  }
  message += kind_of(event);
  if (event.is_object()) {
    if (event.empty()) {
      message += " with no keys";
    } else {
      message += " with keys [";
      std::size_t shown = 0;
      for (auto it = event.begin(); it != event.end(); ++it) {
        if (shown == 20) {
          message += ", ...";
          break;
        }
        if (shown++ != 0) message += ", ";
        message += it.key();
      }
      message += "]";
    }
  }
  return message;
}

web::Request request_from_event(const json& event, std::string_view invocation_id) {
  web::Request request;
  const json* context = object_at(event, "requestContext");
  const json* http = context ? object_at(*context, "http") : nullptr;
  request.method = to_upper(http ? string_at(*http, "method") : std::string_view());
  request.raw_path = std::string(string_at(event, "rawPath"));
  if (request.raw_path.empty() && http) request.raw_path = std::string(string_at(*http, "path"));
  if (request.raw_path.empty()) request.raw_path = "/";
  request.path = uri_decode(request.raw_path);
  request.raw_query = std::string(string_at(event, "rawQueryString"));
  request.query = web::parse_query(request.raw_query);
  if (const json* headers = object_at(event, "headers")) {
    for (auto it = headers->begin(); it != headers->end(); ++it)
      request.headers.add(it.key(), value_text(it.value()));
  }
  if (auto cookies = event.find("cookies"); cookies != event.end() && cookies->is_array()) {
    request.cookies.reserve(cookies->size());
    for (const auto& cookie : *cookies) {
      if (cookie.is_string())
        request.cookies.push_back(split_cookie(cookie.get_ref<const std::string&>()));
    }
  }
  if (auto body = event.find("body"); body != event.end() && body->is_string()) {
    const auto& text = body->get_ref<const std::string&>();
    auto encoded = event.find("isBase64Encoded");
    bool base64 = encoded != event.end() && encoded->is_boolean() && encoded->get<bool>();
    std::optional<std::string> decoded;
    if (base64) decoded = base64_decode(text);
    // Some producers mark plain text as base64 (events/NOTES.md); keep such a body as sent.
    request.body = decoded ? std::move(*decoded) : text;
  }
  if (http) request.source_ip = std::string(string_at(*http, "sourceIp"));
  if (context) request.request_id = std::string(string_at(*context, "requestId"));
  if (request.request_id.empty()) request.request_id = std::string(invocation_id);
  return request;
}

json result_from_response(const web::Response& response) {
  json headers = json::object();
  std::vector<std::string> names;  // first spelling of each name, for case-insensitive joining
  json cookies = json::array();
  for (const auto& cookie : response.cookies) cookies.push_back(cookie);
  for (const auto& field : response.headers) {
    if (iequals(field.name, "Set-Cookie")) {
      cookies.push_back(field.value);
      continue;
    }
    const std::string* known = nullptr;
    for (const auto& name : names) {
      if (iequals(name, field.name)) {
        known = &name;
        break;
      }
    }
    if (known) {
      auto& value = headers[*known].get_ref<std::string&>();
      value += ',';
      value += field.value;
    } else {
      names.push_back(field.name);
      headers[field.name] = field.value;
    }
  }
  json result = json::object();
  result["statusCode"] = response.status;
  result["headers"] = std::move(headers);
  result["cookies"] = std::move(cookies);
  bool base64 = response.binary || !is_valid_utf8(response.body);
  result["body"] = base64 ? base64_encode(response.body) : response.body;
  result["isBase64Encoded"] = base64;
  return result;
}

void write_result(const web::Response& response, std::string& out) {
  out.clear();
  out += "{\"statusCode\":";
  char digits[16];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, response.status);
  out.append(digits, end);
  out += ",\"headers\":{";
  const auto& fields = response.headers.fields();
  bool first = true;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const auto& name = fields[i].name;
    if (iequals(name, "Set-Cookie")) continue;
    bool seen = false;
    for (std::size_t j = 0; j < i && !seen; ++j) seen = iequals(fields[j].name, name);
    if (seen) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    bool repeated = false;
    for (std::size_t k = i + 1; k < fields.size() && !repeated; ++k)
      repeated = iequals(fields[k].name, name);
    if (!repeated) {
      append_json_string(out, fields[i].value);
      continue;
    }
    std::string joined = fields[i].value;
    for (std::size_t k = i + 1; k < fields.size(); ++k) {
      if (iequals(fields[k].name, name)) joined.append(",").append(fields[k].value);
    }
    append_json_string(out, joined);
  }
  out += "},\"cookies\":[";
  first = true;
  for (const auto& cookie : response.cookies) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, cookie);
  }
  for (const auto& field : fields) {
    if (!iequals(field.name, "Set-Cookie")) continue;
    if (!first) out += ',';
    first = false;
    append_json_string(out, field.value);
  }
  out += "],\"body\":";
  bool base64 = response.binary || !is_valid_utf8(response.body);
  if (base64) {
    out += '"';
    out += base64_encode(response.body);
    out += '"';
  } else {
    append_json_string(out, response.body);
  }
  out += base64 ? ",\"isBase64Encoded\":true}" : ",\"isBase64Encoded\":false}";
}

web::Response response_from_result(const json& result) {
  web::Response response;
  if (!result.is_object() || !result.contains("statusCode")) {
    response.headers.set("content-type", "application/json");
    response.body = result.dump();
    return response;
  }
  const json& status = result["statusCode"];
  response.status = status.is_number_integer() ? status.get<int>() : 500;
  if (const json* headers = object_at(result, "headers")) {
    for (auto it = headers->begin(); it != headers->end(); ++it)
      response.headers.add(it.key(), value_text(it.value()));
  }
  if (auto cookies = result.find("cookies"); cookies != result.end() && cookies->is_array()) {
    for (const auto& cookie : *cookies) response.cookies.push_back(value_text(cookie));
  }
  if (auto body = result.find("body"); body != result.end()) {
    response.body = body->is_string() ? body->get<std::string>() : body->dump();
  }
  auto encoded = result.find("isBase64Encoded");
  if (encoded != result.end() && encoded->is_boolean() && encoded->get<bool>()) {
    response.binary = true;
    if (auto decoded = base64_decode(response.body)) response.body = std::move(*decoded);
  }
  return response;
}

json event_from_request(const web::Request& request) {
  json headers = json::object();
  for (const auto& field : request.headers) {
    auto it = headers.find(field.name);
    if (it == headers.end()) {
      headers[field.name] = field.value;
    } else {
      it->get_ref<std::string&>() += "," + field.value;
    }
  }
  json event = json::object();
  event["version"] = "2.0";
  event["routeKey"] = "$default";
  event["rawPath"] = request.raw_path.empty() ? uri_encode(request.path, true) : request.raw_path;
  event["rawQueryString"] = request.raw_query;
  if (!request.cookies.empty()) {
    json cookies = json::array();
    for (const auto& [name, value] : request.cookies) cookies.push_back(name + "=" + value);
    event["cookies"] = std::move(cookies);
  }
  event["headers"] = std::move(headers);
  event["requestContext"] = {{"requestId", request.request_id},
                             {"routeKey", "$default"},
                             {"stage", "$default"},
                             {"http",
                              {{"method", request.method},
                               {"path", request.path},
                               {"protocol", "HTTP/1.1"},
                               {"sourceIp", request.source_ip},
                               {"userAgent", request.headers.get("user-agent").value_or("")}}}};
  bool base64 = !is_valid_utf8(request.body);
  event["body"] = base64 ? base64_encode(request.body) : request.body;
  event["isBase64Encoded"] = base64;
  return event;
}

bool is_valid_utf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t extra = 0;
    std::uint32_t min = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, code = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, code = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, code = c & 0x07u;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= extra) return false;
    for (std::size_t i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3Fu);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

}  // namespace ld::runtime
