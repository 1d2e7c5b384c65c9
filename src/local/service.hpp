#pragma once
// One AWS service the local endpoint serves (Lambda, S3, IAM, STS, Logs, CloudWatch, SSM).
#include <vector>

#include "aws/service.hpp"
#include "local/api_call.hpp"

namespace ld::local {

// A service behind the front end: it receives calls already authenticated and decoded, and
// answers output members or throws ApiError. Called from many threads at once.
class Service {
 public:
  virtual ~Service() = default;
  virtual const aws::ServiceInfo& info() const = 0;
  // rest-json services: the operations whose URI templates the front end matches requests
  // against (usually the client's own table, aws::lambda::operations()). Others: empty; json and
  // query calls are named by X-Amz-Target and Action, and S3 routes itself.
  virtual std::vector<const aws::Operation*> operations() const { return {}; }
  // Runs one call. Unknown operations throw ApiError (InvalidAction / UnknownOperationException).
  virtual ApiReply call(ApiCall& call) = 0;
};

}  // namespace ld::local
