// Lambda's Function URL config operations: Create/Get/Update/DeleteFunctionUrlConfig.
#include <initializer_list>
#include <string>

#include "local/services/lambda_ops.hpp"

namespace ld::local::lambda {

namespace {

using nlohmann::json;

// The function and alias a URL config call is about (the qualifier must be an alias).
Record url_function(const Context& ctx, const FunctionRef& ref) {
  auto found = ctx.records().get(kFunction, ref.name);
  if (!found) not_found(kNoSuchResource);
  Record function = *found;
  if (!ref.qualifier.empty()) {
    if (ref.qualifier == "$LATEST" || is_version_number(ref.qualifier)) {
      fail_invalid("1 validation error detected: Value '" + ref.qualifier +
                   "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular "
                   "expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
    }
    if (!find_alias(ctx, ref.name, ref.qualifier))
      not_found("Function not found: " + ctx.arn_of(ref.name) + ":" + ref.qualifier);
  }
  return function;
}

void check_url_members(const json& in) {
  if (has(in, "AuthType")) {
    const std::string auth = text(in, "AuthType");
    if (auth != "NONE" && auth != "AWS_IAM")
      fail_validation(auth, "authType", "Member must satisfy enum value set: [AWS_IAM, NONE]");
  }
  if (has(in, "InvokeMode")) {
    const std::string mode = text(in, "InvokeMode");
    if (mode != "BUFFERED" && mode != "RESPONSE_STREAM")
      fail_validation(mode, "invokeMode",
                      "Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]");
  }
}

std::string function_url(const Context& ctx, const json& url) {
  return "http://" + url.value("url_id", "") + ".lambda-url." + url.value("region", "") + "." +
         ctx.host_suffix() + "/";
}

json render_url(const Context& ctx, const json& url, const std::string& arn,
                std::initializer_list<const char*> members) {
  json out = {{"FunctionUrl", function_url(ctx, url)}, {"FunctionArn", arn}};
  for (const char* member : members) {
    if (url.contains(member) && !url[member].is_null()) out[member] = url[member];
  }
  return out;
}

Record load_url(const Context& ctx, const FunctionRef& ref) {
  auto record = ctx.records().get(kUrl, ref.name + "/" + ref.qualifier);
  if (!record) not_found(kNoSuchResource);
  return *record;
}

}  // namespace

json create_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  if (!has(ctx.in, "AuthType")) fail_validation("null", "authType", "Member must not be null");
  check_url_members(ctx.in);
  const std::string arn = qualified(doc_arn(function.document), ref.qualifier);
  const std::string account = function.document.at("account");
  const std::string region = function.document.at("region");
  const std::string id = LambdaFunctions::url_id(account, region, ref.name, ref.qualifier);
  json url = {{"AuthType", text(ctx.in, "AuthType")},
              {"InvokeMode", has(ctx.in, "InvokeMode") ? text(ctx.in, "InvokeMode") : "BUFFERED"},
              {"CreationTime", url_time(ctx.now)},
              {"LastModifiedTime", url_time(ctx.now)},
              {"url_id", id},
              {"function", ref.name},
              {"qualifier", ref.qualifier},
              {"account", account},
              {"region", region}};
  if (has(ctx.in, "Cors")) url["Cors"] = ctx.in["Cors"];
  const std::string key = ref.name + "/" + ref.qualifier;
  const bool written = ctx.records().transaction([&](Records::Tx& tx) {
    if (!tx.put_if_revision(kUrl, key, url, 0)) return false;
    tx.put(kUrlId, id, {{"function", ref.name}, {"qualifier", ref.qualifier}});
    return true;
  });
  if (!written) {
    conflict("Failed to create function url config for [functionArn = " + arn +
             "]. Error message:  FunctionUrlConfig exists for this Lambda function");
  }
  if (has(ctx.in, "InvokeMode"))
    return render_url(ctx, url, arn, {"AuthType", "CreationTime", "Cors", "InvokeMode"});
  return render_url(ctx, url, arn, {"AuthType", "CreationTime", "Cors"});
}

json get_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  return render_url(ctx, url.document, qualified(doc_arn(function.document), ref.qualifier),
                    {"AuthType", "CreationTime", "Cors", "InvokeMode", "LastModifiedTime"});
}

json update_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  Record function = url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  check_url_members(ctx.in);
  json& doc = url.document;
  for (const char* member : {"AuthType", "InvokeMode", "Cors"})
    if (has(ctx.in, member)) doc[member] = ctx.in[member];
  doc["LastModifiedTime"] = url_time(ctx.now);
  ctx.records().put(kUrl, url.key, doc);
  return render_url(ctx, doc, qualified(doc_arn(function.document), ref.qualifier),
                    {"AuthType", "CreationTime", "Cors", "InvokeMode", "LastModifiedTime"});
}

json list_urls(const Context& ctx) {
  const FunctionRef ref = parse_function_name(text(ctx.in, "FunctionName"));
  const Record function = load_function(ctx, ref.name);
  std::vector<std::pair<std::string, json>> items;
  for (const auto& url : ctx.records().list(kUrl, all_with_prefix(ref.name + "/")).records) {
    const std::string arn =
        qualified(doc_arn(function.document), url.document.value("qualifier", ""));
    items.emplace_back(url.key, render_url(ctx, url.document, arn,
                                           {"AuthType", "CreationTime", "Cors", "InvokeMode",
                                            "LastModifiedTime"}));
  }
  return page_of(items, ctx.in, 50, "FunctionUrlConfigs");
}

void delete_url(const Context& ctx) {
  const FunctionRef ref = function_ref(ctx.in);
  url_function(ctx, ref);
  Record url = load_url(ctx, ref);
  ctx.records().transaction([&](Records::Tx& tx) {
    tx.remove(kUrlId, url.document.value("url_id", ""));
    tx.remove(kUrl, url.key);
  });
}

}  // namespace ld::local::lambda
