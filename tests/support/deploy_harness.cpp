#include "support/deploy_harness.hpp"

#include <sys/wait.h>

#include <zip.h>

#include "aws/transport.hpp"
#include "core/files.hpp"
#include "deploy/package/zip_writer.hpp"
#include "deploy/smoke.hpp"
#include "local/key_ring.hpp"
#include "local/local_client.hpp"

namespace ld::test {

namespace fs = std::filesystem;

fs::path repo_root() {
  return fs::path(__FILE__).parent_path().parent_path().parent_path();
}

fs::path dist_zip(const std::string& name) {
  return repo_root() / "dist" / name;
}

nlohmann::json CliRun::json() const {
  return nlohmann::json::parse(out, nullptr, false);
}

DeployHarness::DeployHarness(std::chrono::milliseconds settle, double alarm_time_scale)
    : dir_("deploy") {
  local::EndpointOptions options;
  options.server.port = 0;
  options.data_dir = dir_.path() / "endpoint";
  options.settle_delay = settle;
  options.alarm_time_scale = alarm_time_scale;
  options.keys = {local::KeyRing::default_key(),
                  local::KeyRing::parse(std::string("prod:prodsecret:") + kProdAccount)};
  endpoint_ = std::make_unique<local::Endpoint>(options);
  endpoint_->start();
  url_ = endpoint_->url();
}

DeployHarness::~DeployHarness() {
  endpoint_->stop();
}

CliRun DeployHarness::cli(const std::vector<std::string>& args, bool prod_key,
                          const EnvChanges& env) const {
  return cli_through({}, args, prod_key, env);
}

CliRun DeployHarness::cli_through(const std::vector<std::string>& prefix,
                                  const std::vector<std::string>& args, bool prod_key,
                                  const EnvChanges& env) const {
  std::vector<std::string> argv = prefix;
  for (const char* word : {LAMBDEPLOY_CLI, "--endpoint-url"}) argv.push_back(word);
  for (const std::string& word : {url_, std::string("--local"), std::string("--no-color")})
    argv.push_back(word);
  argv.insert(argv.end(), args.begin(), args.end());
  EnvChanges changes = {{"AWS_ACCESS_KEY_ID", prod_key ? "prod" : "test"},
                        {"AWS_SECRET_ACCESS_KEY", prod_key ? "prodsecret" : "test"},
                        {"AWS_SESSION_TOKEN", std::nullopt},
                        {"AWS_PROFILE", std::nullopt},
                        {"AWS_REGION", "us-east-1"},
                        {"AWS_CONFIG_FILE", (dir_.path() / "no-config").string()},
                        {"AWS_SHARED_CREDENTIALS_FILE", (dir_.path() / "no-credentials").string()},
                        {"FAST_API__AUTH__API_KEY__VALUE", std::nullopt},
                        {"HELLO_API_KEY", std::nullopt},
                        {"LAMBDEPLOY_COMMIT", "test-commit"}};
  for (const auto& [name, value] : env) changes[name] = value;
  const ProcessOutcome outcome = run_process(argv, repo_root(), changes);
  CliRun run;
  run.killed = WIFSIGNALED(outcome.wait_status);
  run.exit_code = outcome.exit_code();
  run.out = outcome.out;
  run.err = outcome.err;
  return run;
}

aws::ClientConfig DeployHarness::config(bool prod_key) const {
  aws::ClientConfig config = client_config(url_);
  if (prod_key) {
    class ProdCredentials : public aws::CredentialsProvider {
     public:
      aws::Credentials credentials() override {
        return {"prod", "prodsecret", "", std::nullopt, "test"};
      }
    };
    config.credentials = std::make_shared<ProdCredentials>();
  }
  return config;
}

deploy::Clients DeployHarness::clients(bool prod_key) const {
  return deploy::Clients(config(prod_key));
}

UrlAnswer get_url(const std::string& function_url, const std::string& path,
                  const std::string& header, const std::string& value) {
  HttpRequest request = deploy::url_request(function_url, "GET", path);
  if (!header.empty()) request.headers.set(header, value);
  auto transport = make_curl_transport();
  const HttpResponse response = transport->send(request);
  return {response.status, response.body};
}

fs::path zip_with_version(const fs::path& zip, const fs::path& out, const std::string& version) {
  int error = 0;
  zip_t* archive = zip_open(zip.c_str(), ZIP_RDONLY, &error);
  if (archive == nullptr) throw Error("cannot open " + zip.string());
  std::vector<deploy::ZipEntry> entries;
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &stat);
    deploy::ZipEntry entry;
    entry.name = stat.name;
    if (entry.name == "version") {
      entry.data = version + "\n";
    } else {
      zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
      entry.data.resize(stat.size);
      zip_fread(file, entry.data.data(), stat.size);
      zip_fclose(file);
      entry.executable = entry.name == "bootstrap";
    }
    entries.push_back(std::move(entry));
  }
  zip_discard(archive);
  deploy::write_deterministic_zip(out, std::move(entries));
  return out;
}

}  // namespace ld::test
