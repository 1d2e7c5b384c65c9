#pragma once
// Writing an AWS API answer the way AWS's front ends do: output members where the operation
// binds them and the rest in the protocol's body, and errors in each protocol's shape.
#include <string_view>

#include "aws/service.hpp"
#include "core/http.hpp"
#include "local/api_call.hpp"

namespace ld::local {

// The HTTP answer to a successful call. `operation` may be null (json and query services, S3);
// then only `operation_name` is used (query: <NameResponse><NameResult>). Adds the request id
// header (x-amzn-RequestId, or x-amz-request-id for S3).
HttpResponse encode_reply(const aws::ServiceInfo& service, const aws::Operation* operation,
                          std::string_view operation_name, ApiReply reply,
                          std::string_view request_id);

// The HTTP answer for an error, as the service's protocol shapes it: rest-json (X-Amzn-ErrorType
// and a {"Type", "message"} body; Lambda spells it "Message" for ResourceNotFoundException),
// json ({"__type", "message"}), query (<ErrorResponse><Error><Type><Code><Message>), rest-xml
// (<Error><Code><Message><RequestId>).
HttpResponse encode_error(aws::Protocol protocol, const ApiError& error,
                          std::string_view request_id);

}  // namespace ld::local
