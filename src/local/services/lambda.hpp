#pragma once
// Lambda on the local endpoint: the control plane (functions, versions, aliases, Function URL
// configs, permissions, layers, provisioned concurrency) over the endpoint's state, and Invoke
// through an Executor.
#include <memory>
#include <mutex>
#include <string>

#include "local/executor.hpp"
#include "local/service.hpp"
#include "local/services/lambda_functions.hpp"
#include "local/state.hpp"

namespace ld::local {

// Lambda (rest-json, 2015-03-31), answering the operations of the project's own LambdaClient.
class LambdaService : public Service {
 public:
  // Hands the executor the instances that provisioned concurrency configs kept in `state` ask
  // for, and after that every change of them.
  LambdaService(State state, std::shared_ptr<Executor> executor, LambdaOptions options = {});

  const aws::ServiceInfo& info() const override;
  std::vector<const aws::Operation*> operations() const override;
  ApiReply call(ApiCall& call) override;

  // What the Function URL gateway asks (url_target, image_for, url_invocation_allowed).
  LambdaFunctions& functions() { return *functions_; }
  std::shared_ptr<LambdaFunctions> shared_functions() const { return functions_; }
  // The endpoint's port once bound (FunctionUrl and Code.Location name it).
  void set_endpoint_port(int port) { functions_->set_endpoint_port(port); }

 private:
  // Invoke's and InvokeWithResponseStream's input checked and resolved to what the executor runs.
  InvokeRequest invocation(ApiCall& call, bool streamed) const;
  ApiReply invoke(ApiCall& call);
  // Answers with an event stream: what the function streams goes out as it comes
  // (lambda_response_stream.cpp).
  ApiReply invoke_with_response_stream(ApiCall& call);
  // Tells the executor what the function's provisioned concurrency configs keep warm now.
  void provision(const std::string& function_name);

  std::shared_ptr<LambdaFunctions> functions_;
  std::shared_ptr<Executor> executor_;
  std::mutex provision_mutex_;
};

}  // namespace ld::local
