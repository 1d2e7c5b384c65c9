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

void collect_body(Response& response) {
  if (!response.stream) return;
  auto stream = std::move(response.stream);
  response.stream = nullptr;
  while (stream(response.body)) {
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
