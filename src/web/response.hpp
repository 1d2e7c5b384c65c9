#pragma once
// An HTTP response as a route handler returns it; adapters turn it into a Function URL result
// or bytes on a socket.
#include <functional>
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
  // A body produced piece by piece instead of `body`, for documents too large to hold whole:
  // each call appends the next piece to its argument and returns false once there is no more.
  // The local server sends it chunked as it goes; adapters that need the whole body call
  // collect_body(). An exception from it ends the body early (the server drops the connection).
  std::function<bool(std::string&)> stream;

  static Response json(int status, const nlohmann::json& body);
  static Response text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response bytes(int status, std::string body, std::string_view content_type);
};

// Runs the response's stream, if it has one, to its end into `body`. Throws what the stream throws.
void collect_body(Response& response);

// The reason phrase HTTP/1.1 gives a status ("Not Found"): core's table.
using ld::reason_phrase;

// Whether a content type is text (text/*, JSON, XML, JavaScript, form data, markdown).
bool is_text_content_type(std::string_view content_type);

}  // namespace ld::web
