#include "service/upstream.hpp"

#include <chrono>
#include <string>

#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::service {
namespace {

bool is_json_type(std::string_view type) {
  const std::string lower = ld::to_lower(type);
  return lower.find("json") != std::string::npos;
}

// Where a redirect goes: an absolute URL as given, an absolute path on the same origin.
std::string resolve_location(const ld::HttpRequest& from, const std::string& location) {
  if (location.rfind("http://", 0) == 0 || location.rfind("https://", 0) == 0) return location;
  std::string origin = from.scheme + "://" + from.authority();
  if (!location.empty() && location[0] == '/') return origin + location;
  std::string base = from.path.substr(0, from.path.rfind('/') + 1);
  return origin + base + location;
}

std::string short_body(const std::string& body) {
  return body.size() <= 300 ? body : body.substr(0, 300) + "…";
}

}  // namespace

nlohmann::json UpstreamResult::to_json() const {
  nlohmann::json headers_json = nlohmann::json::object();
  for (const auto& field : headers) headers_json[field.name] = field.value;
  nlohmann::json content;
  if (is_json_type(content_type())) {
    content = nlohmann::json::parse(body, nullptr, false);
    if (content.is_discarded()) content = body;
  } else {
    // Text, or bytes the caller chose to show: invalid UTF-8 is replaced, never thrown on.
    content = body;
  }
  return nlohmann::json{{"headers", std::move(headers_json)},
                        {"content", std::move(content)},
                        {"duration", duration}};
}

ld::HttpRequest request_for_url(std::string_view url) {
  ld::HttpRequest request;
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    throw ld::Error("not a URL: '" + std::string(url) + "'");
  request.scheme = ld::to_lower(url.substr(0, scheme_end));
  if (request.scheme != "http" && request.scheme != "https") {
    throw ld::Error("URL '" + std::string(url) + "' is not http or https");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  const auto path_start = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, path_start);
  rest = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (authority.empty()) throw ld::Error("URL '" + std::string(url) + "' has no host");
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    const std::string port(authority.substr(colon + 1));
    try {
      request.port = std::stoi(port);
    } catch (const std::exception&) {
      throw ld::Error("URL '" + std::string(url) + "' has a bad port '" + port + "'");
    }
    authority = authority.substr(0, colon);
  }
  request.host = std::string(authority);
  const auto query_start = rest.find('?');
  std::string path(rest.substr(0, query_start));
  request.path = path.empty() ? "/" : path;
  if (query_start != std::string_view::npos) {
    for (const auto& pair : ld::split(rest.substr(query_start + 1), '&')) {
      if (pair.empty()) continue;
      const auto eq = pair.find('=');
      request.query.emplace_back(
          ld::uri_decode(pair.substr(0, eq), true),
          eq == std::string::npos ? "" : ld::uri_decode(pair.substr(eq + 1), true));
    }
  }
  return request;
}

UpstreamResult Upstream::get(const std::string& url, const ld::Headers& headers,
                             std::string_view same_host_only) const {
  const auto started = std::chrono::steady_clock::now();
  std::string current = url;
  const ld::HttpRequest first = request_for_url(url);
  for (int hop = 0;; ++hop) {
    ld::HttpRequest request = request_for_url(current);
    request.headers = headers;
    if (!same_host_only.empty() && request.authority() != first.authority()) {
      for (const auto& name : ld::split(same_host_only, ','))
        request.headers.remove(ld::trim(name));
    }
    ld::HttpResponse response;
    try {
      response = transport_->send(request);
    } catch (const ld::TransportError& error) {
      if (error.kind() == ld::TransportError::Kind::Timeout) {
        throw UpstreamTimeout("upstream " + request.url() +
                              " did not answer in time: " + error.what());
      }
      throw UpstreamError(0, request.url(), "",
                          "upstream " + request.url() + " could not be reached: " + error.what());
    }
    const int status = response.status;
    if (status >= 300 && status < 400 && status != 304) {
      const auto location = response.headers.get("location");
      if (!location || location->empty()) {
        throw UpstreamError(status, request.url(), response.body,
                            "upstream " + request.url() + " redirected without a Location");
      }
      if (hop >= max_redirects_) {
        throw UpstreamError(status, request.url(), "",
                            "upstream " + url + " redirected more than " +
                                std::to_string(max_redirects_) + " times");
      }
      current = resolve_location(request, *location);
      continue;
    }
    if (status < 200 || status >= 300) {
      throw UpstreamError(status, request.url(), response.body,
                          "upstream " + request.url() + " answered " + std::to_string(status) +
                              ": " + short_body(response.body));
    }
    UpstreamResult result;
    result.status = status;
    result.headers = std::move(response.headers);
    result.body = std::move(response.body);
    result.duration =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }
}

}  // namespace ld::service
