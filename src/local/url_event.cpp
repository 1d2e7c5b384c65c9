#include "local/url_event.hpp"

#include <map>
#include <vector>

#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "local/wire_decode.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// "18/Apr/2023:17:01:46 +0000".
std::string clf_time(Timestamp t) {
  std::time_t seconds =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return out;
}

std::vector<std::string> cookies_of(const Headers& headers) {
  std::vector<std::string> out;
  for (const auto& field : headers.fields()) {
    if (!iequals(field.name, "Cookie")) continue;
    for (auto& part : split(field.value, ';')) {
      std::string_view cookie = trim(part);
      if (!cookie.empty()) out.emplace_back(cookie);
    }
  }
  return out;
}

}  // namespace

bool is_text_content(std::string_view content_type) {
  std::string type = to_lower(trim(content_type.substr(0, content_type.find(';'))));
  return type.starts_with("text/") || type == "application/json" ||
         type == "application/javascript" || type == "application/xml" ||
         type == "application/x-www-form-urlencoded" || type.ends_with("+json") ||
         type.ends_with("+xml");
}

json url_event(const HttpRequest& request, const UrlEventContext& context) {
  json headers = json::object();
  for (const auto& field : request.headers.fields()) {
    std::string name = to_lower(field.name);
    if (headers.contains(name)) {
      headers[name] = headers[name].get<std::string>() + "," + field.value;
    } else {
      headers[name] = field.value;
    }
  }
  headers["x-forwarded-for"] = context.source_ip;
  headers["x-forwarded-proto"] = "http";
  headers["x-forwarded-port"] = std::to_string(context.local_port);
  headers["x-amzn-trace-id"] = context.trace_id;

  json query = json::object();
  for (const auto& [key, value] : request.query) {
    if (query.contains(key)) {
      query[key] = query[key].get<std::string>() + "," + value;
    } else {
      query[key] = value;
    }
  }
  const std::string user_agent = request.headers.get("User-Agent").value_or("");
  const auto epoch_ms = context.time.time_since_epoch().count();

  json event = {{"version", "2.0"},
                {"routeKey", "$default"},
                {"rawPath", context.raw_path},
                {"rawQueryString", context.raw_query}};
  auto cookies = cookies_of(request.headers);
  if (!cookies.empty()) event["cookies"] = cookies;
  event["headers"] = std::move(headers);
  if (!query.empty()) event["queryStringParameters"] = std::move(query);
  event["requestContext"] = {{"accountId", context.account},
                             {"apiId", context.url_id},
                             {"domainName", request.headers.get("Host").value_or(request.host)},
                             {"domainPrefix", context.url_id},
                             {"http",
                              {{"method", request.method},
                               {"path", uri_decode(context.raw_path)},
                               {"protocol", "HTTP/1.1"},
                               {"sourceIp", context.source_ip},
                               {"userAgent", user_agent}}},
                             {"requestId", context.request_id},
                             {"routeKey", "$default"},
                             {"stage", "$default"},
                             {"time", clf_time(context.time)},
                             {"timeEpoch", epoch_ms}};
  bool base64 = false;
  if (!request.body.empty()) {
    base64 = !is_text_content(request.headers.get("Content-Type").value_or(""));
    event["body"] = base64 ? base64_encode(request.body) : request.body;
  }
  event["isBase64Encoded"] = base64;
  return event;
}

HttpResponse url_error(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.headers.set("Content-Type", "application/json");
  response.body = json{{"Message", message}}.dump();
  return response;
}

HttpResponse url_response(std::string_view payload) {
  // Bounded: a function may echo a web client's JSON back, nested as deep as the client liked.
  json result = parse_json_within_depth(payload);
  if (result.is_discarded()) {
    // Too deep to be a response object: valid JSON is passed on as it is, as any non-object.
    if (!json::accept(payload)) return url_error(502, "Internal Server Error");
    HttpResponse passed;
    passed.status = 200;
    passed.body = std::string(payload);
    passed.headers.set("Content-Type", "application/json");
    return passed;
  }
  HttpResponse response;
  response.status = 200;
  if (result.is_object() && result.contains("statusCode")) {
    const json& status = result["statusCode"];
    if (!status.is_number_integer() || status.get<int>() < 100 || status.get<int>() > 599)
      return url_error(502, "Internal Server Error");
    response.status = status.get<int>();
    if (auto it = result.find("headers"); it != result.end() && it->is_object()) {
      for (const auto& [name, value] : it->items())
        response.headers.set(name, value.is_string() ? value.get<std::string>() : value.dump());
    }
    if (auto it = result.find("cookies"); it != result.end() && it->is_array()) {
      for (const auto& cookie : *it)
        if (cookie.is_string()) response.headers.add("Set-Cookie", cookie.get<std::string>());
    }
    if (auto it = result.find("body"); it != result.end() && !it->is_null()) {
      std::string body = it->is_string() ? it->get<std::string>() : it->dump();
      if (result.value("isBase64Encoded", false)) {
        auto decoded = base64_decode(body);
        if (!decoded) return url_error(502, "Internal Server Error");
        body = std::move(*decoded);
      }
      response.body = std::move(body);
    }
  } else {
    response.body = result.is_string() ? result.get<std::string>() : result.dump();
  }
  if (!response.headers.has("Content-Type"))
    response.headers.set("Content-Type", "application/json");
  return response;
}

}  // namespace ld::local
