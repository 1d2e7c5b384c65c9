#pragma once
// A local LambdaService for tests, served on a free loopback port behind its own FrontEnd, with
// any other services it needs next to it.
#include <memory>
#include <string>
#include <vector>

#include "local/front_end.hpp"
#include "local/server.hpp"
#include "local/services/lambda.hpp"
#include "local/state.hpp"

namespace ld::test {

// Lambda (with `executor`, or none) and `others` on 127.0.0.1; Lambda knows the port, for its
// Function URLs. The server stops when this goes.
class ServedLambda {
 public:
  ServedLambda(const local::State& state, std::shared_ptr<local::Executor> executor,
               const local::LambdaOptions& options,
               const std::vector<std::shared_ptr<local::Service>>& others = {});
  ~ServedLambda();
  ServedLambda(const ServedLambda&) = delete;
  ServedLambda& operator=(const ServedLambda&) = delete;

  std::string url() const;
  int port() const;

  std::shared_ptr<local::LambdaService> service;

 private:
  local::FrontEnd front_end_;
  std::unique_ptr<local::Server> server_;
};

}  // namespace ld::test
