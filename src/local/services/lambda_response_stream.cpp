// InvokeWithResponseStream on the local endpoint: the invocation runs on a thread of its own and
// the answer is an event stream (PayloadChunk events as the function writes, then InvokeComplete)
// written to the caller while the function still runs.
#include <exception>
#include <thread>

#include "aws/event_stream.hpp"
#include "core/encoding.hpp"
#include "local/services/lambda.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

// One streamed invocation: started at once, read by the reply's body writer. The caller's
// connection may go at any time; the function then runs to its end, its bytes dropped.
class StreamedInvocation {
 public:
  StreamedInvocation(std::shared_ptr<Executor> executor, InvokeRequest request)
      : stream_(std::make_shared<PayloadStream>()), tail_log_(request.tail_log) {
    request.stream = stream_;
    thread_ =
        std::thread([this, executor = std::move(executor), request = std::move(request)]() mutable {
          try {
            result_ = executor->invoke(std::move(request));
          } catch (...) {
            error_ = std::current_exception();
          }
          stream_->close();
        });
  }
  ~StreamedInvocation() {
    stream_->abandon();
    if (thread_.joinable()) thread_.join();
  }
  StreamedInvocation(const StreamedInvocation&) = delete;
  StreamedInvocation& operator=(const StreamedInvocation&) = delete;

  // Waits for the function's first bytes or the invocation's end. What the executor threw
  // before anything was streamed (throttling, a function that cannot start) is thrown here, so
  // that it is answered as an error, not in a stream.
  void wait_started() {
    if (stream_->wait_started()) return;
    thread_.join();
    if (error_) std::rethrow_exception(error_);
  }
  // The invocation's status when it has ended before anything was streamed (DryRun: 204).
  std::optional<int> ended_status() const {
    if (thread_.joinable()) return std::nullopt;
    return result_.status;
  }

  void write(const std::function<bool(std::string_view)>& out) {
    bool connected = true;
    auto send = [&](const char* event, const char* content_type, std::string payload) {
      if (!connected) return;
      connected = out(
          aws::encode_event_message(aws::event_message(event, content_type, std::move(payload))));
      if (!connected) stream_->abandon();
    };
    while (std::optional<std::string> chunk = stream_->read())
      send("PayloadChunk", "application/octet-stream", std::move(*chunk));
    if (thread_.joinable()) thread_.join();
    json complete = json::object();
    if (error_) {
      // Thrown after the function began to stream: the stream says so at its end.
      try {
        std::rethrow_exception(error_);
      } catch (const ApiError& e) {
        complete["ErrorCode"] = e.code();
        complete["ErrorDetails"] = e.what();
      } catch (const std::exception& e) {
        complete["ErrorCode"] = "ServiceException";
        complete["ErrorDetails"] = e.what();
      }
    } else if (result_.function_error) {
      // The error document's type is the code; the document is the details.
      const json doc = json::parse(result_.payload, nullptr, false);
      complete["ErrorCode"] =
          doc.is_object() && doc.contains("errorType") && doc["errorType"].is_string()
              ? doc["errorType"].get<std::string>()
              : *result_.function_error;
      complete["ErrorDetails"] = result_.payload;
    } else if (!result_.payload.empty()) {
      // A buffered response (the function did not stream): one chunk.
      send("PayloadChunk", "application/octet-stream", std::move(result_.payload));
    }
    if (tail_log_ && !error_) complete["LogResult"] = base64_encode(result_.log_tail);
    send("InvokeComplete", "application/json", complete.dump());
  }

 private:
  std::shared_ptr<PayloadStream> stream_;
  bool tail_log_ = false;
  std::thread thread_;
  InvokeResult result_;
  std::exception_ptr error_;
};

}  // namespace

ApiReply LambdaService::invoke_with_response_stream(ApiCall& call) {
  InvokeRequest request = invocation(call, true);
  const std::string version =
      request.image.version.empty() ? std::string("$LATEST") : request.image.version;
  auto invocation = std::make_shared<StreamedInvocation>(executor_, std::move(request));
  invocation->wait_started();
  ApiReply reply;
  if (std::optional<int> status = invocation->ended_status(); status && *status == 204) {
    reply.output["StatusCode"] = 204;  // DryRun: nothing ran, nothing to stream
    return reply;
  }
  reply.output["StatusCode"] = 200;
  reply.output["ExecutedVersion"] = version;
  reply.content_type = "application/vnd.amazon.eventstream";
  reply.body_writer = [invocation](const std::function<bool(std::string_view)>& out) {
    invocation->write(out);
  };
  return reply;
}

}  // namespace ld::local
