#pragma once
// Provisioned concurrency's instances, for the process executor: for each function version with
// a config, that many instances started ahead of invocations and kept initialised (waiting in
// GET /next), started again when they die, stopped when the config goes. The executor lends them
// to invocations before it starts instances of its own.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "local/executor.hpp"
#include "local/instance.hpp"

namespace ld::local {

// The instances provisioned concurrency keeps warm, and a thread that keeps them. Thread-safe.
class ProvisionedInstances {
 public:
  // Starts one instance of an image (start_error() set when it cannot run). Called on the
  // keeping thread, without this object's lock held.
  using StartFn = std::function<std::shared_ptr<Instance>(const FunctionImage&)>;

  explicit ProvisionedInstances(StartFn start);
  ~ProvisionedInstances();  // stops the thread, then every instance
  ProvisionedInstances(const ProvisionedInstances&) = delete;
  ProvisionedInstances& operator=(const ProvisionedInstances&) = delete;

  // Replaces what a function keeps; idle instances no longer wanted stop at once, lent ones when
  // given back.
  void set(const std::string& function_name, std::vector<ProvisionedImage> images);
  // Stops a function's instances (its code or configuration changed); wanted ones start again.
  void retire(const std::string& function_name);

  // A free instance of `image` (initialised ones first), now busy; null when none is free.
  std::shared_ptr<Instance> lend(const FunctionImage& image);
  // Takes a lent instance back: kept when alive and still wanted, stopped otherwise. False when
  // the instance is not one of these.
  bool give_back(const std::shared_ptr<Instance>& instance);

  // How many instances (and of them busy) a function has; every function's with "".
  struct Counts {
    int instances = 0;
    int busy = 0;
  };
  Counts counts(const std::string& function_name = {}) const;
  // The lent instances, for the executor's memory sampling.
  std::vector<std::shared_ptr<Instance>> busy_instances() const;

 private:
  struct Kept {
    std::shared_ptr<Instance> instance;
    bool busy = false;
  };

  void keep();  // the thread: drops dead and unwanted instances, starts missing ones
  // Free instances that are dead, failed to start or beyond what is wanted, taken out of kept_.
  std::vector<Kept> take_unwanted();
  // How many instances of `image` are wanted (0 when none).
  int wanted(const FunctionImage& image) const;

  StartFn start_;

  mutable std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool changed_ = false;  // wakes the thread before its next check
  std::map<std::string, std::vector<ProvisionedImage>> wanted_;  // by function name
  std::vector<Kept> kept_;
  // Images whose instance died before its first invocation (an init error): not started again
  // before this time, so a failing init does not become a tight loop of processes.
  std::map<std::string, std::chrono::steady_clock::time_point> retry_at_;
  std::thread keeper_;
};

}  // namespace ld::local
