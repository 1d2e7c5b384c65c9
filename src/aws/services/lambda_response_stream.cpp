// Reading InvokeWithResponseStream's answer: PayloadChunk events, then InvokeComplete.
#include "aws/error.hpp"
#include "aws/event_stream.hpp"
#include "aws/services/lambda.hpp"

namespace ld::aws {

std::string ResponseStream::payload() const {
  std::string all;
  for (const std::string& chunk : chunks) all += chunk;
  return all;
}

std::string ResponseStream::error_code() const {
  if (!complete) return {};
  return complete->value("ErrorCode", std::string());
}

ResponseStream read_response_stream(const Result& result) {
  ResponseStream stream;
  stream.status = result.status;
  stream.executed_version = result.output.value("ExecutedVersion", std::string());
  stream.content_type = result.output.value("ResponseStreamContentType", std::string());
  for (EventMessage& message : decode_event_stream(result.body)) {
    const std::string type = message.header(":message-type").value_or("");
    if (type == "exception") {
      // A modelled error: its shape's name, and its members as JSON.
      const std::string code = message.header(":exception-type").value_or("Exception");
      const json body = json::parse(message.payload, nullptr, false);
      std::string text = message.payload;
      if (body.is_object()) text = body.value("message", body.value("Message", text));
      throw AwsError(code, text, result.status, result.request_id, "Lambda",
                     "InvokeWithResponseStream");
    }
    if (type == "error") {
      throw AwsError(message.header(":error-code").value_or("InternalError"),
                     message.header(":error-message").value_or(""), result.status,
                     result.request_id, "Lambda", "InvokeWithResponseStream");
    }
    if (type != "event") {
      throw Error("InvokeWithResponseStream: a message of unknown :message-type '" + type + "'");
    }
    const std::string event = message.header(":event-type").value_or("");
    if (event == "PayloadChunk") {
      stream.chunks.push_back(std::move(message.payload));
    } else if (event == "InvokeComplete") {
      json members = json::parse(message.payload, nullptr, false);
      if (!members.is_object())
        throw Error("InvokeWithResponseStream: InvokeComplete's payload is not a JSON object");
      stream.complete = std::move(members);
    }
    // Other event types are ones a newer Lambda added: skipped, as the SDKs skip them.
  }
  return stream;
}

}  // namespace ld::aws
