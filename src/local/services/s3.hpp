#pragma once
// Amazon S3 on the local endpoint: buckets, objects (bytes in the blob store, metadata in the
// records), listings and multipart uploads, answered in S3's own XML.
#include "local/service.hpp"
#include "local/state.hpp"

namespace ld::local {

// S3 (rest-xml, 2006-03-01). Routes requests itself (path-style /bucket/key on any host, or
// virtual-hosted {bucket}.s3.… hosts) through a table of every S3 operation by the request that
// calls it, setting ApiCall::operation to the one routed to. Operations it does not serve answer
// NotImplemented (501) and are logged on stderr ("lambdeploy local: S3 GetBucketAcl is not
// served").
class S3Service : public Service {
 public:
  explicit S3Service(State state) : state_(std::move(state)) {}
  const aws::ServiceInfo& info() const override;
  ApiReply call(ApiCall& call) override;

 private:
  State state_;
};

}  // namespace ld::local
