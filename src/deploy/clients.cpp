#include "deploy/clients.hpp"

namespace ld::deploy {

Clients::Clients(const aws::Session& session)
    : lambda(session.client_config(aws::kLambda)),
      s3(session.client_config(aws::kS3)),
      iam(session.client_config(aws::kIam)),
      sts(session.client_config(aws::kSts)),
      logs(session.client_config(aws::kLogs)),
      cloudwatch(session.client_config(aws::kCloudWatch)),
      ssm(session.client_config(aws::kSsm)) {}

namespace {

// IAM signs for us-east-1 in the aws partition, whatever the region (as Session does).
aws::ClientConfig iam_config(aws::ClientConfig config) {
  if (!config.custom_endpoint) config.signing_region = "us-east-1";
  return config;
}

}  // namespace

Clients::Clients(const aws::ClientConfig& config)
    : lambda(config),
      s3(config),
      iam(iam_config(config)),
      sts(config),
      logs(config),
      cloudwatch(config),
      ssm(config) {}

}  // namespace ld::deploy
