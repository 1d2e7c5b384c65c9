#pragma once
// The four AWS wire protocols: rest-json (Lambda), rest-xml (S3), json 1.1 (Logs, SSM) and query
// (IAM, STS, CloudWatch). Pure functions from input to request and from response to output.
#include "aws/client.hpp"
#include "aws/error.hpp"
#include "aws/http.hpp"
#include "aws/service.hpp"

namespace ld::aws {

// Method, path (URI labels filled and encoded; greedy labels keep '/'), query, protocol headers
// (Content-Type, X-Amz-Target) and body for `call`. Host and scheme are left to the client.
// Throws ld::Error naming the member when a required URI label is missing.
HttpRequest serialize_request(const ServiceInfo& service, const Operation& operation,
                              const Call& call);

// Output members from a 2xx response: the body in the protocol's format, header-bound and
// status-code members, and the raw payload into Result::body.
Result parse_response(const ServiceInfo& service, const Operation& operation,
                      HttpResponse response);

// The error a non-2xx response carries: code (X-Amzn-ErrorType, __type, code, <Error><Code>;
// namespace prefix and URI suffix stripped), message (message or Message), status, request id.
AwsError parse_error(const ServiceInfo& service, const Operation& operation,
                     const HttpResponse& response);

}  // namespace ld::aws
