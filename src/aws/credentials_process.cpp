// ProcessProvider: a profile's credential_process command, run through /bin/sh.
#include "aws/credentials_chain.hpp"

#include <sys/wait.h>

#include "aws/credentials_detail.hpp"
#include "core/process.hpp"
#include "core/strings.hpp"

namespace ld::aws {

using namespace detail;

// ---- ProcessProvider ----

ProcessProvider::ProcessProvider(std::string command, std::string origin)
    : command_(std::move(command)), origin_(std::move(origin)) {}

Credentials ProcessProvider::credentials() {
  std::string what = "credential_process of " + origin_ + " (`" + command_ + "`)";
  ProcessOutcome outcome;
  try {
    outcome = run_process({"/bin/sh", "-c", command_});
  } catch (const Error& e) {
    throw CredentialsError(e.what());
  }
  std::string stderr_note =
      trim(outcome.err).empty() ? std::string() : "; it said: " + excerpt(outcome.err, 2000);
  if (WIFSIGNALED(outcome.wait_status))
    throw CredentialsError(what + " was killed by signal " +
                           std::to_string(WTERMSIG(outcome.wait_status)) + stderr_note);
  int status = WIFEXITED(outcome.wait_status) ? WEXITSTATUS(outcome.wait_status) : -1;
  if (status != 0)
    throw CredentialsError(what + " failed with exit status " + std::to_string(status) +
                           stderr_note);
  json doc = json::parse(outcome.out, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw CredentialsError(what + " printed something that is not a JSON object: " +
                           in_quotes(excerpt(outcome.out, 200)) + stderr_note);
  auto version = doc.find("Version");
  if (version == doc.end()) throw CredentialsError(what + " printed JSON without \"Version\": 1");
  if (!version->is_number_integer() || version->get<long long>() != 1)
    throw CredentialsError(what + " printed Version " + version->dump() +
                           "; only Version 1 is supported");
  Credentials c = credentials_from_json(doc, "SessionToken", what);
  c.source = "credential_process (" + origin_ + ")";
  return c;
}

}  // namespace ld::aws
