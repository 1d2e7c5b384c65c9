// `lambdeploy url --stage S [PATH] [-X METHOD] [-d BODY]`: call the stage's Function URL with its
// API key (from the environment, else its SSM parameter) and print the body. Exit 1 on a status
// of 400 or more.
#include "aws/transport.hpp"
#include "commands.hpp"
#include "deploy/smoke.hpp"
#include "stage_prepare.hpp"

namespace ld::cli {

namespace {

struct UrlOptions {
  std::string stage;
  std::string path = "/";
  std::string method;
  std::string body;
  std::vector<std::string> headers;
  bool no_key = false;
};

int call_url(Context& ctx, const UrlOptions& options) {
  const deploy::Desired values = values_for(ctx, options.stage);
  const std::string url = live_url(ctx, options.stage, values.names);
  const std::string method = !options.method.empty() ? options.method
                             : options.body.empty()  ? "GET"
                                                     : "POST";
  HttpRequest request = deploy::url_request(url, method, options.path);
  if (!options.no_key && values.api_key)
    request.headers.set(values.api_key->header, values.api_key->value);
  for (const auto& header : options.headers) {
    const auto colon = header.find(':');
    if (colon == std::string::npos) continue;
    std::string value = header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    request.headers.set(header.substr(0, colon), value);
  }
  if (!options.body.empty()) {
    request.body = options.body;
    if (!request.headers.has("content-type"))
      request.headers.set("content-type", "application/json");
  }
  auto transport = make_curl_transport();
  const HttpResponse response = transport->send(request);
  Output& out = ctx.out();
  out.doc()["command"] = "url";
  out.doc()["url"] = request.url();
  out.doc()["status"] = response.status;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  out.doc()["body"] = body.is_discarded() ? nlohmann::json(response.body) : body;
  out.detail(method + " " + request.url() + " → " + std::to_string(response.status));
  out.result(response.body);
  if (response.status >= 400) {
    out.problem("lambdeploy: " + method + " " + request.url() + " answered " +
                std::to_string(response.status));
    out.doc()["ok"] = false;
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void add_url_command(CLI::App& app, Context& ctx) {
  auto options = std::make_shared<UrlOptions>();
  auto* command = app.add_subcommand("url", "call the stage's Function URL with its API key");
  command->add_option("--stage,-s", options->stage, "the stage")->required();
  command->add_option("path", options->path, "path and query (default /)");
  command->add_option("-X,--request", options->method, "method (default GET, POST with -d)");
  command->add_option("-d,--data", options->body, "request body");
  command->add_option("-H,--header", options->headers, "extra header 'Name: value'");
  command->add_flag("--no-key", options->no_key, "send no API key");
  command->callback([&ctx, options] { run_command(ctx, [&] { return call_url(ctx, *options); }); });
}

}  // namespace ld::cli
