#pragma once
// HTTP types as the AWS client uses them: the generic ones from core, and Endpoint.
#include <optional>
#include <string>
#include <string_view>

#include "core/http.hpp"

namespace ld::aws {

using ld::Headers;
using ld::HttpRequest;
using ld::HttpResponse;
using ld::QueryParams;

// Splits "https://host:port/base" into scheme, host, port and path prefix; throws ld::Error
// naming the URL when it is not an absolute http(s) URL.
struct Endpoint {
  std::string scheme;
  std::string host;
  std::optional<int> port;
  std::string base_path;  // "" or "/prefix" without trailing slash

  static Endpoint parse(std::string_view url);
  std::string to_string() const;
};

}  // namespace ld::aws
