#pragma once
// The protocols a query-compatible service answers besides awsQuery: CloudWatch's model lists
// smithy-rpc-v2-cbor, json (AWS JSON 1.0, @awsQueryCompatible) and query, and each client picks
// one. The service sees the same decoded input in all three; its answer goes back in the
// protocol it was asked in (timestamps as epoch seconds, CBOR tag 1; errors as `__type` plus
// the `x-amzn-query-error: Code;Sender` header). CBOR is read and written with nlohmann-json.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "aws/service.hpp"
#include "core/http.hpp"
#include "local/api_call.hpp"

namespace ld::local {

// Which protocol a request to a query-compatible service uses, when it is not the service's own.
enum class CompatibleProtocol { None, Json10, RpcV2Cbor };

// JSON 1.0 for an X-Amz-Target with the service's target prefix, RPC v2 CBOR for a
// `Smithy-Protocol: rpc-v2-cbor` request; None for anything else and for services that are not
// query-compatible (only CloudWatch is).
CompatibleProtocol compatible_protocol_of(const aws::ServiceInfo& service,
                                          const HttpRequest& request);

// The operation and input members of a JSON 1.0 or RPC v2 CBOR request.
struct CompatibleCall {
  std::string operation;
  nlohmann::json input = nlohmann::json::object();
};

// Reads the operation (X-Amz-Target, or the path's last `/service/{S}/operation/{Op}` segments)
// and the body (empty means no members; CBOR tag-1 timestamps become epoch seconds). Throws
// ApiError: UnknownOperationException when nothing names an operation, SerializationException
// for a body that is no JSON or CBOR map or nests deeper than kMaxInputDepth.
CompatibleCall decode_compatible(CompatibleProtocol protocol, const HttpRequest& request);

// A CBOR map (definite or indefinite, tags ignored: a tag-1 timestamp reads as its seconds), or
// ApiError (SerializationException) naming `what`.
nlohmann::json read_cbor_object(std::string_view body, std::string_view what);

// `value` as CBOR (nlohmann's encoding of every scalar); a number under a timestamp member of
// the service's model is written as tag 1 + epoch seconds. Null members are left out.
std::string write_cbor(const nlohmann::json& value);

// The success answer of `operation` in `protocol`: JSON 1.0 (output members at the top level,
// an empty body for an operation without output) or CBOR (no body for one without output).
HttpResponse encode_compatible_reply(CompatibleProtocol protocol, std::string_view operation,
                                     ApiReply reply, std::string_view request_id);

// An error in `protocol`: `__type` (the model's shape id for a modeled code, else the code),
// `message` (`Message` where the model spells it so) and `x-amzn-query-error: Code;Sender`.
HttpResponse encode_compatible_error(CompatibleProtocol protocol, const ApiError& error,
                                     std::string_view request_id);

}  // namespace ld::local
