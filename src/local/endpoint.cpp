#include "local/endpoint.hpp"

#include <cstdio>

#include "core/error.hpp"
#include "local/blob_collection.hpp"
#include "local/code_download.hpp"
#include "local/process_executor.hpp"
#include "local/services/cloudwatch.hpp"
#include "local/services/iam.hpp"
#include "local/services/lambda.hpp"
#include "local/services/logs.hpp"
#include "local/services/s3.hpp"
#include "local/services/ssm.hpp"
#include "local/services/sts.hpp"
#include "local/telemetry_buffer.hpp"
#include "local/url_gateway.hpp"

namespace ld::local {

Endpoint::Endpoint(EndpointOptions options) : options_(std::move(options)) {}

Endpoint::~Endpoint() {
  stop();
}

void Endpoint::start() {
  const NowFn now = options_.now ? options_.now : NowFn(system_now);
  state_ = State::open(options_.data_dir, now);
  // Code replaced or deleted in an earlier run still has its blob and folder: nothing can be
  // writing yet, so they go now.
  const CollectedGarbage garbage = collect_garbage(state_);
  if (garbage.blobs + garbage.task_folders != 0) {
    std::fprintf(stderr,
                 "lambdeploy local: removed %zu unused blobs and %zu unzipped code folders\n",
                 garbage.blobs, garbage.task_folders);
  }
  keys_ = std::make_shared<KeyRing>(options_.keys);

  auto logs = std::make_shared<LogsService>(state_);
  CloudWatchOptions cloudwatch_options;
  cloudwatch_options.seconds_per_period_second = options_.alarm_time_scale;
  auto cloudwatch = std::make_shared<CloudWatchService>(state_, cloudwatch_options);
  logs->set_metric_sink(cloudwatch);  // metric filters feed CloudWatch

  // The listener binds first, so that functions and Function URLs know the port.
  front_end_ = std::make_unique<FrontEnd>(keys_, now);
  server_ = std::make_unique<Server>(*front_end_, options_.server);
  server_->start();

  ExecutorOptions executor_options;
  executor_options.data_dir = options_.data_dir;
  executor_options.max_instances_per_function = options_.max_instances_per_function;
  executor_options.idle_timeout = options_.idle_timeout;
  executor_options.endpoint_url = server_->url();
  // Invocations' log lines and metrics reach the services in batches (one transaction per
  // stream per 20 ms, not one per line); Logs and CloudWatch reads flush first.
  telemetry_ = std::make_shared<TelemetryBuffer>(logs, cloudwatch);
  executor_ = make_process_executor(executor_options, telemetry_, telemetry_);

  LambdaOptions lambda_options;
  lambda_options.settle_delay = options_.settle_delay;
  lambda_options.endpoint_port = server_->port();
  lambda_options.concurrency_limit = options_.max_instances_per_function;
  auto lambda = std::make_shared<LambdaService>(state_, executor_, lambda_options);

  std::weak_ptr<TelemetryBuffer> telemetry = telemetry_;
  front_end_->set_before_call([telemetry](std::string_view service) {
    if (service != "logs" && service != "monitoring") return;
    if (auto live = telemetry.lock()) live->flush();
  });
  front_end_->add(lambda);
  front_end_->add(std::make_shared<S3Service>(state_));
  front_end_->add(std::make_shared<IamService>(state_));
  front_end_->add(std::make_shared<StsService>(keys_, state_));
  front_end_->add(std::make_shared<SsmService>(state_));
  front_end_->add(logs);
  front_end_->add(cloudwatch);

  gateway_ = std::make_shared<UrlGateway>(lambda->shared_functions(), executor_, keys_, now);
  std::weak_ptr<UrlGateway> gateway = gateway_;
  server_->set_gateway(
      [gateway, blobs = state_.blobs](const HttpRequest& request, const Peer& peer) {
        if (auto download = code_download(*blobs, request)) return download;
        auto live = gateway.lock();
        return live ? live->handle(request, peer) : std::nullopt;
      });
  server_->set_health([this] { return health(); });
}

nlohmann::json Endpoint::health() const {
  nlohmann::json out = {
      {"data_dir", std::filesystem::absolute(options_.data_dir).string()},
      {"services", front_end_ ? front_end_->service_ids() : std::vector<std::string>{}}};
  if (executor_) {
    ExecutorStatus status = executor_->status();
    out["isolation"] = status.isolation;
    out["instances"] = status.instances;
    out["busy_instances"] = status.busy;
    out["provisioned_instances"] = status.provisioned;
  }
  return out;
}

void Endpoint::stop() {
  if (server_) server_->stop();
  server_.reset();
  gateway_.reset();
  front_end_.reset();
  executor_.reset();
  telemetry_.reset();  // after the executor: its last lines are flushed on destruction
}

}  // namespace ld::local
