#pragma once
// CloudWatch calls built by hand in each of its three protocols, as current SDKs send them
// (unsigned: see support/signed_request.hpp).
#include <string>

#include "core/http.hpp"

namespace ld::test {

// AWS JSON 1.0, query-compatible (botocore, awscli v2, the JavaScript SDK v3).
inline HttpRequest cloudwatch_json_request(const std::string& operation, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/";
  request.headers.set("Content-Type", "application/x-amz-json-1.0");
  request.headers.set("X-Amz-Target", "GraniteServiceVersion20100801." + operation);
  request.headers.set("x-amzn-query-mode", "true");
  request.body = std::move(body);
  return request;
}

// RPC v2 CBOR (the Java v2 and Go v2 SDKs).
inline HttpRequest cloudwatch_cbor_request(const std::string& operation, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/service/GraniteServiceVersion20100801/operation/" + operation;
  request.headers.set("Smithy-Protocol", "rpc-v2-cbor");
  request.headers.set("Accept", "application/cbor");
  request.headers.set("x-amzn-query-mode", "true");
  if (!body.empty()) request.headers.set("Content-Type", "application/cbor");
  request.body = std::move(body);
  return request;
}

}  // namespace ld::test
