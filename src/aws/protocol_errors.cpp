// The error a response carries, as the JSON and the XML protocols write it.
#include "aws/protocol_detail.hpp"

#include <initializer_list>
#include <map>
#include <utility>

#include "core/strings.hpp"

namespace ld::aws::detail {
namespace {

// The first member named one of `names`, depth first, in a document made by parse_xml.
const json* find_member(const json& value, std::initializer_list<std::string_view> names) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      for (auto name : names)
        if (it.key() == name) return &*it;
    }
  }
  if (value.is_object() || value.is_array()) {
    for (const auto& child : value)
      if (const json* found = find_member(child, names)) return found;
  }
  return nullptr;
}

}  // namespace

std::string sanitize_error_code(std::string_view code) {
  code = trim(code);
  if (auto colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  if (auto hash = code.rfind('#'); hash != std::string_view::npos) code = code.substr(hash + 1);
  return std::string(trim(code));
}

std::string code_for_status(int status) {
  static const std::map<int, std::string_view> kNames = {
      {301, "MovedPermanently"},
      {302, "Found"},
      {304, "NotModified"},
      {307, "TemporaryRedirect"},
      {400, "BadRequest"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "NotFound"},
      {405, "MethodNotAllowed"},
      {408, "RequestTimeout"},
      {409, "Conflict"},
      {411, "LengthRequired"},
      {412, "PreconditionFailed"},
      {413, "RequestEntityTooLarge"},
      {415, "UnsupportedMediaType"},
      {416, "RequestedRangeNotSatisfiable"},
      {429, "TooManyRequests"},
      {500, "InternalServerError"},
      {501, "NotImplemented"},
      {502, "BadGateway"},
      {503, "ServiceUnavailable"},
      {504, "GatewayTimeout"},
  };
  if (auto it = kNames.find(status); it != kNames.end()) return std::string(it->second);
  return "Http" + std::to_string(status);
}

std::string body_excerpt(std::string_view body) {
  constexpr std::size_t kMax = 200;
  std::string_view t = trim(body);
  if (t.empty()) return "<empty body>";
  std::string out;
  for (char c : t.substr(0, kMax)) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? ' ' : c);
  }
  if (t.size() > kMax) out += "...";
  return out;
}

AwsError make_error(const ServiceInfo& service, const Operation& operation,
                    const HttpResponse& response, ErrorParts parts) {
  if (parts.code.empty()) parts.code = code_for_status(response.status);
  return AwsError(std::move(parts.code), std::move(parts.message), response.status,
                  std::move(parts.request_id), std::string(service.id),
                  std::string(operation.name));
}

AwsError parse_json_error(const ServiceInfo& service, const Operation& operation,
                          const HttpResponse& response) {
  ErrorParts parts;
  parts.request_id = request_id_from_headers(response.headers);
  if (auto v = response.headers.get("x-amzn-query-error"); v && !v->empty()) {
    parts.code = sanitize_error_code(std::string_view(*v).substr(0, v->find(';')));
  }
  if (parts.code.empty()) {
    if (auto v = response.headers.get("X-Amzn-ErrorType")) parts.code = sanitize_error_code(*v);
  }
  std::string_view body = trim(response.body);
  if (body.empty()) {
    if (parts.code.empty()) {
      parts.message = "HTTP " + std::to_string(response.status) + " with no body";
    }
    return make_error(service, operation, response, std::move(parts));
  }
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) {
    parts.message = "HTTP " + std::to_string(response.status) + ": " + body_excerpt(body);
    return make_error(service, operation, response, std::move(parts));
  }
  if (parts.code.empty()) {
    for (std::string_view key : {"code", "__type"}) {
      auto it = doc.find(key);
      if (it != doc.end() && it->is_string()) {
        parts.code = sanitize_error_code(it->get<std::string>());
        if (!parts.code.empty()) break;
      }
    }
  }
  // "message" as Lambda's 409s send it, "Message" as its 404s do; any case is accepted.
  for (const auto& [key, value] : doc.items()) {
    if (iequals(key, "message") && value.is_string()) {
      parts.message = value.get<std::string>();
      if (key == "message") break;
    }
  }
  return make_error(service, operation, response, std::move(parts));
}

AwsError parse_xml_error(const ServiceInfo& service, const Operation& operation,
                         const HttpResponse& response) {
  ErrorParts parts;
  parts.request_id = request_id_from_headers(response.headers);
  std::string_view body = trim(response.body);
  if (body.empty()) {
    parts.message = "HTTP " + std::to_string(response.status) + " with no body";
    return make_error(service, operation, response, std::move(parts));
  }
  auto doc = parse_xml(body);
  const json* error = nullptr;
  if (doc) {
    error = doc->root_name == "Error" ? &doc->root : find_member(doc->root, {"Error"});
    if (error && error->is_array()) error = error->empty() ? nullptr : &error->front();
    if (error && !error->is_object()) error = nullptr;
    if (parts.request_id.empty()) {
      if (const json* id = find_member(doc->root, {"RequestId", "RequestID"});
          id && id->is_string()) {
        parts.request_id = std::string(trim(id->get<std::string>()));
      }
    }
  }
  if (!error) {
    parts.message = "HTTP " + std::to_string(response.status) + ": " + body_excerpt(body);
    return make_error(service, operation, response, std::move(parts));
  }
  auto text = [&](const char* key) {
    auto it = error->find(key);
    return it != error->end() && it->is_string() ? std::string(trim(it->get<std::string>()))
                                                 : std::string();
  };
  parts.code = text("Code");
  parts.message = text("Message");
  return make_error(service, operation, response, std::move(parts));
}

}  // namespace ld::aws::detail
