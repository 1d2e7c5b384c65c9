#include "local/services/ssm.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <vector>

#include "aws/services/ssm.hpp"
#include "core/encoding.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

constexpr std::string_view kKind = "ssm.parameter";
constexpr std::string_view kHistoryKind = "ssm.parameter-history";
constexpr std::string_view kDefaultKey = "alias/aws/ssm";

std::string text_member(const json& input, const char* name) {
  auto it = input.find(name);
  if (it == input.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool flag_member(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_boolean() && it->get<bool>();
}

ApiError validation(const std::string& message) {
  return ApiError("ValidationException", message);
}

// Parameters live per region: "<region>:<name>".
std::string record_key(const ApiCall& call, std::string_view name) {
  return call.caller.region + ":" + std::string(name);
}

// A version's history record: "<region>:<name>#<version, 10 digits>" ('#' is in no name).
std::string history_key(const ApiCall& call, std::string_view name, long long version) {
  std::string digits = std::to_string(version);
  digits.insert(0, digits.size() < 10 ? 10 - digits.size() : 0, '0');
  return record_key(call, name) + "#" + digits;
}

void check_name(const std::string& name) {
  if (name.empty() || name.size() > 2048) {
    throw validation("1 validation error detected: Value '" + name +
                     "' at 'name' failed to satisfy constraint: Member must have length between "
                     "1 and 2048");
  }
  if (name.find('/') != std::string::npos && name.front() != '/') {
    throw validation("Parameter name must be a fully qualified name.");
  }
  std::string bare = to_lower(name.front() == '/' ? name.substr(1) : name);
  if (bare.starts_with("aws") || bare.starts_with("ssm")) {
    throw validation(
        "No access to reserved parameter name: " + name +
        ". Parameter name can't be prefixed with \"aws\" or \"ssm\" (case-insensitive).");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-' || c == '/';
    if (!ok) {
      throw validation(
          "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If "
          "formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path "
          "can be formed as a mix of letters, numbers and the following 3 symbols .-_");
    }
  }
}

std::string parameter_arn(const ApiCall& call, const std::string& name) {
  return "arn:aws:ssm:" + call.caller.region + ":" + call.caller.account + ":parameter/" +
         (name.front() == '/' ? name.substr(1) : name);
}

// What GetParameter shows for a SecureString read without decryption: an opaque, clearly
// local "ciphertext" (base64) that names the key and does not reveal the value.
std::string sealed_value(const json& stored) {
  const std::string key_id = stored.value("KeyId", std::string(kDefaultKey));
  return base64_encode("lambdeploy-local-kms:" + key_id + ":" +
                       sha256_hex(stored.value("Value", std::string())));
}

// The stored document as the API's Parameter shape.
json parameter_view(const ApiCall& call, const json& stored, bool decrypt) {
  json view = {{"Name", stored["Name"]},
               {"Type", stored["Type"]},
               {"Value", stored["Value"]},
               {"Version", stored["Version"]},
               {"LastModifiedDate", stored["LastModifiedDate"]},
               {"ARN", parameter_arn(call, stored["Name"].get<std::string>())},
               {"DataType", stored.value("DataType", std::string("text"))}};
  if (stored["Type"] == "SecureString" && !decrypt) view["Value"] = sealed_value(stored);
  return view;
}

ApiError not_found(const std::string& name) {
  return ApiError("ParameterNotFound", "Parameter " + name + " not found.");
}

double epoch_seconds(Timestamp t) {
  return static_cast<double>(t.time_since_epoch().count()) / 1000.0;
}

json put_parameter(State& state, const ApiCall& call) {
  const json& in = call.input;
  const std::string name = text_member(in, "Name");
  check_name(name);
  if (!in.contains("Value") || !in["Value"].is_string()) {
    throw validation(
        "1 validation error detected: Value null at 'value' failed to satisfy constraint: "
        "Member must not be null");
  }
  const std::string value = in["Value"].get<std::string>();
  if (value.empty() || value.size() > 4096) {
    throw validation(
        "1 validation error detected: Value at 'value' failed to satisfy constraint: Member "
        "must have length between 1 and 4096");
  }
  std::string type = text_member(in, "Type");
  if (!type.empty() && type != "String" && type != "StringList" && type != "SecureString") {
    throw validation("1 validation error detected: Value '" + type +
                     "' at 'type' failed to satisfy constraint: Member must satisfy enum value "
                     "set: [SecureString, StringList, String]");
  }
  std::string tier = text_member(in, "Tier");
  if (!tier.empty() && tier != "Standard" && tier != "Advanced" && tier != "Intelligent-Tiering") {
    throw validation("1 validation error detected: Value '" + tier +
                     "' at 'tier' failed to satisfy constraint: Member must satisfy enum value "
                     "set: [Standard, Advanced, Intelligent-Tiering]");
  }
  if (tier.empty() || tier == "Intelligent-Tiering") tier = "Standard";
  std::string data_type = text_member(in, "DataType");
  if (data_type.empty()) data_type = "text";
  if (data_type != "text" && data_type != "aws:ec2:image" && data_type != "aws:ssm:integration") {
    throw validation("The following data type is not supported: " + data_type +
                     " (Data type names are all lowercase.)");
  }
  const bool overwrite = flag_member(in, "Overwrite");
  const std::string key = record_key(call, name);
  return state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> existing = tx.get(kKind, key);
    if (existing && !overwrite) {
      throw ApiError("ParameterAlreadyExists",
                     "The parameter already exists. To overwrite this request, set the overwrite "
                     "option in the request to true.");
    }
    std::string stored_type = type;
    if (stored_type.empty()) {
      stored_type = existing ? existing->document.value("Type", std::string("String")) : "String";
    }
    const std::string key_id = text_member(in, "KeyId");
    if (!key_id.empty() && stored_type != "SecureString") {
      throw validation("KeyId is required for SecureString type parameter only.");
    }
    json doc = {{"Name", name},
                {"Type", stored_type},
                {"Value", value},
                {"Version", existing ? existing->document.value("Version", 0) + 1 : 1},
                {"LastModifiedDate", epoch_seconds(call.now)},
                {"LastModifiedUser", call.caller.arn},
                {"DataType", data_type},
                {"Tier", tier}};
    if (stored_type == "SecureString") doc["KeyId"] = key_id.empty() ? kDefaultKey : key_id;
    if (in.contains("Description") && in["Description"].is_string())
      doc["Description"] = in["Description"];
    else if (existing && existing->document.contains("Description"))
      doc["Description"] = existing->document["Description"];
    if (in.contains("AllowedPattern") && in["AllowedPattern"].is_string())
      doc["AllowedPattern"] = in["AllowedPattern"];
    if (existing && existing->document.contains("Tags")) {
      if (in.contains("Tags")) {
        throw validation(
            "Invalid request: tags and overwrite can't be used together. To create a parameter "
            "with tags, please remove overwrite flag. To update tags for an existing parameter, "
            "please use AddTagsToResource or RemoveTagsFromResource.");
      }
      doc["Tags"] = existing->document["Tags"];
    } else if (in.contains("Tags") && in["Tags"].is_array()) {
      doc["Tags"] = in["Tags"];
    }
    tx.put(kKind, key, doc);
    json history = doc;
    history.erase("Tags");
    tx.put(kHistoryKind, history_key(call, name, doc["Version"].get<long long>()), history);
    return json{{"Version", doc["Version"]}, {"Tier", tier}};
  });
}

json get_parameter(State& state, const ApiCall& call) {
  const std::string name = text_member(call.input, "Name");
  if (name.empty()) {
    throw validation(
        "1 validation error detected: Value null at 'name' failed to satisfy constraint: "
        "Member must not be null");
  }
  std::optional<Record> record = state.records->get(kKind, record_key(call, name));
  if (!record) throw not_found(name);
  return {{"Parameter",
           parameter_view(call, record->document, flag_member(call.input, "WithDecryption"))}};
}

json get_parameters(State& state, const ApiCall& call) {
  const json names = call.input.value("Names", json::array());
  if (!names.is_array() || names.empty() || names.size() > 10) {
    throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member "
        "must have length less than or equal to 10 and greater than or equal to 1");
  }
  json found = json::array();
  json invalid = json::array();
  const bool decrypt = flag_member(call.input, "WithDecryption");
  for (const json& item : names) {
    const std::string name = item.is_string() ? item.get<std::string>() : item.dump();
    std::optional<Record> record = state.records->get(kKind, record_key(call, name));
    if (record)
      found.push_back(parameter_view(call, record->document, decrypt));
    else
      invalid.push_back(name);
  }
  return {{"Parameters", found}, {"InvalidParameters", invalid}};
}

std::size_t max_results(const json& input, std::size_t largest) {
  auto it = input.find("MaxResults");
  if (it == input.end() || it->is_null()) return largest;
  long long value = it->is_number_integer() ? it->get<long long>() : -1;
  if (value < 1 || static_cast<std::size_t>(value) > largest) {
    throw validation("1 validation error detected: Value '" + it->dump() +
                     "' at 'maxResults' failed to satisfy constraint: Member must have value "
                     "less than or equal to " +
                     std::to_string(largest));
  }
  return static_cast<std::size_t>(value);
}

json get_parameters_by_path(State& state, const ApiCall& call) {
  std::string path = text_member(call.input, "Path");
  if (path.empty() || path.front() != '/') {
    throw validation(
        "The parameter doesn't meet the parameter name requirements. The parameter name must "
        "begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" "
        "(case-insensitive). It must use only letters, numbers, or the following symbols: . "
        "(period), - (hyphen), _ (underscore). Special characters are not allowed. All "
        "sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: "
        "/get/parameters2-/by1./path0_.");
  }
  if (path.back() != '/') path.push_back('/');
  const bool recursive = flag_member(call.input, "Recursive");
  const bool decrypt = flag_member(call.input, "WithDecryption");
  const std::size_t limit = max_results(call.input, 10);
  std::string marker;
  if (std::string token = text_member(call.input, "NextToken"); !token.empty()) {
    std::optional<std::string> decoded = base64_decode(token);
    if (!decoded || !decoded->starts_with(record_key(call, path))) {
      throw validation("The NextToken is not valid.");
    }
    marker = *decoded;
  }
  json parameters = json::array();
  const std::string prefix = record_key(call, path);
  while (true) {
    Page page = state.records->list(kKind, {.prefix = prefix, .marker = marker, .limit = 100});
    for (const Record& record : page.records) {
      marker = record.key;
      const std::string_view rest = std::string_view(record.key).substr(prefix.size());
      if (!recursive && rest.find('/') != std::string_view::npos) continue;
      if (parameters.size() == limit) {
        // One more matches: this page ends at the last one returned.
        std::string last_name = parameters.back()["Name"].get<std::string>();
        return {{"Parameters", parameters},
                {"NextToken", base64_encode(record_key(call, last_name))}};
      }
      parameters.push_back(parameter_view(call, record.document, decrypt));
    }
    if (!page.next_marker) break;
  }
  return {{"Parameters", parameters}};
}

// Removes a parameter and its history; false when there was none.
bool remove_parameter(State& state, const ApiCall& call, const std::string& name) {
  return state.records->transaction([&](Records::Tx& tx) {
    Page versions =
        tx.list(kHistoryKind, {.prefix = record_key(call, name) + "#", .marker = "", .limit = 0});
    for (const Record& record : versions.records) tx.remove(kHistoryKind, record.key);
    return tx.remove(kKind, record_key(call, name));
  });
}

json delete_parameter(State& state, const ApiCall& call) {
  const std::string name = text_member(call.input, "Name");
  if (!remove_parameter(state, call, name)) throw not_found(name);
  return json::object();
}

// The stored document as the API's ParameterMetadata shape (DescribeParameters).
json metadata_view(const ApiCall& call, const json& stored) {
  json view = {{"Name", stored["Name"]},
               {"ARN", parameter_arn(call, stored["Name"].get<std::string>())},
               {"Type", stored["Type"]},
               {"LastModifiedDate", stored["LastModifiedDate"]},
               {"LastModifiedUser", stored.value("LastModifiedUser", call.caller.arn)},
               {"Version", stored["Version"]},
               {"Tier", stored.value("Tier", std::string("Standard"))},
               {"Policies", json::array()},
               {"DataType", stored.value("DataType", std::string("text"))}};
  for (const char* member : {"KeyId", "Description", "AllowedPattern"})
    if (stored.contains(member)) view[member] = stored[member];
  return view;
}

// One ParameterStringFilter (or a legacy ParametersFilter as one) tested against a parameter.
bool filter_matches(const json& filter, const json& stored) {
  const std::string key = filter.value("Key", std::string());
  const std::string option =
      filter.value("Option", std::string(key == "Path" ? "OneLevel" : "Equals"));
  const json values = filter.value("Values", json::array());
  const std::string name = stored["Name"];
  for (const json& item : values) {
    if (!item.is_string()) continue;
    std::string value = item.get<std::string>();
    if (key == "Name") {
      // Names match with or without their leading slash, as SSM compares them.
      auto bare = [](std::string text) { return text.starts_with("/") ? text.substr(1) : text; };
      if (option == "BeginsWith" ? bare(name).starts_with(bare(value)) : bare(name) == bare(value))
        return true;
      if (option == "Contains" && name.find(value) != std::string::npos) return true;
    } else if (key == "Path") {
      if (!value.ends_with("/")) value.push_back('/');
      if (!name.starts_with(value)) continue;
      if (option == "Recursive" || name.find('/', value.size()) == std::string::npos) return true;
    } else if (key == "Type" || key == "KeyId" || key == "Tier" || key == "DataType") {
      if (stored.value(key, std::string()) == value) return true;
    } else if (key.starts_with("tag:")) {
      for (const json& tag : stored.value("Tags", json::array()))
        if (tag.value("Key", "") == key.substr(4) && tag.value("Value", "") == value) return true;
    }
  }
  return false;
}

json describe_parameters(State& state, const ApiCall& call) {
  json filters = call.input.value("ParameterFilters", json::array());
  for (const json& legacy : call.input.value("Filters", json::array())) filters.push_back(legacy);
  static const std::vector<std::string> kKeys = {"Name", "Path",     "Type", "KeyId",
                                                 "Tier", "DataType", "Label"};
  for (const json& filter : filters) {
    const std::string key = filter.value("Key", std::string());
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end() && !key.starts_with("tag:"))
      throw ApiError("InvalidFilterKey", "The following filter key is not valid: " + key);
  }
  const std::size_t limit = max_results(call.input, 50);
  std::string marker;
  const std::string prefix = call.caller.region + ":";
  if (std::string token = text_member(call.input, "NextToken"); !token.empty()) {
    std::optional<std::string> decoded = base64_decode(token);
    if (!decoded || !decoded->starts_with(prefix))
      throw ApiError("InvalidNextToken", "The NextToken is not valid.");
    marker = *decoded;
  }
  json parameters = json::array();
  while (true) {
    Page page = state.records->list(kKind, {.prefix = prefix, .marker = marker, .limit = 100});
    for (const Record& record : page.records) {
      marker = record.key;
      bool matches = true;
      for (const json& filter : filters)
        matches = matches && filter_matches(filter, record.document);
      if (!matches) continue;
      if (parameters.size() == limit) {
        const std::string last = parameters.back()["Name"].get<std::string>();
        return {{"Parameters", parameters}, {"NextToken", base64_encode(record_key(call, last))}};
      }
      parameters.push_back(metadata_view(call, record.document));
    }
    if (!page.next_marker) break;
  }
  return {{"Parameters", parameters}};
}

json get_parameter_history(State& state, const ApiCall& call) {
  const std::string name = text_member(call.input, "Name");
  std::optional<Record> current = state.records->get(kKind, record_key(call, name));
  if (!current) throw not_found(name);
  const bool decrypt = flag_member(call.input, "WithDecryption");
  const std::size_t limit = max_results(call.input, 50);
  std::string marker;
  if (std::string token = text_member(call.input, "NextToken"); !token.empty()) {
    std::optional<std::string> decoded = base64_decode(token);
    if (!decoded || !decoded->starts_with(record_key(call, name) + "#"))
      throw ApiError("InvalidNextToken", "The NextToken is not valid.");
    marker = *decoded;
  }
  Page page = state.records->list(
      kHistoryKind, {.prefix = record_key(call, name) + "#", .marker = marker, .limit = 0});
  std::vector<json> versions;
  for (const Record& record : page.records) versions.push_back(record.document);
  // A parameter stored before history was kept: its current version alone.
  if (versions.empty() && marker.empty()) versions.push_back(current->document);
  json out = json::array();
  json result = json::object();
  for (const json& stored : versions) {
    if (out.size() == limit) {
      result["NextToken"] =
          base64_encode(history_key(call, name, out.back()["Version"].get<long long>()));
      break;
    }
    json view = metadata_view(call, stored);
    view.erase("ARN");
    view["Value"] =
        stored["Type"] == "SecureString" && !decrypt ? json(sealed_value(stored)) : stored["Value"];
    view["Labels"] = json::array();
    out.push_back(view);
  }
  result["Parameters"] = out;
  return result;
}

// The parameter a tagging call names (ResourceType Parameter only), by its record key.
std::string tagged_parameter(State& state, const ApiCall& call) {
  const std::string type = text_member(call.input, "ResourceType");
  if (type != "Parameter") {
    throw ApiError("InvalidResourceType",
                   "The resource type " + type + " is not supported by the local endpoint.");
  }
  const std::string id = text_member(call.input, "ResourceId");
  const std::string key = record_key(call, id);
  if (id.empty() || !state.records->get(kKind, key))
    throw ApiError("InvalidResourceId",
                   "The resource ID \"" + id + "\" is not valid. Verify the ID and try again.");
  return key;
}

json list_tags_for_resource(State& state, const ApiCall& call) {
  const std::string key = tagged_parameter(state, call);
  std::optional<Record> record = state.records->get(kKind, key);
  return {{"TagList", record ? record->document.value("Tags", json::array()) : json::array()}};
}

json add_tags_to_resource(State& state, const ApiCall& call) {
  const std::string key = tagged_parameter(state, call);
  const json added = call.input.value("Tags", json::array());
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> record = tx.get(kKind, key);
    if (!record) throw ApiError("InvalidResourceId", "The resource ID is not valid.");
    json doc = record->document;
    json tags = doc.value("Tags", json::array());
    for (const json& tag : added) {
      if (!tag.is_object() || !tag.contains("Key")) continue;
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
      throw ApiError(
          "TooManyTagsError",
          "The Tags parameter contains more than 50 tags. Remove some tags and try again.");
    }
    doc["Tags"] = tags;
    tx.put(kKind, key, doc);
  });
  return json::object();
}

json remove_tags_from_resource(State& state, const ApiCall& call) {
  const std::string key = tagged_parameter(state, call);
  const json keys = call.input.value("TagKeys", json::array());
  state.records->transaction([&](Records::Tx& tx) {
    std::optional<Record> record = tx.get(kKind, key);
    if (!record) throw ApiError("InvalidResourceId", "The resource ID is not valid.");
    json doc = record->document;
    json kept = json::array();
    for (const json& tag : doc.value("Tags", json::array()))
      if (std::find(keys.begin(), keys.end(), tag["Key"]) == keys.end()) kept.push_back(tag);
    doc["Tags"] = kept;
    tx.put(kKind, key, doc);
  });
  return json::object();
}

json delete_parameters(State& state, const ApiCall& call) {
  const json names = call.input.value("Names", json::array());
  if (!names.is_array() || names.empty() || names.size() > 10) {
    throw validation(
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member "
        "must have length less than or equal to 10 and greater than or equal to 1");
  }
  json deleted = json::array();
  json invalid = json::array();
  for (const json& item : names) {
    const std::string name = item.is_string() ? item.get<std::string>() : item.dump();
    (remove_parameter(state, call, name) ? deleted : invalid).push_back(name);
  }
  return {{"DeletedParameters", deleted}, {"InvalidParameters", invalid}};
}

}  // namespace

const aws::ServiceInfo& SsmService::info() const {
  return aws::kSsm;
}

ApiReply SsmService::call(ApiCall& call) {
  ApiReply reply;
  const std::string& op = call.operation;
  if (op == "PutParameter")
    reply.output = put_parameter(state_, call);
  else if (op == "GetParameter")
    reply.output = get_parameter(state_, call);
  else if (op == "GetParameters")
    reply.output = get_parameters(state_, call);
  else if (op == "GetParametersByPath")
    reply.output = get_parameters_by_path(state_, call);
  else if (op == "DeleteParameter")
    reply.output = delete_parameter(state_, call);
  else if (op == "DeleteParameters")
    reply.output = delete_parameters(state_, call);
  else if (op == "DescribeParameters")
    reply.output = describe_parameters(state_, call);
  else if (op == "GetParameterHistory")
    reply.output = get_parameter_history(state_, call);
  else if (op == "ListTagsForResource")
    reply.output = list_tags_for_resource(state_, call);
  else if (op == "AddTagsToResource")
    reply.output = add_tags_to_resource(state_, call);
  else if (op == "RemoveTagsFromResource")
    reply.output = remove_tags_from_resource(state_, call);
  else
    throw ApiError("UnknownOperationException", "Unknown operation " + op);
  return reply;
}

}  // namespace ld::local
