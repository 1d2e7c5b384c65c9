#include "local/wire_query_compatible.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/strings.hpp"
#include "core/time.hpp"
#include "local/wire_decode.hpp"

namespace ld::local {

namespace {

using nlohmann::json;

// At most this many short-form tags (c0-c5) in one CBOR body: a timestamp per metric datum.
constexpr std::size_t kMaxShortTags = 5000;

// CloudWatch's names in its JSON 1.0 and CBOR forms (service-2.json `metadata`).
constexpr std::string_view kTargetPrefix = "GraniteServiceVersion20100801";
constexpr std::string_view kShapeNamespace = "com.amazonaws.cloudwatch#";

// Members whose shape is a timestamp, anywhere in CloudWatch's model.
constexpr std::array<std::string_view, 14> kTimestampMembers = {
    "AlarmConfigurationUpdatedTimestamp",
    "CreationDate",
    "EndDate",
    "EndTime",
    "ExpireDate",
    "LastModified",
    "LastUpdateDate",
    "LastUpdatedTimestamp",
    "StartDate",
    "StartTime",
    "StateTransitionedTimestamp",
    "StateUpdatedTimestamp",
    "Timestamp",
    "Timestamps"};  // GetMetricData's list of timestamps

// The operations whose output is Unit: no body in CBOR, an empty one in JSON 1.0.
constexpr std::array<std::string_view, 10> kNoOutput = {
    "DeleteAlarmMuteRule", "DeleteAlarms",      "DisableAlarmActions", "EnableAlarmActions",
    "PutAlarmMuteRule",    "PutCompositeAlarm", "PutLogAlarm",         "PutMetricAlarm",
    "PutMetricData",       "SetAlarmState"};

// One modeled error: its awsQueryError code (or, for a shape without one, its name), shape, the
// spelling of its message member, and whether the model gives it an awsQueryError code.
struct ErrorShape {
  std::string_view code;
  std::string_view shape;
  std::string_view message_member;
  bool query_code = true;
};

constexpr std::array<ErrorShape, 14> kErrorShapes = {{
    {"ResourceNotFound", "ResourceNotFound", "message"},
    {"ResourceNotFoundException", "ResourceNotFoundException", "message"},
    {"InvalidParameterValue", "InvalidParameterValueException", "message"},
    {"InvalidParameterCombination", "InvalidParameterCombinationException", "message"},
    {"MissingParameter", "MissingRequiredParameterException", "message"},
    {"InvalidParameterInput", "DashboardInvalidInputError", "message"},
    {"InvalidFormat", "InvalidFormatFault", "message"},
    {"InvalidNextToken", "InvalidNextToken", "message"},
    {"LimitExceeded", "LimitExceededFault", "message"},
    {"LimitExceededException", "LimitExceededException", "message"},
    {"ResourceConflict", "ResourceConflict", "message"},
    {"ConcurrentModificationException", "ConcurrentModificationException", "message"},
    {"InternalServiceError", "InternalServiceFault", "Message"},
    {"ConflictException", "ConflictException", "Message", false},
}};

template <std::size_t N>
bool listed(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_timestamp_member(std::string_view name) {
  return listed(kTimestampMembers, name);
}

// The last four path segments `service/{Service}/operation/{Op}`, or "" when they are not.
std::string cbor_operation(std::string_view path) {
  std::vector<std::string> parts = split(path.substr(0, path.find('?')), '/');
  while (!parts.empty() && parts.back().empty()) parts.pop_back();
  if (parts.size() < 4) return {};
  const std::size_t n = parts.size();
  const std::string& service = parts[n - 3];
  const bool ours = service == kTargetPrefix ||
                    service == "com.amazonaws.cloudwatch." + std::string(kTargetPrefix);
  if (parts[n - 4] != "service" || !ours || parts[n - 2] != "operation") return {};
  return parts[n - 1];
}

// A SAX reader that only counts nesting, to refuse deep CBOR before nlohmann builds (recursing
// on) it.
struct DepthCheck : nlohmann::json_sax<json> {
  std::size_t depth = 0;
  bool too_deep = false;
  std::size_t error_at = 0;  // bytes read when the reader failed, the bad one included
  bool open() {
    too_deep = ++depth > kMaxInputDepth;
    return !too_deep;
  }
  bool close() {
    --depth;
    return true;
  }
  bool null() override { return true; }
  bool boolean(bool /*value*/) override { return true; }
  bool number_integer(number_integer_t /*value*/) override { return true; }
  bool number_unsigned(number_unsigned_t /*value*/) override { return true; }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return true; }
  bool string(string_t& /*value*/) override { return true; }
  bool binary(binary_t& /*value*/) override { return true; }
  bool start_object(std::size_t /*size*/) override { return open(); }
  bool key(string_t& /*value*/) override { return true; }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*size*/) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string& /*token*/,
                   const nlohmann::detail::exception& /*error*/) override {
    error_at = position;
    return false;
  }
};

// Epoch seconds, with milliseconds, of an ISO 8601 output member.
std::optional<double> epoch_seconds(const json& value) {
  if (!value.is_string()) return std::nullopt;
  std::optional<Timestamp> parsed = parse_iso8601(value.get_ref<const std::string&>());
  if (!parsed) return std::nullopt;
  return static_cast<double>(parsed->time_since_epoch().count()) / 1000.0;
}

// The service's output (ISO 8601 timestamps, as awsQuery writes them) with every timestamp
// member as epoch seconds, as JSON 1.0 and CBOR carry them.
json with_epoch_timestamps(json value, bool timestamp = false) {
  if (value.is_object()) {
    for (auto& [key, child] : value.items())
      child = with_epoch_timestamps(std::move(child), is_timestamp_member(key));
  } else if (value.is_array()) {
    for (auto& item : value) item = with_epoch_timestamps(std::move(item), timestamp);
  } else if (timestamp) {
    if (auto seconds = epoch_seconds(value)) return *seconds;
  }
  return value;
}

// A CBOR data item's head: major type and argument, in its shortest form (RFC 8949 §3).
void append_head(std::string& out, unsigned major, std::uint64_t argument) {
  const auto type = static_cast<unsigned char>(major << 5);
  int bytes = 0;
  if (argument < 24) {
    out += static_cast<char>(type | argument);
    return;
  }
  if (argument <= 0xff) {
    out += static_cast<char>(type | 24);
    bytes = 1;
  } else if (argument <= 0xffff) {
    out += static_cast<char>(type | 25);
    bytes = 2;
  } else if (argument <= 0xffffffff) {
    out += static_cast<char>(type | 26);
    bytes = 4;
  } else {
    out += static_cast<char>(type | 27);
    bytes = 8;
  }
  for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((argument >> (8 * i)) & 0xff);
}

void append_bytes(std::string& out, const std::vector<std::uint8_t>& bytes) {
  out.append(bytes.begin(), bytes.end());
}

// Containers get their heads here; every scalar is nlohmann's to_cbor. A number under a
// timestamp member is preceded by tag 1 (and written as an integer when whole).
void append_cbor(std::string& out, const json& value, bool timestamp) {
  if (value.is_object()) {
    const auto members = static_cast<std::uint64_t>(std::count_if(
        value.begin(), value.end(), [](const json& child) { return !child.is_null(); }));
    append_head(out, 5, members);
    for (const auto& [key, child] : value.items()) {
      if (child.is_null()) continue;
      append_bytes(out, json::to_cbor(json(key)));
      append_cbor(out, child, is_timestamp_member(key));
    }
  } else if (value.is_array()) {
    append_head(out, 4, value.size());
    for (const auto& item : value) append_cbor(out, item, timestamp);
  } else if (timestamp && value.is_number()) {
    out += '\xc1';
    const double seconds = value.get<double>();
    if (std::trunc(seconds) == seconds && std::fabs(seconds) < 9e15) {
      append_bytes(out, json::to_cbor(json(static_cast<std::int64_t>(seconds))));
    } else {
      append_bytes(out, json::to_cbor(json(seconds)));
    }
  } else {
    append_bytes(out, json::to_cbor(value));
  }
}

const ErrorShape* error_shape(std::string_view code) {
  for (const ErrorShape& shape : kErrorShapes)
    if (shape.code == code) return &shape;
  return nullptr;
}

void set_cbor_headers(HttpResponse& response) {
  response.headers.set("Smithy-Protocol", "rpc-v2-cbor");
}

}  // namespace

CompatibleProtocol compatible_protocol_of(const aws::ServiceInfo& service,
                                          const HttpRequest& request) {
  if (service.signing_name != "monitoring") return CompatibleProtocol::None;
  if (auto protocol = request.headers.get("Smithy-Protocol")) {
    if (*protocol == "rpc-v2-cbor") return CompatibleProtocol::RpcV2Cbor;
  }
  if (auto target = request.headers.get("X-Amz-Target")) {
    if (std::string_view(*target).substr(0, target->find('.')) == kTargetPrefix)
      return CompatibleProtocol::Json10;
  }
  return CompatibleProtocol::None;
}

CompatibleCall decode_compatible(CompatibleProtocol protocol, const HttpRequest& request) {
  CompatibleCall call;
  if (protocol == CompatibleProtocol::RpcV2Cbor) {
    if (request.headers.has("X-Amz-Target") || request.headers.has("X-Amzn-Target")) {
      throw ApiError("SerializationException",
                     "an rpc-v2-cbor request must not carry X-Amz-Target");
    }
    call.operation = cbor_operation(request.path);
    if (call.operation.empty()) {
      throw ApiError("UnknownOperationException",
                     "the path " + request.path + " names no operation (/service/" +
                         std::string(kTargetPrefix) + "/operation/{Operation})");
    }
    if (!request.body.empty())
      call.input = read_cbor_object(request.body, "the request body of " + call.operation);
    return call;
  }
  const std::string target = request.headers.get("X-Amz-Target").value_or("");
  const std::size_t dot = target.find('.');
  if (dot == std::string::npos || dot + 1 == target.size()) {
    throw ApiError("UnknownOperationException", "X-Amz-Target names no operation");
  }
  call.operation = target.substr(dot + 1);
  if (!request.body.empty())
    call.input = read_json_object(request.body, "the request body of " + call.operation);
  return call;
}

json read_cbor_object(std::string_view body, std::string_view what) {
  // nlohmann-json 3.11 reads tags 6 and up, and tags in their 1-byte form (d8 NN), but refuses
  // the short forms c0-c5 as invalid bytes: tag 1 (c1), the timestamps of RPC v2 CBOR, among
  // them. The reader stops exactly at such a head, so each one it reports is rewritten to its
  // d8 form (the same tag) and the body read again. json::sax_parse takes no tag handler, so
  // the reader is called directly; its SAX events only count nesting.
  std::string bytes(body);
  for (std::size_t repairs = 0;; ++repairs) {
    DepthCheck depth;
    auto adapter = nlohmann::detail::input_adapter(bytes.begin(), bytes.end());
    nlohmann::detail::binary_reader<json, decltype(adapter), DepthCheck> reader(
        std::move(adapter), json::input_format_t::cbor);
    const bool well_formed = reader.sax_parse(json::input_format_t::cbor, &depth, true,
                                              json::cbor_tag_handler_t::ignore);
    if (depth.too_deep) {
      throw ApiError("SerializationException", std::string(what) + " nests more than " +
                                                   std::to_string(kMaxInputDepth) + " levels deep");
    }
    if (well_formed) break;
    const std::size_t at = depth.error_at - 1;  // the reader counts the byte it refused
    const auto head =
        depth.error_at == 0 || at >= bytes.size() ? 0u : static_cast<unsigned char>(bytes[at]);
    if (head < 0xc0 || head > 0xc5 || repairs >= kMaxShortTags) {
      throw ApiError("SerializationException", std::string(what) + " is not a CBOR map");
    }
    bytes[at] = '\xd8';
    bytes.insert(at + 1, 1, static_cast<char>(head - 0xc0));
  }
  json value = json::from_cbor(bytes, true, false, json::cbor_tag_handler_t::ignore);
  if (!value.is_object()) {
    throw ApiError("SerializationException", std::string(what) + " is not a CBOR map");
  }
  return value;
}

std::string write_cbor(const json& value) {
  std::string out;
  append_cbor(out, value, false);
  return out;
}

HttpResponse encode_compatible_reply(CompatibleProtocol protocol, std::string_view operation,
                                     ApiReply reply, std::string_view request_id) {
  HttpResponse response;
  response.status = reply.status != 0 ? reply.status : 200;
  const bool no_output = listed(kNoOutput, operation) && reply.output.empty();
  const json output = with_epoch_timestamps(std::move(reply.output));
  if (protocol == CompatibleProtocol::RpcV2Cbor) {
    set_cbor_headers(response);
    if (!no_output) {
      response.body = write_cbor(output.is_null() ? json::object() : output);
      response.headers.set("Content-Type", "application/cbor");
    }
  } else {
    if (!no_output) response.body = output.dump(-1, ' ', false, json::error_handler_t::replace);
    response.headers.set("Content-Type", "application/x-amz-json-1.0");
  }
  for (const auto& field : reply.headers.fields()) response.headers.set(field.name, field.value);
  response.headers.set("x-amzn-RequestId", std::string(request_id));
  return response;
}

HttpResponse encode_compatible_error(CompatibleProtocol protocol, const ApiError& error,
                                     std::string_view request_id) {
  HttpResponse response;
  response.status = error.status();
  const ErrorShape* shape = error_shape(error.code());
  std::string type = error.code();
  if (shape != nullptr) {
    type = std::string(kShapeNamespace) + std::string(shape->shape);
  } else if (error.code() == "InvalidAction") {
    type = "UnknownOperationException";  // as JSON front ends name an operation they lack
  }
  json body = {{"__type", type}};
  body[std::string(shape != nullptr ? shape->message_member : "message")] = error.what();
  for (const auto& [key, value] : error.extra.items()) body[key] = value;
  if (protocol == CompatibleProtocol::RpcV2Cbor) {
    set_cbor_headers(response);
    response.body = write_cbor(body);
    response.headers.set("Content-Type", "application/cbor");
  } else {
    response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    response.headers.set("Content-Type", "application/x-amz-json-1.0");
  }
  // Without an awsQueryError code clients fall back to the `__type` name.
  if (shape == nullptr || shape->query_code) {
    response.headers.set("x-amzn-query-error",
                         error.code() + (error.sender_fault() ? ";Sender" : ";Receiver"));
  }
  response.headers.set("x-amzn-RequestId", std::string(request_id));
  return response;
}

}  // namespace ld::local
