#include "local/process_executor.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "local/api_call.hpp"
#include "local/instance.hpp"
#include "local/provisioned_instances.hpp"
#include "local/sandbox.hpp"
#include "local/task_layout.hpp"

namespace ld::local {

namespace fs = std::filesystem;

namespace {

std::int64_t epoch_ms() {
  return system_now().time_since_epoch().count();
}

std::string two_decimals(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// One instance as the executor tracks it.
struct Slot {
  std::shared_ptr<Instance> instance;
  bool busy = false;
  SteadyClock::time_point last_used = SteadyClock::now();
};

class ProcessExecutor final : public Executor {
 public:
  ProcessExecutor(ExecutorOptions options, std::shared_ptr<LogSink> logs,
                  std::shared_ptr<MetricSink> metrics)
      : options_(std::move(options)), logs_(std::move(logs)), metrics_(std::move(metrics)) {
    fs::create_directories(options_.data_dir / "instances");
    remove_stale_instances();  // left by an endpoint that was killed
    sandbox_ = std::make_shared<const Sandbox>(options_.data_dir, options_.mount_namespace,
                                               options_.init_program);
    provisioned_ = std::make_unique<ProvisionedInstances>([this](const FunctionImage& image) {
      auto [task_root, opt_root] = roots_of(image);
      return start_instance(image, task_root, opt_root, true);
    });
    housekeeper_ = std::thread([this] { housekeeping(); });
  }

  ~ProcessExecutor() override {
    {
      std::lock_guard lock(m_);
      stopping_ = true;
    }
    cv_.notify_all();
    housekeeper_.join();
    std::list<EventRun> events;
    {
      std::lock_guard lock(events_m_);
      events.swap(events_);
    }
    for (auto& e : events) e.thread.join();
    // Nothing lends or samples its instances any more; its thread starts them through this
    // executor's members, which outlive it.
    provisioned_.reset();
    std::map<std::string, std::vector<Slot>> pools;
    {
      std::lock_guard lock(m_);
      pools.swap(pools_);
    }
    pools.clear();  // kills every instance
    remove_stale_instances();
  }

  void prepare(const FunctionImage& image) override {
    std::lock_guard lock(events_m_);
    reap_background();
    auto done = std::make_shared<std::atomic<bool>>(false);
    events_.push_back(EventRun{std::thread([this, image, done] {
                                 try {
                                   roots_of(image);
                                 } catch (const std::exception&) {
                                   // A bad zip: the first invocation reports it.
                                 }
                                 done->store(true);
                               }),
                               done});
  }

  InvokeResult invoke(InvokeRequest request) override {
    if (request.request_id.empty()) request.request_id = random_uuid();
    InvokeResult result;
    result.request_id = request.request_id;
    result.executed_version = request.image.version;
    if (request.type == InvocationType::DryRun) {
      result.status = 204;
      return result;
    }
    if (request.type == InvocationType::Event) {
      result.status = 202;
      std::lock_guard lock(events_m_);
      reap_background();
      auto done = std::make_shared<std::atomic<bool>>(false);
      events_.push_back(EventRun{std::thread([this, request, done]() mutable {
                                   run_event(std::move(request));
                                   *done = true;
                                 }),
                                 done});
      return result;
    }
    return run(request);
  }

  void provision(const std::string& function_name, std::vector<ProvisionedImage> images) override {
    provisioned_->set(function_name, std::move(images));
  }

  void retire(const std::string& function_name) override {
    provisioned_->retire(function_name);
    std::vector<Slot> slots;
    {
      std::lock_guard lock(m_);
      auto it = pools_.find(function_name);
      if (it == pools_.end()) return;
      for (auto& s : it->second) s.instance->kill();
      // Busy instances are dropped by their invoking thread when it sees them dead.
      for (auto& s : it->second)
        if (!s.busy) slots.push_back(std::move(s));
      std::erase_if(it->second, [](const Slot& s) { return !s.instance; });
    }
  }

  ExecutorStatus status() const override {
    ExecutorStatus st;
    st.isolation = sandbox_->isolation().describe();
    const ProvisionedInstances::Counts provisioned = provisioned_->counts();
    st.provisioned = provisioned.instances;
    st.instances = provisioned.instances;
    st.busy = provisioned.busy;
    std::lock_guard lock(m_);
    for (const auto& [name, slots] : pools_)
      for (const auto& s : slots) {
        ++st.instances;
        if (s.busy) ++st.busy;
      }
    return st;
  }

 private:
  // Removes every instance folder under instances/ (none of this executor's is running).
  void remove_stale_instances() {
    std::error_code ec;
    for (fs::directory_iterator it(options_.data_dir / "instances", ec), end; !ec && it != end;
         it.increment(ec))
      remove_instance_files(it->path());
  }

  void run_event(InvokeRequest request) {
    // Lambda queues asynchronous invocations and retries throttled ones for a while.
    auto give_up = SteadyClock::now() + std::chrono::minutes(5);
    while (true) {
      try {
        run(request);
        return;
      } catch (const ApiError& e) {
        if (e.status() != 429 || SteadyClock::now() > give_up) return;
      } catch (const std::exception&) {
        return;
      }
      std::unique_lock lock(m_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stopping_; })) return;
    }
  }

  // Joins the background threads that have finished. Called with events_m_ held.
  void reap_background() {
    for (auto it = events_.begin(); it != events_.end();) {
      if (it->done->load()) {
        it->thread.join();
        it = events_.erase(it);
      } else {
        ++it;
      }
    }
  }

  // The image's /var/task and /opt folders, extracted the first time and remembered after, so
  // a warm invocation touches no file.
  std::pair<fs::path, fs::path> roots_of(const FunctionImage& img) {
    {
      std::lock_guard lock(roots_m_);
      auto task = task_roots_.find(img.code_sha256);
      auto opt = layer_roots_.find(img.layer_zips);
      if (task != task_roots_.end() && opt != layer_roots_.end())
        return {task->second, opt->second};
    }
    fs::path task_root = prepare_task_root(options_.data_dir, img.code_sha256, img.code_zip);
    fs::path opt_root = prepare_layer_root(options_.data_dir, img.layer_zips);
    std::lock_guard lock(roots_m_);
    task_roots_[img.code_sha256] = task_root;
    layer_roots_[img.layer_zips] = opt_root;
    return {task_root, opt_root};
  }

  // A started instance of the image (start_error() set when it has no bootstrap).
  std::shared_ptr<Instance> start_instance(const FunctionImage& img, const fs::path& task_root,
                                           const fs::path& opt_root, bool provisioned) {
    InstanceSpec spec;
    spec.image = img;
    spec.task_root = task_root;
    spec.opt_root = opt_root;
    spec.instance_dir = options_.data_dir / "instances" / random_uuid();
    spec.sandbox = sandbox_;
    spec.output_limits = options_.output_limits;
    spec.endpoint_url = options_.endpoint_url;
    spec.logs = logs_;
    spec.provisioned = provisioned;
    auto instance = std::make_shared<Instance>(std::move(spec));
    instance->start();
    return instance;
  }

  // Takes a free provisioned instance of the image, else a free instance of the pool, or starts
  // one; throws 429 at the limit (provisioned instances count towards it).
  std::shared_ptr<Instance> acquire(const InvokeRequest& request, int& concurrency) {
    const FunctionImage& img = request.image;
    const ProvisionedInstances::Counts provisioned = provisioned_->counts(img.function_name);
    {
      // Checked and lent in one step, so that the reservation holds under concurrent calls.
      std::lock_guard lock(m_);
      check_reservation(request);
      if (auto lent = provisioned_->lend(img)) {
        const auto& slots = pools_[img.function_name];
        concurrency = provisioned.busy + 1 + busy_in(slots);
        return lent;
      }
    }
    auto [task_root, opt_root] = roots_of(img);
    std::vector<Slot> dropped;  // destroyed (killed) outside the lock
    std::lock_guard lock(m_);
    if (stopping_) throw ApiError("ServiceException", "The executor is shutting down.", 500);
    auto& slots = pools_[img.function_name];
    for (auto& s : slots)
      if (!s.busy && (!s.instance->alive() || !same_image(s.instance->image(), img) ||
                      !s.instance->start_error().empty()))
        dropped.push_back(std::move(s));
    std::erase_if(slots, [](const Slot& s) { return !s.instance; });
    check_reservation(request);
    Slot* chosen = nullptr;
    for (auto& s : slots)
      if (!s.busy && same_image(s.instance->image(), img)) {
        if (!chosen || (s.instance->initialised() && !chosen->instance->initialised())) chosen = &s;
      }
    if (!chosen) {
      if (static_cast<int>(slots.size()) + provisioned.instances >=
          options_.max_instances_per_function) {
        throttle(request, img.reserved_concurrency >= 0
                              ? "ReservedFunctionConcurrentInvocationLimitExceeded"
                              : "ConcurrentInvocationLimitExceeded");
      }
      slots.push_back(
          Slot{start_instance(img, task_root, opt_root, false), false, SteadyClock::now()});
      chosen = &slots.back();
    }
    chosen->busy = true;
    concurrency = provisioned.busy + busy_in(slots);
    return chosen->instance;
  }

  static int busy_in(const std::vector<Slot>& slots) {
    return static_cast<int>(
        std::count_if(slots.begin(), slots.end(), [](const Slot& s) { return s.busy; }));
  }

  // Throttles an invocation that would pass the function's reserved concurrency: its
  // invocations in flight, provisioned ones included. Called with m_ held.
  void check_reservation(const InvokeRequest& request) {
    const FunctionImage& img = request.image;
    if (img.reserved_concurrency < 0) return;
    const int provisioned_busy = provisioned_->counts(img.function_name).busy;
    if (provisioned_busy + busy_in(pools_[img.function_name]) >= img.reserved_concurrency)
      throttle(request, "ReservedFunctionConcurrentInvocationLimitExceeded");
  }

  // Counts a throttle and throws Lambda's 429 with its reason.
  [[noreturn]] void throttle(const InvokeRequest& request, const char* reason) {
    put_metrics(request, {{"Throttles", 1, "Count"}});
    ApiError e("TooManyRequestsException", "Rate Exceeded.", 429);
    e.extra = {{"Reason", reason}, {"Type", "User"}};
    throw e;
  }

  void release(const std::string& function_name, const std::shared_ptr<Instance>& instance) {
    if (provisioned_->give_back(instance)) return;
    std::shared_ptr<Instance> dead;
    std::lock_guard lock(m_);
    auto& slots = pools_[function_name];
    for (auto& s : slots)
      if (s.instance == instance) {
        s.busy = false;
        s.last_used = SteadyClock::now();
        if (!instance->alive() || !instance->start_error().empty()) dead = std::move(s.instance);
      }
    std::erase_if(slots, [](const Slot& s) { return !s.instance; });
  }

  InvokeResult run(const InvokeRequest& request) {
    const FunctionImage& img = request.image;
    int concurrency = 0;
    std::shared_ptr<Instance> instance = acquire(request, concurrency);
    auto inv = std::make_shared<Invocation>();
    inv->id = request.request_id;
    inv->payload = request.payload;
    inv->client_context = request.client_context;
    inv->invoked_arn = !request.invoked_arn.empty() ? request.invoked_arn
                       : img.version == "$LATEST"   ? img.function_arn
                                                    : img.function_arn + ":" + img.version;
    inv->timeout_ms = img.timeout_s * 1000;
    inv->stream = request.stream;
    bool timed_out = false;
    if (!instance->start_error().empty()) {
      inv->complete(instance->start_error(), "Unhandled", "Runtime.InvalidEntrypoint");
    } else {
      // A warm instance takes the invocation at once (its GET /next is waiting): the clock
      // starts now, and the delivery need not wake this thread only to say so.
      const bool warm = instance->initialised();
      if (warm) inv->wake_on_delivery = false;
      instance->assign(inv);
      auto assigned_at = SteadyClock::now();
      const auto timeout = std::chrono::milliseconds(inv->timeout_ms);
      // Lambda gives init its own 10 s; an init that overruns them is retried within the
      // invocation, which then has the function's timeout for init and handler together (the
      // instance here carries on rather than starting again). So "Task timed out after N
      // seconds" always means the configured N.
      std::optional<SteadyClock::time_point> init_overran_at;
      std::unique_lock lock(inv->m);
      while (!inv->done) {
        auto limit = init_overran_at  ? *init_overran_at + timeout
                     : inv->delivered ? inv->delivered_at + timeout
                     : warm           ? assigned_at + timeout
                                      : assigned_at + options_.init_timeout;
        if (inv->cv.wait_until(lock, limit) == std::cv_status::timeout && !inv->done &&
            SteadyClock::now() >= limit) {
          if (!warm && !inv->delivered && !init_overran_at) {
            init_overran_at = limit;
            lock.unlock();
            instance->log("INIT_REPORT Init Duration: " +
                              two_decimals(std::chrono::duration<double, std::milli>(
                                               SteadyClock::now() - assigned_at)
                                               .count()) +
                              " ms\tPhase: init\tStatus: timeout\n",
                          inv.get());
            lock.lock();
            continue;
          }
          timed_out = true;
          break;
        }
      }
    }
    if (timed_out) {
      const std::string after =
          "Task timed out after " + two_decimals(inv->timeout_ms / 1000.0) + " seconds";
      // Invoke answers {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: … Error: Task
      // timed out after 1.00 seconds"} (AWS since 2025); the log keeps "<time> <id> Task …".
      // Completed before the kill: the process's exit must not be reported as the cause.
      if (inv->complete(lambda_error_document("Sandbox.Timedout",
                                              "RequestId: " + inv->id + " Error: " + after),
                        "Unhandled", "timeout"))
        instance->log(format_iso8601(system_now()) + " " + inv->id + " " + after + "\n", inv.get());
      instance->kill();
    }
    // What the function printed before it answered belongs to this invocation (its tail, and
    // its stream ahead of END).
    if (!timed_out && instance->start_error().empty()) instance->settle_output();
    std::string result_payload, error_type;
    std::optional<std::string> function_error;
    double duration_ms = 0;
    {
      std::lock_guard lock(inv->m);
      result_payload = inv->result;
      function_error = inv->function_error;
      error_type = inv->error_type;
      if (inv->delivered)
        duration_ms =
            std::chrono::duration<double, std::milli>(inv->finished_at - inv->delivered_at).count();
    }
    instance->sample_memory(false);  // its own process; the housekeeper sums whole groups
    std::optional<double> init_ms = instance->take_init_duration_ms();
    double billed = std::ceil(duration_ms);
    if (img.runtime.rfind("provided", 0) == 0 && init_ms)
      billed = std::ceil(duration_ms + *init_ms);
    std::string report =
        "REPORT RequestId: " + inv->id + "\tDuration: " + two_decimals(duration_ms) +
        " ms\tBilled Duration: " + std::to_string(static_cast<long long>(std::max(1.0, billed))) +
        " ms\tMemory Size: " + std::to_string(img.memory_mb) +
        " MB\tMax Memory Used: " + std::to_string(std::max(1, instance->max_memory_mb())) + " MB";
    if (init_ms) report += "\tInit Duration: " + two_decimals(*init_ms) + " ms";
    if (error_type == "timeout")
      report += "\tStatus: timeout";
    else if (!error_type.empty())
      report += "\tStatus: error\tError Type: " + error_type;
    instance->log("END RequestId: " + inv->id + "\n", inv.get());
    instance->log(report + "\n", inv.get());
    release(img.function_name, instance);

    put_metrics(request, {{"Invocations", 1, "Count"},
                          {"Errors", function_error ? 1.0 : 0.0, "Count"},
                          {"Duration", duration_ms, "Milliseconds"},
                          {"ConcurrentExecutions", static_cast<double>(concurrency), "Count"}});

    InvokeResult result;
    result.status = 200;
    result.request_id = inv->id;
    result.executed_version = img.version;
    result.payload = std::move(result_payload);
    result.function_error = std::move(function_error);
    if (request.tail_log) {
      std::lock_guard lock(inv->m);
      result.log_tail = inv->log.size() > 4096 ? inv->log.substr(inv->log.size() - 4096) : inv->log;
    }
    return result;
  }

  struct Metric {
    std::string name;
    double value;
    std::string unit;
  };

  // Each metric under {FunctionName}, {FunctionName, Resource} for an alias and
  // {FunctionName, ExecutedVersion} for a published version, as Lambda reports them.
  void put_metrics(const InvokeRequest& request, const std::vector<Metric>& metrics) {
    if (!metrics_) return;
    using Dims = std::vector<std::pair<std::string, std::string>>;
    const std::string& fn = request.image.function_name;
    std::vector<Dims> dimension_sets = {{{"FunctionName", fn}}};
    if (!request.alias.empty())
      dimension_sets.push_back({{"FunctionName", fn}, {"Resource", fn + ":" + request.alias}});
    if (request.image.version != "$LATEST") {
      Dims d = {{"FunctionName", fn}};
      if (!request.alias.empty()) d.emplace_back("Resource", fn + ":" + request.alias);
      d.emplace_back("ExecutedVersion", request.image.version);
      dimension_sets.push_back(std::move(d));
    }
    std::vector<MetricDatum> data;
    std::int64_t now = epoch_ms();
    for (const auto& m : metrics)
      for (const auto& dims : dimension_sets)
        data.push_back(MetricDatum{"AWS/Lambda", m.name, dims, m.value, m.unit, now, std::nullopt});
    metrics_->put(std::move(data));
  }

  // Samples busy instances' memory (killing those over MemorySize), reaps idle and dead ones.
  void housekeeping() {
    auto last_reap = SteadyClock::now();
    auto last_group_scan = SteadyClock::now();
    std::unique_lock lock(m_);
    while (!stopping_) {
      cv_.wait_for(lock, options_.memory_sample_interval, [this] { return stopping_; });
      if (stopping_) break;
      std::vector<std::shared_ptr<Instance>> busy;
      std::vector<Slot> dropped;
      bool reap = SteadyClock::now() - last_reap > std::chrono::milliseconds(200);
      // Summing a whole process group scans all of /proc (hundreds of reads with many
      // instances): every 200 ms; the bootstraps themselves at every interval.
      const bool whole_groups =
          SteadyClock::now() - last_group_scan > std::chrono::milliseconds(200);
      if (whole_groups) last_group_scan = SteadyClock::now();
      for (auto& [name, slots] : pools_) {
        for (auto& s : slots) {
          if (s.busy) {
            busy.push_back(s.instance);
          } else if (reap && (!s.instance->alive() ||
                              SteadyClock::now() - s.last_used > options_.idle_timeout)) {
            dropped.push_back(std::move(s));
          }
        }
        std::erase_if(slots, [](const Slot& s) { return !s.instance; });
      }
      if (reap) last_reap = SteadyClock::now();
      lock.unlock();
      for (auto& inst : provisioned_->busy_instances()) busy.push_back(std::move(inst));
      for (auto& inst : busy) {
        inst->sample_memory(whole_groups);
        if (inst->rss_mb() > inst->image().memory_mb) inst->kill(true);
      }
      dropped.clear();
      busy.clear();
      lock.lock();
    }
  }

  ExecutorOptions options_;
  std::shared_ptr<LogSink> logs_;
  std::shared_ptr<MetricSink> metrics_;
  std::shared_ptr<const Sandbox> sandbox_;

  mutable std::mutex m_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, std::vector<Slot>> pools_;
  std::thread housekeeper_;

  // An Event invocation running in the background.
  struct EventRun {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex events_m_;
  std::list<EventRun> events_;  // Event invocations and prepare() runs

  std::mutex roots_m_;
  std::map<std::string, fs::path> task_roots_;             // by code SHA-256
  std::map<std::vector<fs::path>, fs::path> layer_roots_;  // by the layer zips in order

  // Declared last: made after, and reset before, everything its thread starts instances with.
  std::unique_ptr<ProvisionedInstances> provisioned_;
};

}  // namespace

std::unique_ptr<Executor> make_process_executor(ExecutorOptions options,
                                                std::shared_ptr<LogSink> logs,
                                                std::shared_ptr<MetricSink> metrics) {
  if (options.data_dir.empty()) throw Error("the executor needs a data directory");
  return std::make_unique<ProcessExecutor>(std::move(options), std::move(logs), std::move(metrics));
}

}  // namespace ld::local
