#pragma once
// The executor of `lambdeploy local`: runs each function's `bootstrap` as real processes
// (instances) with a Runtime API each, reusing warm ones, starting new ones up to a limit,
// killing on timeout or memory overrun, and reporting logs and metrics as Lambda does.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "local/executor.hpp"
#include "local/log_output.hpp"
#include "local/telemetry.hpp"

namespace ld::local {

// How the process executor runs instances.
struct ExecutorOptions {
  std::filesystem::path data_dir;       // tasks/, layers/ and instances/ live under it
  int max_instances_per_function = 10;  // concurrent instances; beyond it Invoke answers 429
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);   // idle instances reaped
  std::chrono::milliseconds init_timeout = std::chrono::seconds(10);  // to the first GET /next
  // Try the sandbox (sandbox.hpp: PID and mount namespaces, uid 993); false: real paths as the
  // endpoint's own user, as the endpoint ran functions before.
  bool mount_namespace = true;
  std::filesystem::path init_program;  // lambdeploy-init; empty: found (sandbox.hpp)
  std::string endpoint_url;            // AWS_ENDPOINT_URL given to functions, when not empty
  OutputLimits output_limits;          // each instance's output budget (log_output.hpp)
  // How often busy instances' memory is sampled (VmRSS) for Max Memory Used and MemorySize.
  std::chrono::milliseconds memory_sample_interval = std::chrono::milliseconds(20);
};

// Throws ld::Error when data_dir cannot be created. Sinks may be null (nothing reported).
std::unique_ptr<Executor> make_process_executor(ExecutorOptions options,
                                                std::shared_ptr<LogSink> logs,
                                                std::shared_ptr<MetricSink> metrics);

}  // namespace ld::local
