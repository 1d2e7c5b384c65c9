// InstanceMetadataProvider: the EC2 instance metadata service (IMDSv2, then v1).
#include "aws/credentials_chain.hpp"
#include "aws/credentials_detail.hpp"
#include "core/strings.hpp"

namespace ld::aws {

using namespace detail;

namespace {

constexpr std::string_view kImdsDefault = "http://169.254.169.254";
constexpr std::string_view kImdsIpv6 = "http://[fd00:ec2::254]";
constexpr std::string_view kImdsCredentialsPath = "/latest/meta-data/iam/security-credentials/";

}  // namespace

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

}  // namespace ld::aws
