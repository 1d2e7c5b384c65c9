#include "aws/credentials_chain.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "aws/endpoints.hpp"
#include "aws/error.hpp"
#include "aws/region.hpp"
#include "aws/service.hpp"
#include "aws/services/sts.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"

extern char** environ;

namespace ld::aws {
namespace {

using nlohmann::json;

constexpr std::string_view kContainerHost = "http://169.254.170.2";
constexpr std::string_view kImdsDefault = "http://169.254.169.254";
constexpr std::string_view kImdsIpv6 = "http://[fd00:ec2::254]";
constexpr std::string_view kImdsCredentialsPath = "/latest/meta-data/iam/security-credentials/";

// At most `max` characters of `s`, for messages quoting a server or a command.
std::string excerpt(std::string_view s, size_t max = 300) {
  s = trim(s);
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max)) + "...";
}

std::string in_quotes(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::string read_token_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CredentialsError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string token(trim(ss.str()));
  if (token.empty()) throw CredentialsError(what + " " + path + " is empty");
  return token;
}

std::optional<Timestamp> parse_expiration(const std::string& value, const std::string& origin) {
  if (value.empty()) return std::nullopt;
  auto t = parse_iso8601(value);
  if (!t)
    throw CredentialsError(origin +
                           " gave an Expiration that is not an ISO 8601 time: " + in_quotes(value));
  return t;
}

std::string session_name(const NowFn& now) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch());
  return "lambdeploy-session-" + std::to_string(seconds.count());
}

// ---- STS (query protocol) ----

std::string local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  auto colon = name.find(':');
  return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  return {};
}

std::string child_text(const pugi::xml_node& node, std::string_view name) {
  return std::string(trim(child(node, name).text().as_string()));
}

std::string form_encode(const QueryParams& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out.push_back('&');
    out += uri_encode(k) + "=" + uri_encode(v);
  }
  return out;
}

Credentials parse_sts_answer(const HttpResponse& response, const std::string& action,
                             const std::string& what, const std::string& url) {
  pugi::xml_document doc;
  bool xml = doc.load_buffer(response.body.data(), response.body.size());
  pugi::xml_node root = doc.document_element();
  bool success = response.status >= 200 && response.status < 300;
  if (!success || (xml && (local_name(root) == "ErrorResponse" || local_name(root) == "Error"))) {
    pugi::xml_node error = local_name(root) == "Error" ? root : child(root, "Error");
    if (xml && error) {
      throw CredentialsError(what + " failed: STS answered " + child_text(error, "Code") + ": " +
                             child_text(error, "Message") + " (HTTP " +
                             std::to_string(response.status) + ")");
    }
    throw CredentialsError(what + " failed: STS at " + url + " answered HTTP " +
                           std::to_string(response.status) + ": " + excerpt(response.body));
  }
  if (!xml || local_name(root) != action + "Response")
    throw CredentialsError(what + " failed: STS at " + url + " did not answer with an " + action +
                           "Response document: " + excerpt(response.body));
  pugi::xml_node node = child(child(root, action + "Result"), "Credentials");
  Credentials c;
  c.access_key_id = child_text(node, "AccessKeyId");
  c.secret_access_key = child_text(node, "SecretAccessKey");
  c.session_token = child_text(node, "SessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty())
    throw CredentialsError(what + " failed: STS's " + action +
                           "Response has no Credentials/AccessKeyId and SecretAccessKey");
  c.expiration = parse_expiration(child_text(node, "Expiration"), "STS " + action);
  return c;
}

// Sends one STS action (signed with `signer` when given) and reads the credentials it returns.
// `what` says what was being done, for messages ("assuming role R for profile 'p'").
Credentials call_sts(const ProviderContext& context, const std::string& action,
                     const QueryParams& params, const Credentials* signer,
                     const std::string& what) {
  EndpointSettings settings{{}, context.env, context.config.get(), context.profile};
  ResolvedEndpoint endpoint;
  try {
    endpoint =
        resolve_endpoint(kSts, context.region.empty() ? "aws-global" : context.region, settings);
  } catch (const Error& e) {
    throw CredentialsError(what + ": " + e.what());
  }
  HttpRequest request;
  request.method = "POST";
  request.scheme = endpoint.endpoint.scheme;
  request.host = endpoint.endpoint.host;
  request.port = endpoint.endpoint.port;
  request.path = endpoint.endpoint.base_path + "/";
  QueryParams form{{"Action", action}, {"Version", std::string(kSts.api_version)}};
  form.insert(form.end(), params.begin(), params.end());
  request.body = form_encode(form);
  request.headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  if (signer) {
    SigningConfig signing;
    signing.region = endpoint.signing_region;
    signing.service = std::string(kSts.signing_name);
    signing.time = context.now();
    sign_request(request, *signer, signing);
  }
  if (!context.transport) throw CredentialsError(what + ": no HTTP transport to reach STS with");
  std::string url = endpoint.endpoint.to_string();
  HttpResponse response;
  try {
    response = context.transport->send(request);
  } catch (const Error& e) {
    throw CredentialsError(what + " failed: could not reach STS at " + url + ": " + e.what());
  }
  return parse_sts_answer(response, action, what, url);
}

// ---- credential_process ----

// What a finished command left behind.
struct ProcessOutcome {
  int wait_status = 0;
  std::string out, err;
};

ProcessOutcome run_shell(const std::string& command) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0)
    throw CredentialsError(std::string("cannot create a pipe: ") + std::strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    int saved = errno;
    close(out_pipe[0]);
    close(out_pipe[1]);
    throw CredentialsError(std::string("cannot create a pipe: ") + std::strerror(saved));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  std::string a0 = "sh", a1 = "-c", a2 = command;
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawn(&pid, "/bin/sh", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw CredentialsError("cannot start /bin/sh: " + std::string(std::strerror(rc)));
  }
  ProcessOutcome outcome;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&outcome.out, &outcome.err};
  int open_count = 2;
  char buffer[4096];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  while (waitpid(pid, &outcome.wait_status, 0) < 0 && errno == EINTR) {
  }
  return outcome;
}

// ---- shared bits of the JSON credential documents (process, container, IMDS) ----

std::string json_string(const json& doc, const char* key) {
  auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

Credentials credentials_from_json(const json& doc, const char* token_key,
                                  const std::string& origin) {
  Credentials c;
  c.access_key_id = json_string(doc, "AccessKeyId");
  c.secret_access_key = json_string(doc, "SecretAccessKey");
  c.session_token = json_string(doc, token_key);
  if (c.access_key_id.empty()) throw CredentialsError(origin + " gave no AccessKeyId");
  if (c.secret_access_key.empty()) throw CredentialsError(origin + " gave no SecretAccessKey");
  c.expiration = parse_expiration(json_string(doc, "Expiration"), origin);
  return c;
}

// ---- static keys in a profile ----

std::optional<Credentials> static_keys(const ConfigSection* section, const std::string& profile,
                                       const std::string& file) {
  if (!section) return std::nullopt;
  auto id = section->get("aws_access_key_id");
  auto secret = section->get("aws_secret_access_key");
  if (!id && !secret) return std::nullopt;
  if (!id)
    throw CredentialsError("profile '" + profile + "' has aws_secret_access_key (" +
                           section->where("aws_secret_access_key") +
                           ") but no aws_access_key_id; set both");
  if (!secret)
    throw CredentialsError("profile '" + profile + "' has aws_access_key_id (" +
                           section->where("aws_access_key_id") +
                           ") but no aws_secret_access_key; set both");
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token =
      section->get("aws_session_token").value_or(section->get("aws_security_token").value_or(""));
  c.source = "profile '" + profile + "' (" + file + ")";
  return c;
}

bool has_static_keys(const SharedConfig& config, const std::string& profile) {
  for (const ConfigSection* s :
       {config.credentials_profile(profile), config.config_profile(profile)})
    if (s && (s->get("aws_access_key_id") || s->get("aws_secret_access_key"))) return true;
  return false;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += sep;
    out += i;
  }
  return out;
}

// One walk through a profile and the profiles it names as sources.
class ProfileWalk {
 public:
  explicit ProfileWalk(const ProviderContext& context)
      : context_(context), config_(*context.config) {}

  Credentials top(const std::string& name, const ConfigSection& profile) {
    visited_ = {name};
    if (profile.get("role_arn") && !profile.get("web_identity_token_file"))
      return assume_role(name, profile);
    if (auto c = without_role(name, profile)) return *c;
    if (profile.get("sso_session") || profile.get("sso_start_url"))
      throw CredentialsError(
          "profile '" + name +
          "' uses IAM Identity Center (sso_*), whose token cache lambdeploy does not read; run "
          "`aws sso login --profile " +
          name +
          "` and add to the profile: credential_process = aws configure export-credentials "
          "--profile " +
          name + " --format process");
    throw CredentialsNotFound(
        "the profile has none of aws_access_key_id, role_arn, web_identity_token_file or "
        "credential_process");
  }

 private:
  // Web identity, static keys (credentials file, then config file) or credential_process:
  // what a profile yields without assuming a role with another profile's credentials.
  std::optional<Credentials> without_role(const std::string& name, const ConfigSection& profile) {
    std::string origin = "profile '" + name + "'";
    if (auto token_file = profile.get("web_identity_token_file")) {
      auto role = profile.get("role_arn");
      if (!role)
        throw CredentialsError(origin + " has web_identity_token_file (" +
                               profile.where("web_identity_token_file") + ") but no role_arn");
      WebIdentitySettings settings{*token_file, *role,
                                   profile.get("role_session_name").value_or(""), origin};
      return WebIdentityProvider(context_, settings).credentials();
    }
    if (auto c = static_keys(config_.credentials_profile(name), name, config_.credentials_file()))
      return c;
    if (auto command = profile.get("credential_process"))
      return ProcessProvider(*command, origin).credentials();
    if (auto c = static_keys(config_.config_profile(name), name, config_.config_file())) return c;
    return std::nullopt;
  }

  Credentials assume_role(const std::string& name, const ConfigSection& profile) {
    std::string origin = "profile '" + name + "'";
    std::string role = *profile.get("role_arn");
    auto source_profile = profile.get("source_profile");
    auto credential_source = profile.get("credential_source");
    if (source_profile && credential_source)
      throw CredentialsError(origin + " sets both source_profile (" +
                             profile.where("source_profile") + ") and credential_source (" +
                             profile.where("credential_source") + "); keep one");
    if (!source_profile && !credential_source)
      throw CredentialsError(origin + " has role_arn (" + profile.where("role_arn") +
                             ") but no source_profile or credential_source to assume it with");
    if (profile.get("mfa_serial"))
      throw CredentialsError(
          origin + " needs an MFA code (mfa_serial, " + profile.where("mfa_serial") +
          ") and lambdeploy cannot prompt for one; use credentials from `aws sts "
          "get-session-token` or a credential_process");
    QueryParams params{
        {"RoleArn", role},
        {"RoleSessionName", profile.get("role_session_name").value_or(session_name(context_.now))}};
    if (auto external_id = profile.get("external_id"))
      params.emplace_back("ExternalId", *external_id);
    if (auto duration = profile.get("duration_seconds")) {
      int seconds = 0;
      std::string_view d = trim(*duration);
      auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), seconds);
      if (ec != std::errc() || ptr != d.data() + d.size() || seconds < 900 || seconds > 43200)
        throw CredentialsError(origin + " has duration_seconds " + in_quotes(*duration) + " (" +
                               profile.where("duration_seconds") +
                               "); expected a number of seconds from 900 to 43200");
      params.emplace_back("DurationSeconds", std::to_string(seconds));
    }
    Credentials source = source_profile ? from_source_profile(name, *source_profile)
                                        : from_credential_source(name, *credential_source);
    Credentials c = call_sts(context_, "AssumeRole", params, &source,
                             "assuming role " + role + " for " + origin);
    c.source = origin + " (role " + role + ", from " + source.source + ")";
    return c;
  }

  Credentials from_source_profile(const std::string& parent, const std::string& name) {
    std::optional<ConfigSection> profile = config_.profile(name);
    if (std::find(visited_.begin(), visited_.end(), name) != visited_.end()) {
      // A profile may name itself when it holds the keys to assume its own role with.
      bool self_with_keys = name == parent && has_static_keys(config_, name);
      if (!self_with_keys) {
        std::vector<std::string> path = visited_;
        path.push_back(name);
        throw CredentialsError(
            "profiles name each other as source_profile in a loop: " + join(path, " -> ") +
            "; the chain must end at a profile with credentials");
      }
    }
    if (!profile)
      throw CredentialsError("profile '" + parent + "' names source_profile '" + name + "' (" +
                             config_.profile(parent)->where("source_profile") +
                             "), which is in neither " + config_.config_file() + " nor " +
                             config_.credentials_file());
    visited_.push_back(name);
    if (has_static_keys(config_, name) || !profile->get("role_arn")) {
      if (auto c = without_role(name, *profile)) return *c;
      throw CredentialsError("source profile '" + name + "' (of profile '" + parent +
                             "') has no credentials: none of aws_access_key_id, "
                             "web_identity_token_file, credential_process or role_arn");
    }
    return assume_role(name, *profile);
  }

  Credentials from_credential_source(const std::string& parent, const std::string& source) {
    std::shared_ptr<CredentialsProvider> provider;
    if (source == "Environment")
      provider = std::make_shared<EnvironmentProvider>(context_.env);
    else if (source == "Ec2InstanceMetadata")
      provider = std::make_shared<InstanceMetadataProvider>(context_);
    else if (source == "EcsContainer")
      provider = std::make_shared<ContainerProvider>(context_);
    else
      throw CredentialsError("profile '" + parent + "' has credential_source " + in_quotes(source) +
                             " (" + config_.profile(parent)->where("credential_source") +
                             "); expected Environment, Ec2InstanceMetadata or EcsContainer");
    try {
      return provider->credentials();
    } catch (const CredentialsNotFound& e) {
      throw CredentialsError("profile '" + parent + "' takes its source credentials from " +
                             source + ", which has none: " + e.what());
    }
  }

  const ProviderContext& context_;
  const SharedConfig& config_;
  std::vector<std::string> visited_;
};

// ---- container and instance metadata ----

bool allowed_plain_http_host(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" ||
      iequals(host, "[::1]") || iequals(host, "[fd00:ec2::23]"))
    return true;
  if (host.rfind("127.", 0) != 0) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

HttpRequest request_to(const Endpoint& endpoint, std::string method, const std::string& path) {
  HttpRequest r;
  r.method = std::move(method);
  r.scheme = endpoint.scheme;
  r.host = endpoint.host;
  r.port = endpoint.port;
  r.path = endpoint.base_path + path;
  if (r.path.empty()) r.path = "/";
  return r;
}

// Thrown by a provider that only says why the chain should look elsewhere.
class AbsentProvider : public CredentialsProvider {
 public:
  explicit AbsentProvider(std::string why) : why_(std::move(why)) {}
  Credentials credentials() override { throw CredentialsNotFound(why_); }

 private:
  std::string why_;
};

}  // namespace

// ---- StaticProvider ----

StaticProvider::StaticProvider(Credentials credentials) : credentials_(std::move(credentials)) {
  if (credentials_.source.empty()) credentials_.source = "explicit keys";
}

Credentials StaticProvider::credentials() {
  if (credentials_.access_key_id.empty() || credentials_.secret_access_key.empty())
    throw CredentialsError(
        std::string("explicit credentials need both an access key id and a "
                    "secret access key; ") +
        (credentials_.access_key_id.empty() ? "the access key id" : "the secret access key") +
        " is missing");
  return credentials_;
}

// ---- EnvironmentProvider ----

EnvironmentProvider::EnvironmentProvider(EnvLookup env) : env_(std::move(env)) {}

Credentials EnvironmentProvider::credentials() {
  auto id = env_value(env_, "AWS_ACCESS_KEY_ID");
  auto secret = env_value(env_, "AWS_SECRET_ACCESS_KEY");
  if (!id && !secret)
    throw CredentialsNotFound("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  if (!id)
    throw CredentialsError(
        "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not; set both, or neither");
  if (!secret)
    throw CredentialsError(
        "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both, or neither");
  Credentials c;
  c.access_key_id = *id;
  c.secret_access_key = *secret;
  c.session_token = env_value(env_, "AWS_SESSION_TOKEN")
                        .value_or(env_value(env_, "AWS_SECURITY_TOKEN").value_or(""));
  if (auto expiration = env_value(env_, "AWS_CREDENTIAL_EXPIRATION"))
    c.expiration = parse_expiration(*expiration, "AWS_CREDENTIAL_EXPIRATION");
  c.source = "environment";
  return c;
}

// ---- WebIdentityProvider ----

WebIdentityProvider::WebIdentityProvider(ProviderContext context) : context_(std::move(context)) {}

WebIdentityProvider::WebIdentityProvider(ProviderContext context, WebIdentitySettings settings)
    : context_(std::move(context)), settings_(std::move(settings)) {}

Credentials WebIdentityProvider::credentials() {
  WebIdentitySettings settings;
  if (settings_) {
    settings = *settings_;
  } else {
    auto token_file = env_value(context_.env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    auto role = env_value(context_.env, "AWS_ROLE_ARN");
    if (!token_file && !role)
      throw CredentialsNotFound("AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set");
    if (!token_file)
      throw CredentialsNotFound("AWS_ROLE_ARN is set but AWS_WEB_IDENTITY_TOKEN_FILE is not");
    if (!role)
      throw CredentialsError(
          "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not; set the ARN of the role "
          "to assume with the token");
    settings = {*token_file, *role, env_value(context_.env, "AWS_ROLE_SESSION_NAME").value_or(""),
                "environment"};
  }
  std::string what =
      "assuming role " + settings.role_arn + " with a web identity token (" + settings.origin + ")";
  std::string token = read_token_file(settings.token_file, "web identity token file");
  QueryParams params{{"RoleArn", settings.role_arn},
                     {"RoleSessionName", settings.session_name.empty() ? session_name(context_.now)
                                                                       : settings.session_name},
                     {"WebIdentityToken", token}};
  Credentials c = call_sts(context_, "AssumeRoleWithWebIdentity", params, nullptr, what);
  c.source = "web identity (" + settings.origin + ", role " + settings.role_arn + ")";
  return c;
}

// ---- ProcessProvider ----

ProcessProvider::ProcessProvider(std::string command, std::string origin)
    : command_(std::move(command)), origin_(std::move(origin)) {}

Credentials ProcessProvider::credentials() {
  std::string what = "credential_process of " + origin_ + " (`" + command_ + "`)";
  ProcessOutcome outcome = run_shell(command_);
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

// ---- ProfileProvider ----

ProfileProvider::ProfileProvider(ProviderContext context, std::string profile, bool named)
    : context_(std::move(context)), profile_(std::move(profile)), named_(named) {}

Credentials ProfileProvider::credentials() {
  const SharedConfig& config = *context_.config;
  std::optional<ConfigSection> profile = config.profile(profile_);
  if (!profile) {
    std::string files;
    for (auto [file, found] :
         {std::pair{config.config_file(), config.config_file_found()},
          std::pair{config.credentials_file(), config.credentials_file_found()}}) {
      if (!files.empty()) files += ", ";
      files += file.empty() ? "(no HOME to find it)" : file + (found ? "" : " (no such file)");
    }
    if (named_) {
      auto names = config.profile_names();
      throw CredentialsError("profile '" + profile_ + "' is not in " + files +
                             (names.empty() ? "; there are no profiles"
                                            : "; the profiles there are: " + join(names, ", ")));
    }
    throw CredentialsNotFound("no such profile in " + files);
  }
  return ProfileWalk(context_).top(profile_, *profile);
}

// ---- ContainerProvider ----

ContainerProvider::ContainerProvider(ProviderContext context) : context_(std::move(context)) {}

Credentials ContainerProvider::credentials() {
  auto relative = env_value(context_.env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  auto full = env_value(context_.env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (!relative && !full)
    throw CredentialsNotFound(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not "
        "set");
  std::string variable =
      relative ? "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" : "AWS_CONTAINER_CREDENTIALS_FULL_URI";
  std::string url =
      relative ? std::string(kContainerHost) + (relative->front() == '/' ? "" : "/") + *relative
               : *full;
  Endpoint endpoint;
  try {
    endpoint = Endpoint::parse(url);
  } catch (const Error& e) {
    throw CredentialsError(variable + ": " + e.what());
  }
  if (!relative && endpoint.scheme == "http" && !allowed_plain_http_host(endpoint.host))
    throw CredentialsError(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI " + url + " uses plain http to host " + endpoint.host +
        "; http is allowed only to loopback and the ECS / EKS agents (169.254.170.2, "
        "169.254.170.23): use https");

  std::string token;
  if (auto file = env_value(context_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"))
    token = read_token_file(*file, "container authorization token file");
  else if (auto value = env_value(context_.env, "AWS_CONTAINER_AUTHORIZATION_TOKEN"))
    token = *value;
  if (token.find_first_of("\r\n") != std::string::npos)
    throw CredentialsError("the container authorization token contains a line break");

  HttpRequest request = request_to(endpoint, "GET", "");
  request.headers.set("Accept", "application/json");
  if (!token.empty()) request.headers.set("Authorization", token);
  std::string where = "the container credentials endpoint " + url;
  if (!context_.metadata_transport)
    throw CredentialsError("no HTTP transport to reach " + where + " with");
  HttpResponse response;
  try {
    response = context_.metadata_transport->send(request);
  } catch (const Error& e) {
    throw CredentialsError("no answer from " + where + " (" + variable + "): " + e.what());
  }
  json doc = json::parse(response.body, nullptr, false);
  if (response.status != 200) {
    std::string message = doc.is_object() ? json_string(doc, "message") : std::string();
    if (message.empty() && doc.is_object()) message = json_string(doc, "Message");
    throw CredentialsError(where + " answered HTTP " + std::to_string(response.status) + ": " +
                           (message.empty() ? excerpt(response.body) : message));
  }
  if (!doc.is_object())
    throw CredentialsError(where + " answered with something that is not a JSON object: " +
                           in_quotes(excerpt(response.body, 200)));
  Credentials c = credentials_from_json(doc, "Token", where);
  c.source = "container credentials (" + url + ")";
  return c;
}

// ---- InstanceMetadataProvider ----

InstanceMetadataProvider::InstanceMetadataProvider(ProviderContext context)
    : context_(std::move(context)) {}

Credentials InstanceMetadataProvider::credentials() {
  if (env_true(context_.env, "AWS_EC2_METADATA_DISABLED"))
    throw CredentialsNotFound("turned off by AWS_EC2_METADATA_DISABLED=true");
  std::string base;
  std::string variable = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  if (auto v = env_value(context_.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    base = *v;
  } else if (auto p = context_.config->profile(context_.profile);
             p && p->get("ec2_metadata_service_endpoint")) {
    base = *p->get("ec2_metadata_service_endpoint");
    variable = "ec2_metadata_service_endpoint (" + p->where("ec2_metadata_service_endpoint") + ")";
  } else {
    auto mode = env_value(context_.env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    base = std::string(mode && iequals(*mode, "IPv6") ? kImdsIpv6 : kImdsDefault);
  }
  Endpoint endpoint;
  try {
    endpoint = Endpoint::parse(base);
  } catch (const Error& e) {
    throw CredentialsError(variable + ": " + e.what());
  }
  if (!context_.metadata_transport)
    throw CredentialsNotFound("no HTTP transport to reach " + base + " with");
  Transport& transport = *context_.metadata_transport;

  auto send = [&](const HttpRequest& request, const std::string& step) {
    try {
      return transport.send(request);
    } catch (const Error& e) {
      throw CredentialsNotFound("no answer from " + base + " (" + step + "): " + e.what());
    }
  };

  HttpRequest token_request = request_to(endpoint, "PUT", "/latest/api/token");
  token_request.headers.set("X-aws-ec2-metadata-token-ttl-seconds", "21600");
  HttpResponse token_response = send(token_request, "IMDSv2 token");
  std::string token;
  if (token_response.status == 200) {
    token = std::string(trim(token_response.body));
  } else if (token_response.status == 403 || token_response.status == 404 ||
             token_response.status == 405) {
    if (env_true(context_.env, "AWS_EC2_METADATA_V1_DISABLED"))
      throw CredentialsNotFound("the IMDSv2 token request was refused (HTTP " +
                                std::to_string(token_response.status) +
                                ") and AWS_EC2_METADATA_V1_DISABLED=true");
  } else {
    throw CredentialsNotFound("the IMDSv2 token request to " + base + " answered HTTP " +
                              std::to_string(token_response.status));
  }
  auto with_token = [&](HttpRequest r) {
    if (!token.empty()) r.headers.set("X-aws-ec2-metadata-token", token);
    return r;
  };

  HttpResponse roles =
      send(with_token(request_to(endpoint, "GET", std::string(kImdsCredentialsPath))), "role");
  if (roles.status == 404)
    throw CredentialsNotFound("the instance at " + base + " has no IAM role attached");
  if (roles.status != 200)
    throw CredentialsNotFound("asking " + base + " for the instance's role answered HTTP " +
                              std::to_string(roles.status));
  std::string role(trim(roles.body.substr(0, roles.body.find('\n'))));
  if (role.empty())
    throw CredentialsNotFound("the instance at " + base + " has no IAM role attached");

  HttpResponse answer = send(
      with_token(request_to(endpoint, "GET", std::string(kImdsCredentialsPath) + role)), "role");
  std::string where = "instance metadata " + base + " for role " + role;
  if (answer.status != 200)
    throw CredentialsNotFound(where + " answered HTTP " + std::to_string(answer.status));
  json doc = json::parse(answer.body, nullptr, false);
  if (!doc.is_object())
    throw CredentialsNotFound(where + " answered with something that is not a JSON object");
  if (auto code = json_string(doc, "Code"); !code.empty() && code != "Success")
    throw CredentialsNotFound(where + " answered Code " + code + ": " +
                              json_string(doc, "Message"));
  Credentials c = credentials_from_json(doc, "Token", where);
  c.source = "instance metadata (role " + role + ")";
  return c;
}

// ---- CachingProvider ----

CachingProvider::CachingProvider(std::shared_ptr<CredentialsProvider> inner, NowFn now,
                                 std::chrono::milliseconds refresh_before)
    : inner_(std::move(inner)),
      now_(now ? std::move(now) : NowFn(system_now)),
      refresh_before_(refresh_before) {}

Credentials CachingProvider::credentials() {
  std::lock_guard lock(mu_);
  Timestamp now = now_();
  if (cached_ && (!cached_->expiration || *cached_->expiration - now > refresh_before_))
    return *cached_;
  try {
    cached_ = inner_->credentials();
    return *cached_;
  } catch (const CredentialsError&) {
    // A refresh that fails while the old credentials still work is not yet an error.
    if (cached_ && cached_->expiration && *cached_->expiration > now) return *cached_;
    throw;
  }
}

// ---- ChainProvider ----

ChainProvider::ChainProvider(std::vector<Link> links) : links_(std::move(links)) {}

Credentials ChainProvider::credentials() {
  std::shared_ptr<CredentialsProvider> chosen;
  {
    std::lock_guard lock(mu_);
    if (!chosen_) {
      std::string looked;
      int n = 0;
      for (const Link& link : links_) {
        try {
          Credentials c = link.provider->credentials();
          chosen_ = link.provider;
          return c;
        } catch (const CredentialsNotFound& e) {
          looked += "\n  " + std::to_string(++n) + ". " + link.name + ": " + e.what();
        } catch (const CredentialsError&) {
          throw;
        } catch (const std::exception& e) {
          throw CredentialsError(link.name + ": " + e.what());
        }
      }
      throw CredentialsError(
          "no AWS credentials found. Looked at, in order:" + looked +
          "\nSet AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, add keys to a profile with "
          "`aws configure`, or choose a profile with --profile or AWS_PROFILE.");
    }
    chosen = chosen_;
  }
  return chosen->credentials();
}

// ---- the default chain ----

std::shared_ptr<CredentialsProvider> make_credentials_chain(ChainOptions options) {
  ProviderContext context;
  context.env = options.env ? std::move(options.env) : process_environment();
  context.config = options.config
                       ? options.config
                       : std::make_shared<const SharedConfig>(SharedConfig::load(context.env));
  context.profile = profile_name(options.profile, context.env);
  context.now = options.now ? options.now : NowFn(system_now);
  context.region = options.region;
  if (context.region.empty()) {
    try {
      if (auto found = find_region("", context.env, *context.config, context.profile))
        context.region = found->region;
    } catch (const Error&) {
      // A malformed region is reported by whoever needs the region; STS goes global.
    }
  }
  context.transport = options.transport ? options.transport : make_curl_transport();
  if (options.metadata_transport) {
    context.metadata_transport = options.metadata_transport;
  } else {
    TransportOptions metadata;
    long seconds = 1;
    if (auto v = env_value(context.env, "AWS_METADATA_SERVICE_TIMEOUT")) {
      std::string_view s = trim(*v);
      long parsed = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
      if (ec == std::errc() && ptr == s.data() + s.size() && parsed > 0) seconds = parsed;
    }
    metadata.connect_timeout = std::chrono::seconds(seconds);
    metadata.request_timeout = std::chrono::seconds(seconds);
    context.metadata_transport = make_curl_transport(metadata);
  }

  auto cached = [&](std::shared_ptr<CredentialsProvider> p) {
    return std::make_shared<CachingProvider>(std::move(p), context.now);
  };
  std::vector<ChainProvider::Link> links;
  if (options.explicit_credentials)
    links.push_back(
        {"explicit keys", std::make_shared<StaticProvider>(*options.explicit_credentials)});
  if (options.profile.empty())
    links.push_back(
        {"environment variables", cached(std::make_shared<EnvironmentProvider>(context.env))});
  else
    links.push_back({"environment variables",
                     std::make_shared<AbsentProvider>("not used because --profile was given")});
  links.push_back(
      {"web identity (environment)", cached(std::make_shared<WebIdentityProvider>(context))});
  bool named = !options.profile.empty() || env_value(context.env, "AWS_PROFILE") ||
               env_value(context.env, "AWS_DEFAULT_PROFILE");
  links.push_back({"profile '" + context.profile + "' of the shared files",
                   cached(std::make_shared<ProfileProvider>(context, context.profile, named))});
  links.push_back({"container credentials", cached(std::make_shared<ContainerProvider>(context))});
  links.push_back(
      {"EC2 instance metadata", cached(std::make_shared<InstanceMetadataProvider>(context))});
  return std::make_shared<ChainProvider>(std::move(links));
}

}  // namespace ld::aws
