#pragma once
// What the deployer's end-to-end tests share: an in-process local endpoint (two accounts: the
// default key test/test of 000000000000 and prod/prodsecret of 123456789012), the `lambdeploy`
// CLI run as a user runs it against that endpoint, and the project's own AWS clients to read
// back what AWS would show.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/client.hpp"
#include "core/process.hpp"
#include "deploy/clients.hpp"
#include "local/endpoint.hpp"
#include "support/temp_dir.hpp"

namespace ld::test {

// The repository's root (where lambdeploy.toml and dist/ are).
std::filesystem::path repo_root();
// <repo>/dist/NAME
std::filesystem::path dist_zip(const std::string& name);

// One `lambdeploy` run.
struct CliRun {
  int exit_code = -1;
  bool killed = false;  // ended by a signal (the test switch's SIGKILL)
  std::string out, err;
  // stdout as JSON (null when it is not).
  nlohmann::json json() const;
  std::string both() const { return out + err; }
};

// The prod account's key on the harness's endpoint.
inline constexpr const char* kProdAccount = "123456789012";

// A local endpoint in a temp folder and ways to drive it.
class DeployHarness {
 public:
  // `settle` is how long the endpoint keeps a function Pending / InProgress after a change.
  // `alarm_time_scale`: real seconds per second of an alarm's period (small: alarms evaluate
  // quickly).
  explicit DeployHarness(std::chrono::milliseconds settle = std::chrono::milliseconds(30),
                         double alarm_time_scale = 1.0);
  ~DeployHarness();

  const std::string& url() const { return url_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // `lambdeploy --endpoint-url URL --local ARGS...` in the repository root, with the default
  // key, or the prod account's when `prod_key`; `env` adds variables.
  CliRun cli(const std::vector<std::string>& args, bool prod_key = false,
             const EnvChanges& env = {}) const;
  // The same, started through `prefix` (e.g. `timeout -s INT 0.5`).
  CliRun cli_through(const std::vector<std::string>& prefix, const std::vector<std::string>& args,
                     bool prod_key = false, const EnvChanges& env = {}) const;

  // Clients as the default key's account or the prod account sees the endpoint.
  aws::ClientConfig config(bool prod_key = false) const;
  deploy::Clients clients(bool prod_key = false) const;

 private:
  TempDir dir_;
  std::unique_ptr<local::Endpoint> endpoint_;
  std::string url_;
};

// The body of a GET on `function_url` + `path`, with the header when `header` is not empty.
struct UrlAnswer {
  int status = 0;
  std::string body;
};
UrlAnswer get_url(const std::string& function_url, const std::string& path,
                  const std::string& header = {}, const std::string& value = {});

// A copy of `zip` whose `version` entry says `version` (a new release of the same code).
std::filesystem::path zip_with_version(const std::filesystem::path& zip,
                                       const std::filesystem::path& out,
                                       const std::string& version);

}  // namespace ld::test
