// `lambdeploy invoke --stage S [--payload JSON|@file]`: invoke LIVE directly and print what the
// function answered; a function error prints its type and exits 1.
#include "commands.hpp"
#include "core/encoding.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct InvokeOptions {
  std::string stage;
  std::string payload = "{}";
  bool tail = false;
};

int invoke(Context& ctx, const InvokeOptions& options) {
  std::string payload = options.payload;
  if (payload.starts_with('@')) payload = read_file(payload.substr(1));
  if (!nlohmann::json::accept(payload))
    throw Error("--payload is not JSON: " + payload.substr(0, 80));
  const deploy::Names names = names_for(ctx, options.stage);
  const aws::Result result = ctx.clients(options.stage)
                                 .lambda.invoke({{"FunctionName", names.function},
                                                 {"Qualifier", std::string(deploy::kLiveAlias)},
                                                 {"LogType", "Tail"}},
                                                payload);
  Output& out = ctx.out();
  const std::string function_error = result.output.value("FunctionError", "");
  const nlohmann::json answer = nlohmann::json::parse(result.body, nullptr, false);
  out.doc()["command"] = "invoke";
  out.doc()["function"] = names.function;
  out.doc()["executed_version"] = result.output.value("ExecutedVersion", "");
  out.doc()["payload"] = answer.is_discarded() ? nlohmann::json(result.body) : answer;
  out.doc()["function_error"] =
      function_error.empty() ? nlohmann::json() : nlohmann::json(function_error);
  std::string tail;
  if (auto log = result.output.find("LogResult"); log != result.output.end() && log->is_string())
    tail = base64_decode(log->get<std::string>()).value_or("");
  if (options.tail && !tail.empty()) out.problem(tail);
  out.result(result.body);
  if (function_error.empty()) return kExitOk;
  const std::string type =
      answer.is_object() ? answer.value("errorType", function_error) : function_error;
  out.problem("lambdeploy: function error " + type + " (" + function_error + ") from " +
              names.function + ":" + result.output.value("ExecutedVersion", ""));
  out.doc()["ok"] = false;
  return kExitFailed;
}

}  // namespace

void add_invoke_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<InvokeOptions>();
  auto* command =
      app.add_subcommand("invoke", "invoke the stage's LIVE alias and print the answer");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("--payload,-p", options->payload, "the event: JSON, or @file (default {})");
  command->add_flag("--tail", options->tail, "print the last 4 KB of the invocation's log");
  command->callback([&ctx, options] { run_command(ctx, [&] { return invoke(ctx, *options); }); });
}

}  // namespace ld::cli
