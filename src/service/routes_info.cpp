// /info: the service's version and the address it calls out from.
#include "core/strings.hpp"
#include "service/routes.hpp"
#include "web/params.hpp"

namespace ld::service {

void add_info_routes(web::App& app, std::shared_ptr<const Upstreams> upstreams) {
  app.get("/info/version", {.summary = "The service's version", .tag = "info"},
          [upstreams](web::Request&, const web::Params&) {
            return web::Response::json(200, {{"version", upstreams->settings.version}});
          });
  app.get("/info/ip-address",
          {.summary = "The public IP address the service calls out from", .tag = "info"},
          [upstreams](web::Request&, const web::Params&) {
            return answer([&] {
              const auto result = upstreams->plain.get(upstreams->settings.checkip_url, {});
              return web::Response::json(200, {{"ip_address", std::string(ld::trim(result.body))}});
            });
          });
}

}  // namespace ld::service
