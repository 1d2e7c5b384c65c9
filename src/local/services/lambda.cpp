#include "local/services/lambda.hpp"

#include "aws/services/lambda.hpp"
#include "core/encoding.hpp"
#include "local/request_gate.hpp"
#include "local/services/lambda_validation.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

std::string text(const json& input, const char* name) {
  auto it = input.find(name);
  return it != input.end() && it->is_string() ? it->get<std::string>() : std::string();
}

InvocationType invocation_type(const std::string& value) {
  if (value.empty() || value == "RequestResponse") return InvocationType::RequestResponse;
  if (value == "Event") return InvocationType::Event;
  if (value == "DryRun") return InvocationType::DryRun;
  lambda::fail_validation(value, "invocationType",
                          "Member must satisfy enum value set: [RequestResponse, Event, DryRun]");
}

}  // namespace

LambdaService::LambdaService(State state, std::shared_ptr<Executor> executor, LambdaOptions options)
    : functions_(std::make_shared<LambdaFunctions>(std::move(state), options)),
      executor_(std::move(executor)) {
  // Configs kept from an earlier run get their instances again.
  if (executor_) {
    for (const std::string& name : functions_->provisioned_functions()) provision(name);
  }
}

const aws::ServiceInfo& LambdaService::info() const {
  return aws::kLambda;
}

std::vector<const aws::Operation*> LambdaService::operations() const {
  return aws::lambda::operations();
}

ApiReply LambdaService::call(ApiCall& call) {
  if (call.operation == "Invoke") return invoke(call);
  if (call.operation == "InvokeWithResponseStream") return invoke_with_response_stream(call);
  ApiReply reply;
  reply.output = functions_->run(call);
  const std::string& op = call.operation;
  const bool changes_code =
      op == "UpdateFunctionCode" || op == "UpdateFunctionConfiguration" || op == "DeleteFunction";
  if (changes_code && executor_) {
    const std::string name = lambda::parse_function_name(text(call.input, "FunctionName")).name;
    executor_->retire(name);
  }
  // New code is unzipped while the function is Pending or InProgress, as on AWS, not by the
  // first invocation.
  if ((op == "CreateFunction" || op == "UpdateFunctionCode") && executor_) {
    const std::string name = lambda::parse_function_name(text(call.input, "FunctionName")).name;
    executor_->prepare(functions_->latest_image(name));
  }
  // What provisioned concurrency keeps warm follows its configs, the aliases they name and the
  // instances retired above.
  const bool changes_provisioned = changes_code || op == "PutProvisionedConcurrencyConfig" ||
                                   op == "DeleteProvisionedConcurrencyConfig" ||
                                   op == "UpdateAlias" || op == "DeleteAlias";
  if (changes_provisioned && executor_)
    provision(lambda::parse_function_name(text(call.input, "FunctionName")).name);
  return reply;
}

void LambdaService::provision(const std::string& function_name) {
  // Read and handed over in one step, so the last change's state is the one that stays.
  std::lock_guard lock(provision_mutex_);
  executor_->provision(function_name, functions_->provisioned_images(function_name));
}

InvokeRequest LambdaService::invocation(ApiCall& call, bool streamed) const {
  const lambda::FunctionRef ref = lambda::parse_function_name(text(call.input, "FunctionName"));
  std::string qualifier = text(call.input, "Qualifier");
  if (!qualifier.empty()) {
    lambda::check_qualifier(qualifier);
    if (!ref.qualifier.empty() && ref.qualifier != qualifier) {
      lambda::fail_invalid(
          "The derived qualifier from the function name does not match the specified "
          "qualifier.");
    }
  } else {
    qualifier = ref.qualifier;
  }
  const std::string log_type = text(call.input, "LogType");
  if (!log_type.empty() && log_type != "None" && log_type != "Tail") {
    lambda::fail_validation(log_type, "logType",
                            "Member must satisfy enum value set: [None, Tail]");
  }
  InvokeRequest request;
  request.type = invocation_type(text(call.input, "InvocationType"));
  if (streamed && request.type == InvocationType::Event) {
    lambda::fail_validation("Event", "invocationType",
                            "Member must satisfy enum value set: [RequestResponse, DryRun]");
  }
  std::string alias;
  request.image = functions_->image_for(ref.name, qualifier, &alias, call.caller, call.now);
  request.alias = alias;
  request.invoked_arn =
      qualifier.empty() ? request.image.function_arn : request.image.function_arn + ":" + qualifier;
  request.payload = text(call.input, "Payload");
  if (request.payload.size() > kInvokePayloadLimit) {
    ApiError error("RequestTooLargeException",
                   "Request must be smaller than " + std::to_string(kInvokePayloadLimit) +
                       " bytes for the InvokeFunction operation",
                   413);
    error.extra = {{"Type", "User"}};
    throw error;
  }
  request.tail_log = log_type == "Tail";
  request.client_context = text(call.input, "ClientContext");
  request.request_id = call.request_id;
  if (!executor_) {
    throw ApiError("ServiceException", "no executor is configured to run functions", 500);
  }
  return request;
}

ApiReply LambdaService::invoke(ApiCall& call) {
  InvokeRequest request = invocation(call, false);
  const std::string log_type = text(call.input, "LogType");
  const InvocationType type = request.type;
  InvokeResult result = executor_->invoke(std::move(request));
  ApiReply reply;
  reply.output["StatusCode"] = result.status;
  if (result.function_error) reply.output["FunctionError"] = *result.function_error;
  if (type == InvocationType::RequestResponse) {
    if (log_type == "Tail") reply.output["LogResult"] = base64_encode(result.log_tail);
    reply.output["ExecutedVersion"] =
        result.executed_version.empty() ? std::string("$LATEST") : result.executed_version;
    reply.output["Payload"] = result.payload;
  } else {
    reply.output["Payload"] = std::string();  // 202 and 204 carry no body
  }
  reply.content_type = "application/json";
  return reply;
}

}  // namespace ld::local
