#include "aws/error.hpp"

namespace ld::aws {
namespace {
std::string describe(const std::string& service, const std::string& operation,
                     const std::string& code, const std::string& message, int status) {
  std::string out;
  if (!service.empty()) out += service;
  if (!operation.empty()) out += (out.empty() ? "" : " ") + operation;
  if (!out.empty()) out += ": ";
  out += code.empty() ? "HTTP " + std::to_string(status) : code;
  if (!message.empty()) out += ": " + message;
  return out;
}
}  // namespace

AwsError::AwsError(std::string code, std::string message, int http_status, std::string request_id,
                   std::string service, std::string operation)
    : Error(describe(service, operation, code, message, http_status)),
      code_(std::move(code)),
      message_(std::move(message)),
      http_status_(http_status),
      request_id_(std::move(request_id)),
      service_(std::move(service)),
      operation_(std::move(operation)) {}

}  // namespace ld::aws
