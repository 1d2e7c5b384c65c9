#pragma once
// The seven AWS clients a deploy uses, built once from one aws::Session (one credentials chain,
// one transport, endpoints resolved per service).
#include "aws/services/cloudwatch.hpp"
#include "aws/services/iam.hpp"
#include "aws/services/lambda.hpp"
#include "aws/services/logs.hpp"
#include "aws/services/s3.hpp"
#include "aws/services/ssm.hpp"
#include "aws/services/sts.hpp"
#include "aws/session.hpp"

namespace ld::deploy {

// One client per service, sharing the session's credentials and transport.
struct Clients {
  explicit Clients(const aws::Session& session);
  explicit Clients(const aws::ClientConfig& config);  // the same config for every service (tests)

  aws::LambdaClient lambda;
  aws::S3Client s3;
  aws::IamClient iam;
  aws::StsClient sts;
  aws::LogsClient logs;
  aws::CloudWatchClient cloudwatch;
  aws::SsmClient ssm;
};

}  // namespace ld::deploy
