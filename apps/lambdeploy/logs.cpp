// `lambdeploy logs --stage S [--since 10m] [--follow] [--filter PATTERN]`: the function's log
// events across its streams, in time order; --follow keeps printing new ones until Ctrl-C.
#include <chrono>

#include "commands.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "deploy/duration.hpp"
#include "deploy/log_events.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct LogsOptions {
  std::string stage;
  std::string since = "10m";
  std::string filter;
  bool follow = false;
};

std::string clock_text(std::int64_t ms) {
  return format_iso8601(Timestamp(std::chrono::milliseconds(ms)));
}

int logs(Context& ctx, const LogsOptions& options) {
  const auto since = deploy::parse_duration(options.since);
  if (!since)
    throw Error("--since must be a duration like 90s, 10m, 1h or 2d, got " + options.since);
  const deploy::Names names = names_for(ctx, options.stage);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  deploy::LogQuery query{names.log_group(), (now - *since).count(), options.filter};
  Output& out = ctx.out();
  out.doc()["command"] = "logs";
  out.doc()["group"] = query.group;
  out.doc()["events"] = nlohmann::json::array();
  std::string line;
  auto sink = [&](const deploy::LogEvent& event) {
    if (ctx.options.json) {
      out.doc()["events"].push_back(
          {{"timestamp", event.timestamp}, {"stream", event.stream}, {"message", event.message}});
      return;
    }
    line = clock_text(event.timestamp) + " " + event.message;
    if (!line.empty() && line.back() == '\n') line.pop_back();
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
  };
  const auto& client = ctx.clients(options.stage).logs;
  if (options.follow) {
    if (ctx.options.json)
      throw Error("--follow prints lines as they come: it does not go with --json");
    deploy::follow_log_events(
        client, query,
        [&](const auto& event) {
          sink(event);
          std::fflush(stdout);
        },
        ctx.cancelled);
    return kExitOk;  // Ctrl-C ends a follow cleanly
  }
  deploy::read_log_events(client, query, sink);
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace

void add_logs_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<LogsOptions>();
  auto* command = app.add_subcommand("logs", "the function's log events, in time order");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("--since", options->since, "how far back (default 10m; 90s, 1h, 2d)");
  command->add_option("--filter", options->filter, "a CloudWatch Logs filter pattern");
  command->add_flag("--follow,-f", options->follow, "keep printing new events until Ctrl-C");
  command->callback([&ctx, options] { run_command(ctx, [&] { return logs(ctx, *options); }); });
}

}  // namespace ld::cli
