#pragma once
// One running `bootstrap`: its processes (started by the executor's Sandbox: a PID namespace of
// their own where the kernel allows, else a process group; stdout/stderr cut into log events and
// budgeted by LogOutput), its Runtime API server, and the invocation it is working on.
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "local/executor.hpp"
#include "local/log_output.hpp"
#include "local/payload_stream.hpp"
#include "local/runtime_api.hpp"
#include "local/sandbox.hpp"
#include "local/task_layout.hpp"
#include "local/telemetry.hpp"

namespace ld::local {

using SteadyClock = std::chrono::steady_clock;

// One invocation handed to an instance; the invoking thread waits on it. Thread-safe.
class Invocation {
 public:
  std::string id;
  std::string payload;
  std::string client_context;
  std::string invoked_arn;
  int timeout_ms = 3000;
  bool wake_on_delivery = true;  // false when the invoking thread already waits for the deadline
  // Where a streamed response goes as it arrives (InvokeWithResponseStream); null: it is
  // collected and answered whole, within the buffered limit, as Invoke answers.
  std::shared_ptr<PayloadStream> stream;

  // Completes once (later calls are ignored): the payload, "Unhandled" for a function error and
  // the Lambda error type for REPORT's "Error Type" (runtime errors only). False when already done.
  bool complete(std::string result, std::optional<std::string> function_error,
                std::string error_type = {});
  void add_log(const std::string& message);

  mutable std::mutex m;
  std::condition_variable cv;
  bool delivered = false;
  bool done = false;
  SteadyClock::time_point delivered_at{};
  SteadyClock::time_point finished_at{};
  std::int64_t deadline_epoch_ms = 0;
  std::string result;
  std::optional<std::string> function_error;
  std::string error_type;
  std::string log;                 // this invocation's log lines, for LogType Tail
  std::size_t streamed_bytes = 0;  // of a streamed response so far
  std::string collected;           // a streamed response gathered for a caller without a stream
};

// How to start an instance.
struct InstanceSpec {
  FunctionImage image;
  std::filesystem::path task_root;
  std::filesystem::path opt_root;
  std::filesystem::path instance_dir;      // private scratch (its /tmp), removed with the instance
  std::shared_ptr<const Sandbox> sandbox;  // how its processes are started (required)
  OutputLimits output_limits;              // its output's budget
  std::string endpoint_url;  // AWS_ENDPOINT_URL for the function's SDK calls, when set
  std::shared_ptr<LogSink> logs;
  // Started ahead of invocations for provisioned concurrency: AWS_LAMBDA_INITIALIZATION_TYPE
  // says so, and no REPORT carries its Init Duration (no invocation waited for it).
  bool provisioned = false;
};

// Removes an instance's folder (its /tmp), also when a function took the permissions away from
// folders in it. Errors are ignored.
void remove_instance_files(const std::filesystem::path& dir);

// The error document Lambda answers for a runtime failure, fields in AWS's order.
std::string lambda_error_document(const std::string& type, const std::string& message);

class Instance : private RuntimeApiHandler {
 public:
  explicit Instance(InstanceSpec spec);
  ~Instance() override;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // Starts the Runtime API and the process. False when it could not start (no bootstrap):
  // start_error() then holds the error document every invocation gets.
  bool start();
  const std::string& start_error() const { return start_error_; }

  // Hands an invocation over (delivered at the runtime's next GET /next).
  void assign(std::shared_ptr<Invocation> invocation);
  // SIGKILL to all its processes (its PID namespace's first process, else its process group).
  // `out_of_memory` makes an interrupted invocation report Runtime.OutOfMemory.
  void kill(bool out_of_memory = false);
  // Writes a line to the stream (and to the invocation's tail when given).
  void log(const std::string& message, Invocation* invocation = nullptr);
  // Waits (50 ms at most) until what the process has written so far is logged: an invocation's
  // tail and stream then hold what its function printed before answering, ahead of END.
  void settle_output();

  bool alive() const;
  bool initialised() const;
  pid_t pid() const { return pid_; }
  const std::string& stream() const { return stream_; }
  const FunctionImage& image() const { return spec_.image; }
  // The init duration, once: for the REPORT of the instance's first invocation (never for a
  // provisioned instance).
  std::optional<double> take_init_duration_ms();
  // Samples resident memory (/proc): the bootstrap's own, and with `whole_group` every process
  // of the instance summed (its PID namespace's /proc; without one its process group, from a
  // scan of /proc shared by instances sampled within 10 ms), as Lambda's limit bounds the whole
  // sandbox. Only ever of processes that have exec'd: Sandbox::start returns after the exec.
  void sample_memory(bool whole_group = true);
  int max_memory_mb() const;
  int rss_mb() const;

 private:
  std::optional<RuntimeReply> next() override;
  RuntimeReply response(const std::string& request_id, std::string body) override;
  RuntimeReply error(const std::string& request_id, const std::string& error_type,
                     std::string body) override;
  RuntimeReply init_error(const std::string& error_type, std::string body) override;
  std::optional<RuntimeReply> stream_begin(const std::string& request_id) override;
  std::optional<RuntimeReply> stream_part(const std::string& request_id,
                                          std::string_view bytes) override;
  RuntimeReply stream_end(const std::string& request_id, const std::string& error_type,
                          const std::string& error_body) override;

  void watch();  // the output thread: pipes and process exit
  void exited(int status);
  // Writes the function's output events to the stream (and the current invocation's tail).
  void log_output(std::vector<std::string> events);
  std::shared_ptr<Invocation> current_delivered(const std::string& id);

  InstanceSpec spec_;
  std::string stream_;
  RuntimeApiServer server_;
  pid_t pid_ = -1;  // the first process: lambdeploy-init, or the bootstrap
  int pidfd_ = -1;  // of pid_, for signals that cannot reach a recycled pid
  bool pid_namespace_ = false;
  bool init_ = false;  // pid_ is lambdeploy-init; the bootstrap is PID 2 of the namespace
  int out_fd_ = -1, err_fd_ = -1;  // open until destruction (settle_output reads their fill)
  int status_fd_ = -1;             // lambdeploy-init writes the bootstrap's wait status here
  std::thread watcher_;
  std::string start_error_;
  std::mutex output_m_;  // with output_cv_: the watcher has logged a chunk
  std::condition_variable output_cv_;
  int output_in_flight_ = 0;  // chunks read and not yet logged, guarded by output_m_

  mutable std::mutex m_;
  std::shared_ptr<Invocation> current_;
  bool alive_ = false;
  bool initialised_ = false;
  bool out_of_memory_ = false;
  bool init_duration_taken_ = false;
  std::string init_error_;  // document posted to /runtime/init/error
  std::string init_log_;    // lines written before the first invocation was assigned
  bool assigned_once_ = false;
  SteadyClock::time_point spawned_at_{};
  double init_duration_ms_ = 0;
  int max_rss_kb_ = 0;
  int rss_kb_ = 0;
  int statm_fd_ = -1;  // the bootstrap's statm, guarded by m_
};

}  // namespace ld::local
