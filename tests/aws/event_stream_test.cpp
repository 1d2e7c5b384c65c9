// The AWS event stream encoding: a message computed outside this code (Python's zlib.crc32 and
// struct, and read back by botocore's EventStreamBuffer), every header type through botocore's
// own decoder, and each way a message can be malformed.
#include "aws/event_stream.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/encoding.hpp"
#include "core/error.hpp"
#include "support/temp_dir.hpp"

namespace ld::aws {
namespace {

// PayloadChunk "hello" with :event-type, :content-type application/octet-stream and
// :message-type event: the bytes Python's struct + zlib.crc32 give for it.
constexpr const char* kHelloChunk =
    "0000006f0000005af5fe871f0b3a6576656e742d7479706507000c5061796c6f61644368756e6b0d3a636f6e74"
    "656e742d747970650700186170706c69636174696f6e2f6f637465742d73747265616d0d3a6d657373616765"
    "2d747970650700056576656e7468656c6c6f29e71260";

TEST(EventStream, EncodesAMessageAsOtherImplementationsDo) {
  const std::string bytes =
      encode_event_message(event_message("PayloadChunk", "application/octet-stream", "hello"));
  EXPECT_EQ(hex_encode(bytes), kHelloChunk);
}

TEST(EventStream, DecodesWhatItEncodesInPieces) {
  std::string stream;
  stream += encode_event_message(event_message("PayloadChunk", "application/octet-stream", "a"));
  stream += encode_event_message(
      event_message("PayloadChunk", "application/octet-stream", std::string(100000, 'x')));
  stream += encode_event_message(event_message("InvokeComplete", "application/json", "{}"));
  EventStreamDecoder decoder;
  std::vector<EventMessage> got;
  for (std::size_t at = 0; at < stream.size(); at += 7) {
    decoder.feed(std::string_view(stream).substr(at, 7));
    while (auto message = decoder.next()) got.push_back(std::move(*message));
  }
  EXPECT_EQ(decoder.pending(), 0u);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].payload, "a");
  EXPECT_EQ(got[1].payload.size(), 100000u);
  EXPECT_EQ(got[2].header(":event-type"), "InvokeComplete");
  EXPECT_EQ(got[2].header(":message-type"), "event");
  EXPECT_EQ(got[2].header(":missing"), std::nullopt);
}

EventMessage every_header_type() {
  EventMessage m;
  m.headers = {{.name = "t", .type = EventHeader::True},
               {.name = "f", .type = EventHeader::False},
               {.name = "byte", .type = EventHeader::Byte, .number = -2},
               {.name = "short", .type = EventHeader::Short, .number = -300},
               {.name = "int", .type = EventHeader::Integer, .number = 70000},
               {.name = "long", .type = EventHeader::Long, .number = -5000000000},
               {.name = "bytes", .type = EventHeader::Bytes, .text = std::string("\0\xff", 2)},
               {.name = "string", .type = EventHeader::String, .text = "caf\xc3\xa9"},
               {.name = "time", .type = EventHeader::Timestamp, .number = 1700000000123},
               {.name = "uuid", .type = EventHeader::Uuid, .text = std::string(16, '\x11')}};
  m.payload = "payload";
  return m;
}

TEST(EventStream, EveryHeaderTypeRoundTrips) {
  const std::vector<EventMessage> back =
      decode_event_stream(encode_event_message(every_header_type()));
  ASSERT_EQ(back.size(), 1u);
  const EventMessage want = every_header_type();
  ASSERT_EQ(back[0].headers.size(), want.headers.size());
  for (std::size_t i = 0; i < want.headers.size(); ++i) {
    EXPECT_EQ(back[0].headers[i].name, want.headers[i].name);
    EXPECT_EQ(back[0].headers[i].type, want.headers[i].type);
    EXPECT_EQ(back[0].headers[i].text, want.headers[i].text);
    if (want.headers[i].type == EventHeader::True) {
      EXPECT_EQ(back[0].headers[i].number, 1);
    } else {
      EXPECT_EQ(back[0].headers[i].number, want.headers[i].number) << want.headers[i].name;
    }
  }
  EXPECT_EQ(back[0].payload, "payload");
}

// botocore (Debian's python3-botocore, which the AWS CLI brings) decodes our bytes: every header
// type, with its CRC checks.
TEST(EventStream, BotocoreDecodesEveryHeaderType) {
  if (std::system("python3 -c 'import botocore.eventstream' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-botocore is not installed (scripts/install-deps --test brings it)";
  test::TempDir dir;
  const auto bin = dir.path() / "message.bin";
  std::ofstream(bin, std::ios::binary) << encode_event_message(every_header_type());
  const std::string script =
      "import sys, uuid\n"
      "from botocore.eventstream import EventStreamBuffer\n"
      "b = EventStreamBuffer(); b.add_data(open(sys.argv[1], 'rb').read())\n"
      "m = list(b)\n"
      "assert len(m) == 1, m\n"
      "h = m[0].headers\n"
      "assert h['t'] is True and h['f'] is False, h\n"
      "assert h['byte'] == -2 and h['short'] == -300 and h['int'] == 70000, h\n"
      "assert h['long'] == -5000000000 and h['time'] == 1700000000123, h\n"
      "assert h['bytes'] == b'\\x00\\xff' and h['string'] == 'caf\\u00e9', h\n"
      "assert h['uuid'] == b'\\x11' * 16, h\n"
      "assert m[0].payload == b'payload'\n";
  const auto py = dir.path() / "check.py";
  std::ofstream(py) << script;
  const std::string command = "python3 " + py.string() + " " + bin.string();
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
}

std::string be32(std::uint32_t v) {
  std::string out;
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

std::uint32_t crc(const std::string& bytes) {
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// A message with the given lengths and bytes after the prelude, both CRCs right.
std::string with_crcs(std::uint32_t total, std::uint32_t headers, const std::string& rest) {
  std::string m = be32(total) + be32(headers);
  m += be32(crc(m));
  m += rest;
  m += be32(crc(m));
  return m;
}

std::string flip(std::string bytes, std::size_t at) {
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  return bytes;
}

void expect_error(const std::string& bytes, const std::string& words) {
  try {
    decode_event_stream(bytes);
    ADD_FAILURE() << "decoded: expected an error with '" << words << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(EventStream, RefusesMalformedMessagesNamingTheFault) {
  const std::string good =
      encode_event_message(event_message("PayloadChunk", "application/octet-stream", "hello"));
  expect_error(flip(good, 3), "prelude CRC mismatch");
  expect_error(flip(good, good.size() - 6), "message CRC mismatch");
  expect_error(good.substr(0, good.size() - 1), "truncated message");
  expect_error(good + "xyz", "truncated message");

  // Lengths no message can have, and a header of unknown type, each with CRCs that match.
  expect_error(with_crcs(12, 0, ""), "total length 12 out of range");
  expect_error(with_crcs(17 * 1024 * 1024, 0, ""), "out of range");
  expect_error(with_crcs(16 + 4, 10, "abcd"), "headers length 10 out of range");
  expect_error(with_crcs(16 + 4, 4, std::string("\x01x\x0a\x00", 4)), "unknown type 10");
  expect_error(with_crcs(16 + 4, 4, std::string("\x01x\x07\x00", 4)), "truncated value");
  expect_error(with_crcs(16 + 1, 1, std::string("\x00", 1)), "empty name");
  EXPECT_EQ(decode_event_stream(with_crcs(16, 0, "")).size(), 1u);  // an empty message is fine
}

TEST(EventStream, RefusesHeadersItCannotWrite) {
  EventMessage m;
  m.headers = {{.name = std::string(256, 'n'), .text = "v"}};
  EXPECT_THROW(encode_event_message(m), Error);
  m.headers = {{.name = "u", .type = EventHeader::Uuid, .text = "short"}};
  EXPECT_THROW(encode_event_message(m), Error);
}

}  // namespace
}  // namespace ld::aws
