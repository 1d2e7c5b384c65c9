#include "aws/event_stream.hpp"

#include <zlib.h>

#include <limits>

#include "core/error.hpp"

namespace ld::aws {

namespace {

constexpr std::size_t kPreludeSize = 12;  // total length, headers length, prelude CRC
constexpr std::size_t kCrcSize = 4;
constexpr std::size_t kHeadersLimit = std::size_t{128} * 1024;

std::uint32_t crc32_of(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // The messages are far below 4 GiB (kEventMessageLimit), so one call covers them.
  crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
  return static_cast<std::uint32_t>(crc);
}

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

std::uint64_t get_be(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[at + i]);
  return value;
}

void encode_header(std::string& out, const EventHeader& header) {
  if (header.name.empty() || header.name.size() > 255)
    throw Error("event stream header name must be 1 to 255 bytes: '" + header.name + "'");
  out.push_back(static_cast<char>(header.name.size()));
  out += header.name;
  out.push_back(static_cast<char>(header.type));
  switch (header.type) {
    case EventHeader::True:
    case EventHeader::False:
      break;
    case EventHeader::Byte:
      put_be(out, static_cast<std::uint64_t>(header.number), 1);
      break;
    case EventHeader::Short:
      put_be(out, static_cast<std::uint64_t>(header.number), 2);
      break;
    case EventHeader::Integer:
      put_be(out, static_cast<std::uint64_t>(header.number), 4);
      break;
    case EventHeader::Long:
    case EventHeader::Timestamp:
      put_be(out, static_cast<std::uint64_t>(header.number), 8);
      break;
    case EventHeader::Bytes:
    case EventHeader::String:
      if (header.text.size() > std::numeric_limits<std::uint16_t>::max())
        throw Error("event stream header '" + header.name + "' is over 65535 bytes");
      put_be(out, header.text.size(), 2);
      out += header.text;
      break;
    case EventHeader::Uuid:
      if (header.text.size() != 16)
        throw Error("event stream header '" + header.name + "': a UUID is 16 bytes");
      out += header.text;
      break;
  }
}

// Reads the headers in `block`; throws for a truncated or unknown one.
std::vector<EventHeader> decode_headers(std::string_view block) {
  std::vector<EventHeader> headers;
  std::size_t at = 0;
  auto need = [&](std::size_t n, const std::string& what) {
    if (block.size() - at < n) throw Error("event stream message: truncated " + what);
  };
  while (at < block.size()) {
    EventHeader header;
    const std::size_t name_size = static_cast<unsigned char>(block[at++]);
    if (name_size == 0) throw Error("event stream message: a header has an empty name");
    need(name_size + 1, "header name");
    header.name = std::string(block.substr(at, name_size));
    at += name_size;
    const auto type = static_cast<unsigned char>(block[at++]);
    if (type > EventHeader::Uuid)
      throw Error("event stream message: header '" + header.name + "' has unknown type " +
                  std::to_string(type));
    header.type = static_cast<EventHeader::Type>(type);
    const std::string what = "value of header '" + header.name + "'";
    auto number = [&](int bytes) {
      need(static_cast<std::size_t>(bytes), what);
      const std::uint64_t raw = get_be(block, at, bytes);
      at += static_cast<std::size_t>(bytes);
      // Sign-extend: the integer types are signed two's complement.
      const int shift = 64 - 8 * bytes;
      return static_cast<std::int64_t>(raw << shift) >> shift;
    };
    switch (header.type) {
      case EventHeader::True:
        header.number = 1;
        break;
      case EventHeader::False:
        break;
      case EventHeader::Byte:
        header.number = number(1);
        break;
      case EventHeader::Short:
        header.number = number(2);
        break;
      case EventHeader::Integer:
        header.number = number(4);
        break;
      case EventHeader::Long:
      case EventHeader::Timestamp:
        header.number = number(8);
        break;
      case EventHeader::Bytes:
      case EventHeader::String: {
        need(2, what);
        const std::size_t size = get_be(block, at, 2);
        at += 2;
        need(size, what);
        header.text = std::string(block.substr(at, size));
        at += size;
        break;
      }
      case EventHeader::Uuid:
        need(16, what);
        header.text = std::string(block.substr(at, 16));
        at += 16;
        break;
    }
    headers.push_back(std::move(header));
  }
  return headers;
}

}  // namespace

std::optional<std::string> EventMessage::header(std::string_view name) const {
  for (const EventHeader& h : headers) {
    if (h.name == name && (h.type == EventHeader::String || h.type == EventHeader::Bytes))
      return h.text;
  }
  return std::nullopt;
}

std::string encode_event_message(const EventMessage& message) {
  std::string headers;
  for (const EventHeader& header : message.headers) encode_header(headers, header);
  if (headers.size() > kHeadersLimit) throw Error("event stream headers are over 128 KiB");
  const std::size_t total = kPreludeSize + headers.size() + message.payload.size() + kCrcSize;
  if (total > kEventMessageLimit) throw Error("event stream message is over 16 MiB");
  std::string out;
  out.reserve(total);
  put_be(out, total, 4);
  put_be(out, headers.size(), 4);
  put_be(out, crc32_of(out), 4);
  out += headers;
  out += message.payload;
  put_be(out, crc32_of(out), 4);
  return out;
}

EventMessage event_message(std::string event_type, std::string content_type, std::string payload) {
  EventMessage message;
  message.headers.push_back({.name = ":event-type", .text = std::move(event_type)});
  message.headers.push_back({.name = ":content-type", .text = std::move(content_type)});
  message.headers.push_back({.name = ":message-type", .text = "event"});
  message.payload = std::move(payload);
  return message;
}

std::optional<EventMessage> EventStreamDecoder::next() {
  const std::string_view rest = std::string_view(buffer_).substr(offset_);
  if (rest.size() < kPreludeSize) return std::nullopt;
  const std::size_t total = get_be(rest, 0, 4);
  const std::size_t headers_size = get_be(rest, 4, 4);
  const auto prelude_crc = static_cast<std::uint32_t>(get_be(rest, 8, 4));
  if (crc32_of(rest.substr(0, 8)) != prelude_crc)
    throw Error("event stream message: prelude CRC mismatch");
  if (total < kPreludeSize + kCrcSize || total > kEventMessageLimit)
    throw Error("event stream message: total length " + std::to_string(total) + " out of range");
  if (headers_size > kHeadersLimit || headers_size > total - kPreludeSize - kCrcSize)
    throw Error("event stream message: headers length " + std::to_string(headers_size) +
                " out of range");
  if (rest.size() < total) return std::nullopt;
  const auto message_crc = static_cast<std::uint32_t>(get_be(rest, total - kCrcSize, 4));
  if (crc32_of(rest.substr(0, total - kCrcSize)) != message_crc)
    throw Error("event stream message: message CRC mismatch");
  EventMessage message;
  message.headers = decode_headers(rest.substr(kPreludeSize, headers_size));
  message.payload = std::string(
      rest.substr(kPreludeSize + headers_size, total - kPreludeSize - headers_size - kCrcSize));
  offset_ += total;
  // Drop what is decoded once it is most of the buffer, so a long stream does not grow it.
  if (offset_ > std::size_t{64} * 1024 && offset_ * 2 > buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return message;
}

std::vector<EventMessage> decode_event_stream(std::string_view bytes) {
  EventStreamDecoder decoder;
  decoder.feed(bytes);
  std::vector<EventMessage> messages;
  while (auto message = decoder.next()) messages.push_back(std::move(*message));
  if (decoder.pending() != 0)
    throw Error("event stream: " + std::to_string(decoder.pending()) +
                " bytes after the last whole message (a truncated message)");
  return messages;
}

}  // namespace ld::aws
