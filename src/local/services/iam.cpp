#include "local/services/iam.hpp"

#include <algorithm>
#include <regex>

#include "aws/services/iam.hpp"
#include "core/encoding.hpp"
#include "core/strings.hpp"
#include "local/input_text.hpp"
#include "local/services/iam_input.hpp"
#include "local/services/iam_managed_policies.hpp"
#include "local/web_identity.hpp"

namespace ld::local {

using namespace iam;

namespace {

using nlohmann::json;

constexpr std::string_view kPolicyKind = "iam.role-policy";
constexpr std::string_view kOidcKind = "iam.oidc-provider";

std::string policy_key(const ApiCall& call, const std::string& role_name,
                       const std::string& policy_name) {
  return role_key(call, role_name) + "/" + policy_name;
}

// The stored role as the API's Role shape (IAM returns the trust policy URL-encoded).
json role_view(const json& stored, bool with_last_used) {
  json role = {{"Path", stored["Path"]},
               {"RoleName", stored["RoleName"]},
               {"RoleId", stored["RoleId"]},
               {"Arn", stored["Arn"]},
               {"CreateDate", stored["CreateDate"]},
               {"AssumeRolePolicyDocument",
                uri_encode(stored["AssumeRolePolicyDocument"].get<std::string>())}};
  if (stored.contains("Description")) role["Description"] = stored["Description"];
  role["MaxSessionDuration"] = stored.value("MaxSessionDuration", 3600);
  if (stored.contains("Tags") && !stored["Tags"].empty()) role["Tags"] = stored["Tags"];
  if (with_last_used) role["RoleLastUsed"] = json::object();
  return role;
}

json create_role(State& state, const ApiCall& call) {
  const json& in = call.input;
  const std::string name = required_name(in, "RoleName", "roleName", 64);
  const std::string document =
      policy_document(in, "AssumeRolePolicyDocument", "assumeRolePolicyDocument");
  const std::string path = path_member(in, "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  int max_session = 3600;
  if (std::string text = text_member(in, "MaxSessionDuration"); !text.empty()) {
    try {
      max_session = std::stoi(text);
    } catch (const std::exception&) {
      max_session = 0;
    }
    if (max_session < 3600 || max_session > 43200) {
      throw validation("1 validation error detected: Value '" + text +
                       "' at 'maxSessionDuration' failed to satisfy constraint: Member must "
                       "have value between 3600 and 43200");
    }
  }
  json stored = {{"Path", path},
                 {"RoleName", name},
                 {"RoleId", new_unique_id("AROA")},
                 {"Arn", "arn:aws:iam::" + call.caller.account + ":role" + path + name},
                 {"CreateDate", format_iso8601(call.now)},
                 {"AssumeRolePolicyDocument", document},
                 {"MaxSessionDuration", max_session}};
  if (in.contains("Description") && in["Description"].is_string())
    stored["Description"] = in["Description"];
  if (in.contains("Tags") && in["Tags"].is_array()) stored["Tags"] = in["Tags"];
  WriteResult written = state.records->put_if_revision(kRoleKind, role_key(call, name), stored, 0);
  if (!written) {
    throw ApiError("EntityAlreadyExists", "Role with name " + name + " already exists.", 409);
  }
  return {{"Role", role_view(stored, false)}};
}

json get_role(State& state, const ApiCall& call) {
  const std::string name = required_name(call.input, "RoleName", "roleName", 64);
  return {{"Role", role_view(find_role(state, call, name).document, true)}};
}

json delete_role(State& state, const ApiCall& call) {
  const std::string name = required_name(call.input, "RoleName", "roleName", 64);
  state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kRoleKind, role_key(call, name))) throw no_such_role(name);
    if (tx.count(kPolicyKind, role_key(call, name) + "/") > 0) {
      throw ApiError("DeleteConflict", "Cannot delete entity, must delete policies first.", 409);
    }
    if (tx.count(kAttachedKind, role_key(call, name) + "/") > 0) {
      throw ApiError("DeleteConflict", "Cannot delete entity, must detach all policies first.",
                     409);
    }
    tx.remove(kRoleKind, role_key(call, name));
  });
  return json::object();
}

json list_roles(State& state, const ApiCall& call) {
  std::string prefix = text_member(call.input, "PathPrefix");
  if (prefix.empty()) prefix = "/";
  json roles = json::array();
  std::string marker;
  while (true) {
    Page page = state.records->list(
        kRoleKind, {.prefix = call.caller.account + ":", .marker = marker, .limit = 1000});
    for (const Record& record : page.records) {
      if (record.document["Path"].get<std::string>().starts_with(prefix))
        roles.push_back(role_view(record.document, false));
    }
    if (!page.next_marker) break;
    marker = *page.next_marker;
  }
  return {{"Roles", roles}, {"IsTruncated", false}};
}

json put_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const std::string policy = required_name(call.input, "PolicyName", "policyName", 128);
  const std::string document = policy_document(call.input, "PolicyDocument", "policyDocument");
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> found = tx.get(kRoleKind, role_key(call, role));
    if (!found) throw no_such_role(role);
    tx.put(kPolicyKind, policy_key(call, role, policy),
           {{"RoleName", found->document["RoleName"]},
            {"PolicyName", policy},
            {"PolicyDocument", document}});
  });
  return json::object();
}

json get_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const std::string policy = required_name(call.input, "PolicyName", "policyName", 128);
  find_role(state, call, role);
  std::optional<Record> record = state.records->get(kPolicyKind, policy_key(call, role, policy));
  if (!record) {
    throw ApiError("NoSuchEntity", "The role policy with name " + policy + " cannot be found.",
                   404);
  }
  const json& doc = record->document;
  return {{"RoleName", doc["RoleName"]},
          {"PolicyName", doc["PolicyName"]},
          {"PolicyDocument", uri_encode(doc["PolicyDocument"].get<std::string>())}};
}

json delete_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const std::string policy = required_name(call.input, "PolicyName", "policyName", 128);
  find_role(state, call, role);
  if (!state.records->remove(kPolicyKind, policy_key(call, role, policy))) {
    throw ApiError("NoSuchEntity", "The role policy with name " + policy + " cannot be found.",
                   404);
  }
  return json::object();
}

json list_role_policies(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  find_role(state, call, role);
  json names = json::array();
  Page page = state.records->list(kPolicyKind,
                                  {.prefix = role_key(call, role) + "/", .marker = "", .limit = 0});
  for (const Record& record : page.records) names.push_back(record.document["PolicyName"]);
  return {{"PolicyNames", names}, {"IsTruncated", false}};
}

// "https://Host/path/" → "host/path": what names a provider in its ARN and the records.
std::string provider_id(std::string_view url) {
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos)
    url.remove_prefix(scheme + 3);
  while (url.ends_with("/")) url.remove_suffix(1);
  const std::size_t slash = url.find('/');
  return to_lower(url.substr(0, slash)) +
         std::string(slash == std::string_view::npos ? std::string_view() : url.substr(slash));
}

// A provider's record key: "<account>:<host/path>".
std::string provider_key(const std::string& account, std::string_view url) {
  return account + ":" + provider_id(url);
}

// A list member of strings (ClientIDList.member.N, …), empty when absent.
std::vector<std::string> text_list(const json& input, const char* name) {
  std::vector<std::string> out;
  auto it = input.find(name);
  if (it == input.end() || !it->is_array()) return out;
  for (const json& item : *it)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

// The URL's checks, as IAM makes them. The local endpoint also takes http:// to a loopback
// address, with a port, so that an issuer run on this machine (tests, development) can be used.
void check_provider_url(const std::string& url) {
  if (url.empty()) {
    throw validation(
        "1 validation error detected: Value null at 'url' failed to satisfy constraint: Member "
        "must not be null");
  }
  if (url.size() > 255) {
    throw validation("1 validation error detected: Value '" + url +
                     "' at 'url' failed to satisfy constraint: Member must have length less than "
                     "or equal to 255");
  }
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos || scheme == 0 || scheme + 3 >= url.size() ||
      url[scheme + 3] == '/')
    throw validation("Invalid Open ID Connect Provider URL");
  const bool https = starts_with_icase(url, "https://");
  if (!https && !fetchable_url(url))
    throw invalid_input("Invalid Open ID Connect Provider URL. The URL must begin with https://.");
  const std::string authority = url.substr(scheme + 3, url.find('/', scheme + 3) - scheme - 3);
  if (url.find_first_of("?#@") != std::string::npos ||
      (https && authority.find(':') != std::string::npos))
    throw invalid_input("Invalid Open ID Connect Provider URL.");
}

// CreateOpenIDConnectProvider: Url, ClientIDList, ThumbprintList, Tags.
json create_oidc_provider(State& state, const ApiCall& call) {
  const json& in = call.input;
  const std::string url = text_member(in, "Url");
  check_provider_url(url);
  const std::vector<std::string> thumbprints = text_list(in, "ThumbprintList");
  const std::vector<std::string> client_ids = text_list(in, "ClientIDList");
  for (const std::string& thumbprint : thumbprints) {
    const bool hex = thumbprint.size() == 40 &&
                     thumbprint.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos;
    if (!hex) {
      throw validation(
          "1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: "
          "Member must satisfy constraint: [Member must have length less than or equal to 40, "
          "Member must have length greater than or equal to 40]");
    }
  }
  if (thumbprints.size() > 5)
    throw invalid_input("Thumbprint list must contain fewer than 5 entries.");
  if (client_ids.size() > 100) {
    throw ApiError("LimitExceeded",
                   "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409);
  }
  for (const std::string& id : client_ids) {
    if (id.empty() || id.size() > 255) {
      throw validation(
          "1 validation error detected: Value at 'clientIDList' failed to satisfy constraint: "
          "Member must satisfy constraint: [Member must have length less than or equal to 255, "
          "Member must have length greater than or equal to 1]");
    }
  }
  const std::string arn =
      "arn:aws:iam::" + call.caller.account + ":oidc-provider/" + provider_id(url);
  json stored = {{"Arn", arn},
                 {"Url", url},
                 {"ClientIDList", client_ids},
                 {"ThumbprintList", thumbprints},
                 {"CreateDate", format_iso8601(call.now)}};
  if (in.contains("Tags") && in["Tags"].is_array()) stored["Tags"] = in["Tags"];
  WriteResult written =
      state.records->put_if_revision(kOidcKind, provider_key(call.caller.account, url), stored, 0);
  if (!written) {
    throw ApiError("EntityAlreadyExists", "Provider with url " + url + " already exists.", 409);
  }
  json out = {{"OpenIDConnectProviderArn", arn}};
  if (stored.contains("Tags") && !stored["Tags"].empty()) out["Tags"] = stored["Tags"];
  return out;
}

// The stored provider an OpenIDConnectProviderArn names (in the caller's account).
Record find_oidc_provider_record(State& state, const ApiCall& call) {
  const std::string arn = text_member(call.input, "OpenIDConnectProviderArn");
  if (arn.empty()) {
    throw validation(
        "1 validation error detected: Value null at 'openIDConnectProviderArn' failed to satisfy "
        "constraint: Member must not be null");
  }
  static const std::regex kArn(R"(arn:aws[a-z-]*:iam::(\d{12}):oidc-provider/(.+))");
  std::smatch m;
  if (!std::regex_match(arn, m, kArn)) throw invalid_input("ARN " + arn + " is not valid.");
  std::optional<Record> record;
  if (m[1] == call.caller.account)
    record = state.records->get(kOidcKind, provider_key(call.caller.account, m[2].str()));
  if (!record) {
    throw ApiError("NoSuchEntity", "OpenIDConnect Provider not found for arn " + arn, 404);
  }
  return *record;
}

// GetOpenIDConnectProvider: the provider an ARN names.
json get_oidc_provider(State& state, const ApiCall& call) {
  const json stored = find_oidc_provider_record(state, call).document;
  // IAM gives the URL without its scheme.
  json out = {{"Url", provider_id(stored["Url"].get<std::string>())},
              {"ClientIDList", stored.value("ClientIDList", json::array())},
              {"ThumbprintList", stored.value("ThumbprintList", json::array())},
              {"CreateDate", stored["CreateDate"]}};
  if (stored.contains("Tags") && !stored["Tags"].empty()) out["Tags"] = stored["Tags"];
  return out;
}

// ListOpenIDConnectProviders: the ARNs of the caller's account's providers.
json list_oidc_providers(State& state, const ApiCall& call) {
  json providers = json::array();
  Page page = state.records->list(kOidcKind,
                                  {.prefix = call.caller.account + ":", .marker = "", .limit = 0});
  for (const Record& record : page.records) providers.push_back({{"Arn", record.document["Arn"]}});
  return {{"OpenIDConnectProviderList", providers}};
}

// Idempotent, as IAM's: deleting a provider that does not exist is not an error.
json delete_oidc_provider(State& state, const ApiCall& call) {
  const std::string arn = text_member(call.input, "OpenIDConnectProviderArn");
  static const std::regex kArn(R"(arn:aws[a-z-]*:iam::(\d{12}):oidc-provider/(.+))");
  std::smatch m;
  if (!std::regex_match(arn, m, kArn)) throw invalid_input("ARN " + arn + " is not valid.");
  if (m[1] == call.caller.account)
    state.records->remove(kOidcKind, provider_key(call.caller.account, m[2].str()));
  return json::object();
}

json tag_role(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const json added = tag_list(call.input);
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> found = tx.get(kRoleKind, role_key(call, role));
    if (!found) throw no_such_role(role);
    json stored = found->document;
    json tags = stored.value("Tags", json::array());
    for (const json& tag : added) {
      bool replaced = false;
      for (json& kept : tags) {
        if (kept["Key"] == tag["Key"]) {
          kept["Value"] = tag.value("Value", "");
          replaced = true;
        }
      }
      if (!replaced) tags.push_back({{"Key", tag["Key"]}, {"Value", tag.value("Value", "")}});
    }
    if (tags.size() > 50) {
      throw ApiError("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409);
    }
    stored["Tags"] = tags;
    tx.put(kRoleKind, role_key(call, role), stored);
  });
  return json::object();
}

json untag_role(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const std::vector<std::string> keys = text_list(call.input, "TagKeys");
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> found = tx.get(kRoleKind, role_key(call, role));
    if (!found) throw no_such_role(role);
    json stored = found->document;
    json kept = json::array();
    for (const json& tag : stored.value("Tags", json::array())) {
      if (std::find(keys.begin(), keys.end(), tag["Key"].get<std::string>()) == keys.end())
        kept.push_back(tag);
    }
    stored["Tags"] = kept;
    tx.put(kRoleKind, role_key(call, role), stored);
  });
  return json::object();
}

json list_role_tags(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const json stored = find_role(state, call, role).document;
  return {{"Tags", stored.value("Tags", json::array())}, {"IsTruncated", false}};
}

json update_assume_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const std::string document = policy_document(call.input, "PolicyDocument", "policyDocument");
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> found = tx.get(kRoleKind, role_key(call, role));
    if (!found) throw no_such_role(role);
    json stored = found->document;
    stored["AssumeRolePolicyDocument"] = document;
    tx.put(kRoleKind, role_key(call, role), stored);
  });
  return json::object();
}

// Instance profiles are EC2's; the endpoint has none, so every role is in none.
json list_instance_profiles_for_role(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  find_role(state, call, role);
  return {{"InstanceProfiles", json::array()}, {"IsTruncated", false}};
}
}  // namespace

std::optional<OidcProvider> find_oidc_provider(const State& state, const std::string& account,
                                               const std::string& issuer) {
  if (issuer.empty()) return std::nullopt;
  std::optional<Record> record = state.records->get(kOidcKind, provider_key(account, issuer));
  if (!record) return std::nullopt;
  OidcProvider provider;
  provider.arn = record->document.value("Arn", "");
  provider.url = record->document.value("Url", "");
  provider.client_ids = text_list(record->document, "ClientIDList");
  return provider;
}

std::optional<json> find_role_document(const State& state, const std::string& account,
                                       const std::string& role_name) {
  std::optional<Record> record = state.records->get(kRoleKind, account + ":" + to_lower(role_name));
  if (!record) return std::nullopt;
  return record->document;
}

const aws::ServiceInfo& IamService::info() const {
  return aws::kIam;
}

ApiReply IamService::call(ApiCall& call) {
  if (auto member = first_non_utf8_member(call.input)) throw validation(non_utf8_message(*member));
  ApiReply reply;
  const std::string& op = call.operation;
  if (op == "CreateRole")
    reply.output = create_role(state_, call);
  else if (op == "GetRole")
    reply.output = get_role(state_, call);
  else if (op == "DeleteRole")
    reply.output = delete_role(state_, call);
  else if (op == "ListRoles")
    reply.output = list_roles(state_, call);
  else if (op == "PutRolePolicy")
    reply.output = put_role_policy(state_, call);
  else if (op == "GetRolePolicy")
    reply.output = get_role_policy(state_, call);
  else if (op == "DeleteRolePolicy")
    reply.output = delete_role_policy(state_, call);
  else if (op == "ListRolePolicies")
    reply.output = list_role_policies(state_, call);
  else if (op == "AttachRolePolicy")
    reply.output = attach_role_policy(state_, call);
  else if (op == "DetachRolePolicy")
    reply.output = detach_role_policy(state_, call);
  else if (op == "ListAttachedRolePolicies")
    reply.output = list_attached_role_policies(state_, call);
  else if (op == "TagRole")
    reply.output = tag_role(state_, call);
  else if (op == "UntagRole")
    reply.output = untag_role(state_, call);
  else if (op == "ListRoleTags")
    reply.output = list_role_tags(state_, call);
  else if (op == "UpdateAssumeRolePolicy")
    reply.output = update_assume_role_policy(state_, call);
  else if (op == "ListInstanceProfilesForRole")
    reply.output = list_instance_profiles_for_role(state_, call);
  else if (op == "CreatePolicy")
    reply.output = create_policy(state_, call);
  else if (op == "GetPolicy")
    reply.output = get_policy(state_, call);
  else if (op == "DeletePolicy")
    reply.output = delete_policy(state_, call);
  else if (op == "GetPolicyVersion")
    reply.output = get_policy_version(state_, call);
  else if (op == "CreateOpenIDConnectProvider")
    reply.output = create_oidc_provider(state_, call);
  else if (op == "GetOpenIDConnectProvider")
    reply.output = get_oidc_provider(state_, call);
  else if (op == "ListOpenIDConnectProviders")
    reply.output = list_oidc_providers(state_, call);
  else if (op == "DeleteOpenIDConnectProvider")
    reply.output = delete_oidc_provider(state_, call);
  else
    throw ApiError("InvalidAction", "Could not find operation " + op + " for version 2010-05-08");
  return reply;
}

}  // namespace ld::local
