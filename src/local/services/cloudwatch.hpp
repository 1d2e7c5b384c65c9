#pragma once
// CloudWatch on the local endpoint: metric data (PutMetricData, GetMetricStatistics, ListMetrics)
// and metric alarms, stored in the endpoint's database and evaluated on their period by a
// background thread; invocations write their AWS/Lambda metrics through the MetricSink interface.
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "local/service.hpp"
#include "local/state.hpp"
#include "local/telemetry.hpp"

namespace ld::local {

struct CloudWatchOptions {
  // Real seconds per second of an alarm's Period (and of its evaluation windows): 1 as AWS;
  // 0.01 makes a 60 s period pass in 0.6 s (tests).
  double seconds_per_period_second = 1.0;
  // Whether the constructor starts the alarm evaluator (stop() or destruction ends it).
  bool evaluate_alarms = true;
};

// CloudWatch (query, 2010-08-01, signing name "monitoring") and the executor's metric sink.
// Thread-safe.
class CloudWatchService : public Service, public MetricSink {
 public:
  // Creates its tables in state.db when missing.
  explicit CloudWatchService(const State& state, CloudWatchOptions options = {});
  ~CloudWatchService() override;
  CloudWatchService(const CloudWatchService&) = delete;
  CloudWatchService& operator=(const CloudWatchService&) = delete;

  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

  // Stores metric data (in one transaction).
  void put(std::vector<MetricDatum> data) override;

  // Starts / stops the background alarm evaluator (idempotent).
  void start();
  void stop();
  // Evaluates every alarm once now, whatever its schedule (tests, and the evaluator's work).
  void evaluate_alarms();

 private:
  void evaluate_loop();
  void evaluate_alarm(const std::string& name);
  std::int64_t period_ms(std::int64_t period_seconds) const;

  std::shared_ptr<Database> db_;
  NowFn now_;
  std::string region_;
  CloudWatchOptions options_;

  std::mutex mu_;
  std::condition_variable wake_;
  bool running_ = false;
  std::thread evaluator_;
  std::map<std::string, std::int64_t> next_due_ms_;  // alarm name → next evaluation (now_ ms)
};

}  // namespace ld::local
