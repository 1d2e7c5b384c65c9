#include "aws/http.hpp"

#include <charconv>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ld::aws {

Endpoint Endpoint::parse(std::string_view url) {
  Endpoint e;
  auto bad = [&](const std::string& why) {
    return Error("endpoint URL '" + std::string(url) + "' is not valid: " + why);
  };
  auto sep = url.find("://");
  if (sep == std::string_view::npos) throw bad("it needs a scheme, as in http://127.0.0.1:4566");
  e.scheme = to_lower(url.substr(0, sep));
  if (e.scheme != "http" && e.scheme != "https") throw bad("the scheme must be http or https");
  auto rest = url.substr(sep + 3);
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    auto base = rest.substr(slash);
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    e.base_path = std::string(base);
  }
  if (authority.empty()) throw bad("it has no host");
  if (authority.front() == '[') {  // IPv6 literal
    auto close = authority.find(']');
    if (close == std::string_view::npos) throw bad("unclosed '[' in the host");
    e.host = std::string(authority.substr(0, close + 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') throw bad("junk after the host");
    if (!authority.empty())
      authority.remove_prefix(1);
    else
      authority = {};
    if (!authority.empty()) {
      int p = 0;
      auto [ptr, ec] = std::from_chars(authority.data(), authority.data() + authority.size(), p);
      if (ec != std::errc() || ptr != authority.data() + authority.size() || p <= 0 || p > 65535)
        throw bad("the port must be a number from 1 to 65535");
      e.port = p;
    }
    return e;
  }
  auto colon = authority.rfind(':');
  e.host = to_lower(authority.substr(0, colon));
  if (e.host.empty()) throw bad("it has no host");
  if (colon != std::string_view::npos) {
    auto ps = authority.substr(colon + 1);
    int p = 0;
    auto [ptr, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), p);
    if (ec != std::errc() || ptr != ps.data() + ps.size() || p <= 0 || p > 65535)
      throw bad("the port must be a number from 1 to 65535");
    e.port = p;
  }
  return e;
}

std::string Endpoint::to_string() const {
  std::string out = scheme + "://" + host;
  if (port) out += ":" + std::to_string(*port);
  return out + base_path;
}

}  // namespace ld::aws
