#include "web/response.hpp"

#include "core/strings.hpp"

namespace ld::web {

Response Response::json(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Response Response::text(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.headers.set("Content-Type", std::string(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::bytes(int status, std::string body, std::string_view content_type) {
  Response r = text(status, std::move(body), content_type);
  r.binary = !is_text_content_type(content_type);
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return status < 400 ? "OK" : status < 500 ? "Client Error" : "Server Error";
  }
}

bool is_text_content_type(std::string_view content_type) {
  std::string ct = to_lower(trim(content_type.substr(0, content_type.find(';'))));
  if (ct.rfind("text/", 0) == 0) return true;
  for (std::string_view t :
       {"application/json", "application/xml", "application/javascript",
        "application/x-www-form-urlencoded", "application/yaml", "image/svg+xml"}) {
    if (ct == t) return true;
  }
  return ct.size() > 5 && (ct.ends_with("+json") || ct.ends_with("+xml"));
}

}  // namespace ld::web
