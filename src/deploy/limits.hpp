#pragma once
// Lambda's quotas that a deploy can break, checked before anything is uploaded, each with an
// error that says what to move where.
#include <cstdint>
#include <string>
#include <vector>

#include "deploy/desired.hpp"

namespace ld::deploy {

// The quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
struct LambdaLimits {
  std::uint64_t direct_upload_zip = 50'000'000;      // zipped, uploaded in the request itself
  std::uint64_t unzipped_with_layers = 262'144'000;  // 250 MB: code and every layer, unzipped
  std::uint64_t environment = 4096;                  // 4 KB of variables
  std::size_t layers = 5;
};

// The size of the environment as Lambda counts it: the variables' names and values.
std::uint64_t environment_size(const Desired& desired);

// Throws ld::Error listing every quota the stage would break. The deployer always uploads
// through S3, so the direct-upload limit is reported only for a dependency or code zip that a
// caller says goes inline (`inline_upload`).
void check_limits(const Desired& desired, const LambdaLimits& limits = {},
                  bool inline_upload = false);

}  // namespace ld::deploy
