// ContainerProvider: the ECS / EKS Pod Identity credentials endpoint.
#include "aws/credentials_chain.hpp"

#include <algorithm>

#include "aws/credentials_detail.hpp"
#include "core/strings.hpp"

namespace ld::aws {

using namespace detail;

namespace {

constexpr std::string_view kContainerHost = "http://169.254.170.2";

bool allowed_plain_http_host(const std::string& host) {
  if (host == "localhost" || host == "169.254.170.2" || host == "169.254.170.23" ||
      iequals(host, "[::1]") || iequals(host, "[fd00:ec2::23]"))
    return true;
  if (host.rfind("127.", 0) != 0) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

}  // namespace

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

}  // namespace ld::aws
