#pragma once
// Errors the AWS client raises: a service's answer (AwsError) or a failure to get one
// (TransportError).
#include <string>

#include "core/error.hpp"
#include "core/transport.hpp"

namespace ld::aws {

// An error answer from an AWS service (or the local endpoint), parsed from its wire protocol.
class AwsError : public Error {
 public:
  AwsError(std::string code, std::string message, int http_status, std::string request_id = {},
           std::string service = {}, std::string operation = {});

  const std::string& code() const { return code_; }        // e.g. "ResourceNotFoundException"
  const std::string& message() const { return message_; }  // the service's own text
  int http_status() const { return http_status_; }
  const std::string& request_id() const { return request_id_; }
  const std::string& service() const { return service_; }
  const std::string& operation() const { return operation_; }
  // Seconds from a Retry-After header, when the service sent one.
  int retry_after_seconds = -1;

 private:
  std::string code_, message_;
  int http_status_;
  std::string request_id_, service_, operation_;
};

using ld::TransportError;

}  // namespace ld::aws
