#pragma once
// CloudWatch Logs on the local endpoint: log groups, streams and events in the endpoint's
// database, served through the json 1.1 API (Logs_20140328) and written by invocations
// through the LogSink interface.
#include <memory>
#include <mutex>
#include <string>

#include "local/service.hpp"
#include "local/state.hpp"
#include "local/telemetry.hpp"

namespace ld::local {

// CloudWatch Logs (json 1.1, 2014-03-28) and the executor's log sink. Thread-safe.
class LogsService : public Service, public LogSink {
 public:
  // Creates its tables in state.db when missing.
  explicit LogsService(const State& state);

  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

  // Appends events (in one transaction), creating the group and stream when missing.
  void append(const std::string& group, const std::string& stream,
              std::vector<LogEvent> events) override;
  // Every batch in one transaction.
  void append_all(std::vector<LogBatch> batches) override;

  // Where metric filters' data goes (the endpoint's CloudWatch); none: nothing is fed.
  void set_metric_sink(std::shared_ptr<MetricSink> sink);

 private:
  // Hands metric filters' data to the sink, outside any transaction.
  void feed_metrics(std::vector<MetricDatum> data);

  std::shared_ptr<Database> db_;
  NowFn now_;
  std::string region_;
  std::mutex metrics_mu_;
  std::shared_ptr<MetricSink> metrics_;
};

}  // namespace ld::local
