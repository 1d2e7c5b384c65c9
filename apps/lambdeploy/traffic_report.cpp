#include "traffic_report.hpp"

#include "core/time.hpp"

namespace ld::cli {

deploy::TrafficCaller caller_of(Context& ctx, const std::string& stage) {
  const auto identity = ctx.clients(stage).sts.get_caller_identity();
  return {identity.value("Arn", ""), format_iso8601(system_now())};
}

void report(Context& ctx, const std::string& command, const std::string& stage,
            const deploy::TrafficChange& change) {
  Output& out = ctx.out();
  auto live_json = [](const deploy::LiveAlias& alias) {
    nlohmann::json weights = nlohmann::json::object();
    for (const auto& [version, weight] : alias.weights) weights[version] = weight;
    return nlohmann::json{{"version", alias.version}, {"weights", weights}};
  };
  out.doc()["command"] = command;
  out.doc()["stage"] = stage;
  out.doc()["before"] = live_json(change.before);
  out.doc()["after"] = live_json(change.after);
  out.result(change.summary);
}

}  // namespace ld::cli
