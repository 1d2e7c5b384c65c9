// Credentials from one STS query-protocol call (AssumeRole, AssumeRoleWithWebIdentity).
#include "aws/credentials_detail.hpp"

#include <pugixml.hpp>

#include "aws/endpoints.hpp"
#include "aws/error.hpp"
#include "aws/services/sts.hpp"
#include "aws/sigv4.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"

namespace ld::aws::detail {
namespace {

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

}  // namespace

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

}  // namespace ld::aws::detail
