#include "local/services/iam_managed_policies.hpp"

#include <map>
#include <optional>
#include <regex>
#include <string>

#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "local/services/iam_input.hpp"

namespace ld::local::iam {

using nlohmann::json;

namespace {

// The AWS managed policies the Lambda tutorials attach: name → path.
const std::map<std::string, std::string>& aws_managed_policies() {
  static const std::map<std::string, std::string> kPolicies = {
      {"AWSLambdaBasicExecutionRole", "/service-role/"},
      {"AWSLambdaVPCAccessExecutionRole", "/service-role/"},
      {"AWSLambdaRole", "/service-role/"},
      {"AWSLambdaDynamoDBExecutionRole", "/service-role/"},
      {"AWSLambdaSQSQueueExecutionRole", "/service-role/"},
      {"AWSLambdaKinesisExecutionRole", "/service-role/"},
      {"AWSLambdaMSKExecutionRole", "/service-role/"},
      {"AWSLambdaENIManagementAccess", "/service-role/"},
      {"AWSLambdaExecute", "/"},
      {"AWSLambda_FullAccess", "/"},
      {"AWSLambda_ReadOnlyAccess", "/"},
      {"AWSXRayDaemonWriteAccess", "/"},
      {"AWSXrayWriteOnlyAccess", "/"},
      {"CloudWatchLogsFullAccess", "/"},
      {"CloudWatchLambdaInsightsExecutionRolePolicy", "/"},
      {"AmazonS3ReadOnlyAccess", "/"},
      {"AmazonS3FullAccess", "/"},
      {"AmazonDynamoDBFullAccess", "/"},
      {"AmazonDynamoDBReadOnlyAccess", "/"},
      {"AmazonSQSFullAccess", "/"},
      {"AmazonSSMReadOnlyAccess", "/"},
      {"SecretsManagerReadWrite", "/"},
      {"AdministratorAccess", "/"},
      {"ReadOnlyAccess", "/"},
      {"PowerUserAccess", "/"},
      {"IAMReadOnlyAccess", "/"},
  };
  return kPolicies;
}

// A managed policy's ARN split: {account ("aws" for AWS's), path, name}; InvalidInput otherwise.
struct PolicyArn {
  std::string account;
  std::string path;
  std::string name;
};

PolicyArn parse_policy_arn(const json& input) {
  const std::string arn = text_member(input, "PolicyArn");
  if (arn.empty()) {
    throw validation(
        "1 validation error detected: Value null at 'policyArn' failed to satisfy constraint: "
        "Member must not be null");
  }
  static const std::regex kArn(
      R"(arn:aws[a-z-]*:iam::(aws|\d{12}):policy(/(?:[\x21-\x7E]*/)?)([\w+=,.@-]{1,128}))");
  std::smatch m;
  if (!std::regex_match(arn, m, kArn)) throw invalid_input("ARN " + arn + " is not valid.");
  return {m[1], m[2], m[3]};
}

// NoSuchEntity for a policy ARN nothing names.
ApiError no_such_policy(const std::string& arn) {
  return ApiError("NoSuchEntity", "Policy " + arn + " does not exist or is not attachable.", 404);
}

// A stable policy id (ANPA + 17 characters) from the ARN, for AWS's own policies.
std::string policy_id_of(const std::string& arn) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const std::string digest = sha256_hex(arn);
  std::string id = "ANPA";
  for (std::size_t i = 0; i < 17; ++i)
    id.push_back(kAlphabet[static_cast<unsigned char>(digest[i]) % kAlphabet.size()]);
  return id;
}

// The managed policy an ARN names, as stored (AWS's own ones made up on the fly), or nullopt.
std::optional<json> find_managed_policy(State& state, const ApiCall& call, const std::string& arn,
                                        const PolicyArn& parts) {
  if (parts.account == "aws") {
    auto it = aws_managed_policies().find(parts.name);
    if (it == aws_managed_policies().end() || it->second != parts.path) return std::nullopt;
    return json{{"PolicyName", parts.name},
                {"PolicyId", policy_id_of(arn)},
                {"Arn", arn},
                {"Path", parts.path},
                {"DefaultVersionId", "v1"},
                {"CreateDate", "2015-04-09T15:03:43Z"},
                {"UpdateDate", "2015-04-09T15:03:43Z"}};
  }
  if (parts.account != call.caller.account) return std::nullopt;
  std::optional<Record> record = state.records->get(kManagedKind, arn);
  if (!record) return std::nullopt;
  return record->document;
}

// How many roles of the account have `arn` attached.
std::size_t attachment_count(State& state, const ApiCall& call, const std::string& arn) {
  std::size_t count = 0;
  Page page = state.records->list(kAttachedKind,
                                  {.prefix = call.caller.account + ":", .marker = "", .limit = 0});
  for (const Record& record : page.records)
    if (record.document.value("PolicyArn", "") == arn) ++count;
  return count;
}

// The API's Policy shape.
json policy_view(State& state, const ApiCall& call, const json& stored) {
  json policy = {
      {"PolicyName", stored["PolicyName"]},
      {"PolicyId", stored["PolicyId"]},
      {"Arn", stored["Arn"]},
      {"Path", stored["Path"]},
      {"DefaultVersionId", stored["DefaultVersionId"]},
      {"AttachmentCount", attachment_count(state, call, stored["Arn"].get<std::string>())},
      {"PermissionsBoundaryUsageCount", 0},
      {"IsAttachable", true},
      {"CreateDate", stored["CreateDate"]},
      {"UpdateDate", stored["UpdateDate"]}};
  if (stored.contains("Description")) policy["Description"] = stored["Description"];
  if (stored.contains("Tags") && !stored["Tags"].empty()) policy["Tags"] = stored["Tags"];
  return policy;
}

}  // namespace

json attach_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  const PolicyArn parts = parse_policy_arn(call.input);
  const std::string arn = text_member(call.input, "PolicyArn");
  find_role(state, call, role);
  if (!find_managed_policy(state, call, arn, parts)) throw no_such_policy(arn);
  state.records->transaction([&](Records::Tx& tx) {
    if (!tx.get(kRoleKind, role_key(call, role))) throw no_such_role(role);
    tx.put(kAttachedKind, role_key(call, role) + "/" + arn,
           {{"PolicyName", parts.name}, {"PolicyArn", arn}});
  });
  return json::object();
}

json detach_role_policy(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  parse_policy_arn(call.input);
  const std::string arn = text_member(call.input, "PolicyArn");
  find_role(state, call, role);
  if (!state.records->remove(kAttachedKind, role_key(call, role) + "/" + arn))
    throw ApiError("NoSuchEntity", "Policy " + arn + " was not found.", 404);
  return json::object();
}

json list_attached_role_policies(State& state, const ApiCall& call) {
  const std::string role = required_name(call.input, "RoleName", "roleName", 64);
  find_role(state, call, role);
  std::string prefix = text_member(call.input, "PathPrefix");
  json attached = json::array();
  Page page = state.records->list(kAttachedKind,
                                  {.prefix = role_key(call, role) + "/", .marker = "", .limit = 0});
  for (const Record& record : page.records) {
    const std::string arn = record.document["PolicyArn"];
    const std::size_t path_start = arn.find(":policy") + 7;
    if (!prefix.empty() && arn.compare(path_start, prefix.size(), prefix) != 0) continue;
    attached.push_back({{"PolicyName", record.document["PolicyName"]}, {"PolicyArn", arn}});
  }
  return {{"AttachedPolicies", attached}, {"IsTruncated", false}};
}

json create_policy(State& state, const ApiCall& call) {
  const json& in = call.input;
  const std::string name = required_name(in, "PolicyName", "policyName", 128);
  const std::string document = policy_document(in, "PolicyDocument", "policyDocument");
  const std::string path = path_member(in, "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/");
  const std::string arn = "arn:aws:iam::" + call.caller.account + ":policy" + path + name;
  const std::string id = new_unique_id("ANPA");
  json stored = {{"PolicyName", name},
                 {"PolicyId", id},
                 {"Arn", arn},
                 {"Path", path},
                 {"DefaultVersionId", "v1"},
                 {"CreateDate", format_iso8601(call.now)},
                 {"UpdateDate", format_iso8601(call.now)},
                 {"Document", document}};
  if (in.contains("Description") && in["Description"].is_string())
    stored["Description"] = in["Description"];
  if (json tags = tag_list(in); !tags.empty()) stored["Tags"] = tags;
  // Names are unique in an account whatever the path.
  state.records->transaction([&](Records::Tx& tx) {
    Page page = tx.list(
        kManagedKind,
        {.prefix = "arn:aws:iam::" + call.caller.account + ":policy", .marker = "", .limit = 0});
    for (const Record& record : page.records) {
      if (record.document.value("PolicyName", "") == name) {
        throw ApiError(
            "EntityAlreadyExists",
            "A policy called " + name + " already exists. Duplicate names are not allowed.", 409);
      }
    }
    tx.put(kManagedKind, arn, stored);
  });
  return {{"Policy", policy_view(state, call, stored)}};
}

json get_policy(State& state, const ApiCall& call) {
  const PolicyArn parts = parse_policy_arn(call.input);
  const std::string arn = text_member(call.input, "PolicyArn");
  std::optional<json> stored = find_managed_policy(state, call, arn, parts);
  if (!stored) throw ApiError("NoSuchEntity", "Policy " + arn + " was not found.", 404);
  return {{"Policy", policy_view(state, call, *stored)}};
}

json delete_policy(State& state, const ApiCall& call) {
  const PolicyArn parts = parse_policy_arn(call.input);
  const std::string arn = text_member(call.input, "PolicyArn");
  if (parts.account == "aws") {
    throw ApiError("AccessDenied", "You cannot delete an AWS managed policy.", 403);
  }
  if (!find_managed_policy(state, call, arn, parts))
    throw ApiError("NoSuchEntity", "Policy " + arn + " was not found.", 404);
  if (attachment_count(state, call, arn) > 0)
    throw ApiError("DeleteConflict", "Cannot delete a policy attached to entities.", 409);
  state.records->remove(kManagedKind, arn);
  return json::object();
}

json get_policy_version(State& state, const ApiCall& call) {
  const PolicyArn parts = parse_policy_arn(call.input);
  const std::string arn = text_member(call.input, "PolicyArn");
  const std::string version = text_member(call.input, "VersionId");
  std::optional<json> stored = find_managed_policy(state, call, arn, parts);
  if (!stored) throw ApiError("NoSuchEntity", "Policy " + arn + " was not found.", 404);
  if (version != stored->value("DefaultVersionId", "v1") || !stored->contains("Document")) {
    throw ApiError(
        "NoSuchEntity",
        "Policy " + arn + " version " + version + " does not exist or is not attachable.", 404);
  }
  return {{"PolicyVersion",
           {{"Document", uri_encode((*stored)["Document"].get<std::string>())},
            {"VersionId", version},
            {"IsDefaultVersion", true},
            {"CreateDate", (*stored)["CreateDate"]}}}};
}

}  // namespace ld::local::iam
