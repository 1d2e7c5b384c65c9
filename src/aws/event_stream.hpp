#pragma once
// The AWS event stream encoding (application/vnd.amazon.eventstream): the binary framing of
// InvokeWithResponseStream's answer, S3 Select's and Transcribe's. Each message is a prelude
// (total length, headers length, CRC-32 of those 8 bytes), typed headers, the payload and a
// CRC-32 of everything before it, all integers big-endian.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ld::aws {

// One header of a message. Strings and byte arrays keep their bytes in `text`; the integer types,
// booleans and timestamps (milliseconds since the epoch) their value in `number`.
struct EventHeader {
  enum Type : std::uint8_t {
    True = 0,
    False = 1,
    Byte = 2,
    Short = 3,
    Integer = 4,
    Long = 5,
    Bytes = 6,
    String = 7,
    Timestamp = 8,
    Uuid = 9,
  };
  std::string name;
  Type type = String;
  std::string text = {};
  std::int64_t number = 0;
};

// One message: its headers, in order, and its payload.
struct EventMessage {
  std::vector<EventHeader> headers;
  std::string payload;
  // The value of a string header, or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

// Largest message accepted (AWS: 16 MiB payload + 128 KiB headers + the prelude and CRC).
inline constexpr std::size_t kEventMessageLimit =
    (std::size_t{16} << 20) + (std::size_t{128} << 10) + 16;

// The bytes of one message.
std::string encode_event_message(const EventMessage& message);

// An `event` message as AWS services send them: :event-type, :content-type, :message-type event.
EventMessage event_message(std::string event_type, std::string content_type, std::string payload);

// Decodes messages from bytes that arrive in pieces. Throws ld::Error naming what is wrong (a
// prelude or message CRC mismatch, a length out of range, a truncated header) at the first bad
// message; after that the decoder is not usable.
class EventStreamDecoder {
 public:
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete message, nullopt when more bytes are needed.
  std::optional<EventMessage> next();
  // Bytes fed and not yet decoded (a truncated last message when the stream has ended).
  std::size_t pending() const { return buffer_.size() - offset_; }

 private:
  std::string buffer_;
  std::size_t offset_ = 0;
};

// Decodes a whole stream; throws as EventStreamDecoder does, and for trailing bytes that are not
// a whole message.
std::vector<EventMessage> decode_event_stream(std::string_view bytes);

}  // namespace ld::aws
