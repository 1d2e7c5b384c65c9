// The one place where errors become messages and exit codes, for every command.
#include "aws/error.hpp"
#include "commands.hpp"
#include "deploy/apply.hpp"
#include "deploy/config.hpp"

namespace ld::cli {

namespace {

// What to do next, for an AWS error code people meet.
std::string advice_for(const std::string& code) {
  if (code == "AccessDenied" || code == "AccessDeniedException" || code == "UnauthorizedOperation")
    return "the credentials lack a permission: `lambdeploy` needs the deployer policy for this "
           "stage";
  if (code == "ExpiredToken" || code == "ExpiredTokenException")
    return "the session token expired: get new credentials";
  if (code == "UnrecognizedClientException" || code == "InvalidClientTokenId" ||
      code == "SignatureDoesNotMatch")
    return "the access key is not known to this endpoint: check AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY (the local endpoint's default key is test / test)";
  if (code == "TooManyRequestsException" || code == "ThrottlingException" || code == "Throttling")
    return "AWS is throttling: run the command again in a minute";
  return "";
}

}  // namespace

void run_command(Context& ctx, const std::function<int()>& command) {
  int code = kExitOk;
  nlohmann::json error;
  try {
    code = command();
  } catch (const deploy::ConfigError& e) {
    code = kExitBadInput;
    error = {{"kind", "config"}, {"message", e.what()}};
  } catch (const deploy::Cancelled& e) {
    code = kExitCancelled;
    error = {{"kind", "cancelled"}, {"message", e.what()}};
  } catch (const deploy::ApplyError& e) {
    code = kExitFailed;
    error = {
        {"kind", "apply"}, {"message", e.what()}, {"step", e.index() + 1}, {"action", e.action()}};
    if (!e.aws_code().empty()) error["aws_code"] = e.aws_code();
    if (auto advice = advice_for(e.aws_code()); !advice.empty()) error["next"] = advice;
  } catch (const aws::AwsError& e) {
    code = kExitFailed;
    error = {{"kind", "aws"},
             {"message", e.service() + " " + e.operation() + ": " + e.code() + ": " + e.message()},
             {"aws_code", e.code()},
             {"request_id", e.request_id()}};
    if (auto advice = advice_for(e.code()); !advice.empty()) error["next"] = advice;
  } catch (const aws::TransportError& e) {
    code = kExitFailed;
    error = {{"kind", "network"}, {"message", std::string(e.what())}};
    using Kind = aws::TransportError::Kind;
    if (e.kind() == Kind::Connect && ctx.local())
      error["next"] = "is the local endpoint running? `lambdeploy local start --detach` starts it";
    else if (e.kind() != Kind::Other && e.kind() != Kind::Io)
      error["next"] = "check the network and the endpoint URL";
  } catch (const aws::CredentialsError& e) {
    code = kExitFailed;
    error = {{"kind", "credentials"}, {"message", e.what()}};
  } catch (const CLI::RuntimeError&) {
    throw;
  } catch (const std::exception& e) {
    code = kExitFailed;
    error = {{"kind", "error"}, {"message", e.what()}};
  }
  Output& out = ctx.out();
  if (!error.is_null()) {
    out.doc()["ok"] = false;
    out.doc()["error"] = error;
    std::string text = "lambdeploy: error: " + error.value("message", "");
    if (error.contains("next")) text += "\n  next: " + error.value("next", "");
    out.problem(text);
  } else if (!out.doc().contains("ok")) {
    out.doc()["ok"] = code == kExitOk || code == kExitChanges;
  }
  out.finish();
  if (code != kExitOk) throw CLI::RuntimeError(code);
}

}  // namespace ld::cli
