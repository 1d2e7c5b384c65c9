// /threat-intelligence: what ipdata.co knows about an IP address.
#include "core/encoding.hpp"
#include "service/routes.hpp"
#include "web/params.hpp"

namespace ld::service {
namespace {

// IPv4 or IPv6 characters only, so the address cannot change the upstream path.
bool looks_like_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  for (char c : text) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex && c != '.' && c != ':') return false;
  }
  return true;
}

}  // namespace

void add_threat_intelligence_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams) {
  web::RouteSpec spec;
  spec.summary = "ipdata.co's details of an IP address";
  spec.tag = "threat-intelligence";
  spec.query = {{"ip_address", web::ParamType::String, false, "8.8.8.8", "IPv4 or IPv6 address"}};
  app.get("/threat-intelligence/ip-address-details", spec,
          [upstreams](web::Request&, const web::Params& params) {
            return answer([&] {
              const std::string ip = params.string("ip_address");
              if (!looks_like_ip(ip)) {
                throw web::ValidationError({web::FieldError{"value_error",
                                                            {"query", "ip_address"},
                                                            "Value error, not an IP address",
                                                            ip,
                                                            nullptr}});
              }
              if (upstreams->settings.ip_data_api_key.empty()) {
                return web::Response::json(
                    503, {{"detail", {{"message", "IP_DATA__API_KEY is not set on the server"}}}});
              }
              std::string base = upstreams->settings.ip_data_api_url;
              while (!base.empty() && base.back() == '/') base.pop_back();
              const auto url = base + "/" + ip +
                               "?api-key=" + ld::uri_encode(upstreams->settings.ip_data_api_key);
              return web::Response::json(200, upstreams->plain.get(url, {}).to_json());
            });
          });
}

}  // namespace ld::service
