#pragma once
// One AWS API call as the local endpoint's services see it (authenticated and decoded by the
// front end), what they answer, and the AWS error they throw.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/http.hpp"
#include "core/time.hpp"

namespace ld::local {

// Who signed the call: the access key's account and principal, and the scope's region.
struct Caller {
  std::string access_key;
  std::string account;  // 12 digits
  std::string arn;      // arn:aws:iam::000000000000:root, or the assumed role's session ARN
  std::string region;   // from the credential scope (us-east-1 when unsigned)
};

// An authenticated, decoded call to one operation of one service.
struct ApiCall {
  std::string service;    // signing name: lambda, s3, iam, sts, logs, monitoring, ssm
  std::string operation;  // the model's name ("CreateFunction"); S3 sets it once routed
  // Input members by the model's names: URI labels, query and header bindings and the body
  // (rest-json, json), or the form parameters un-flattened (query: lists from `.member.N`,
  // maps from `.entry.N.key/value`, every scalar a string).
  nlohmann::json input = nlohmann::json::object();
  const HttpRequest* http = nullptr;  // as received: path still percent-encoded
  Caller caller;
  std::string request_id;
  Timestamp now{};
};

// A successful answer. `output` holds the output members; the front end puts each where the
// operation binds it (header, status code, payload) and the rest in the protocol's body.
// A service that builds its own body (S3, Invoke's payload) sets raw_body.
struct ApiReply {
  int status = 0;  // 0: the operation's success status
  nlohmann::json output = nlohmann::json::object();
  Headers headers;
  std::optional<std::string> raw_body;
  // A body written as the call goes on (InvokeWithResponseStream's event stream), instead.
  BodyWriter body_writer = {};
  std::string content_type;  // for raw_body and body_writer
  // Query: the operation has an output shape even when nothing is in it, so an empty
  // <{Operation}Result/> is written (botocore requires one; TagResource's is empty).
  bool result_element = false;
};

// An error as AWS answers it: code, message and status (400 and Sender unless said otherwise).
class ApiError : public Error {
 public:
  ApiError(std::string code, const std::string& message, int status = 400)
      : Error(message), code_(std::move(code)), status_(status) {}
  const std::string& code() const { return code_; }
  int status() const { return status_; }
  bool sender_fault() const { return status_ < 500; }
  // Extra members of the error body (S3's BucketName, Lambda's Type).
  nlohmann::json extra = nlohmann::json::object();

 private:
  std::string code_;
  int status_;
};

}  // namespace ld::local
