#pragma once
// An HTTP response as a route handler returns it; adapters turn it into a Function URL result
// or bytes on a socket.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/http.hpp"

namespace ld::web {

// One outgoing response.
struct Response {
  int status = 200;
  Headers headers;
  std::vector<std::string> cookies;  // Set-Cookie values, one per cookie
  std::string body;                  // bytes
  // True when the body is not text (adapters base64 it for Lambda). Set by the constructors
  // below from the content type; a handler may override it.
  bool binary = false;

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response bytes(int status, std::string body, std::string_view content_type);
};

// The reason phrase HTTP/1.1 gives a status ("Not Found"): core's table.
using ld::reason_phrase;

// Whether a content type is text (text/*, JSON, XML, JavaScript, form data, markdown).
bool is_text_content_type(std::string_view content_type);

}  // namespace ld::web
