#include "core/encoding.hpp"

#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/time.hpp"

namespace ld {
namespace {

TEST(Encoding, HexAndBase64RoundTrip) {
  EXPECT_EQ(hex_encode(std::string("\x00\xff\x10", 3)), "00ff10");
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto enc = base64_encode(s);
    ASSERT_TRUE(base64_decode(enc).has_value()) << enc;
    EXPECT_EQ(*base64_decode(enc), s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
}

TEST(Encoding, Base64RejectsInvalidText) {
  EXPECT_FALSE(base64_decode("abc").has_value());
  EXPECT_FALSE(base64_decode("ab=c").has_value());
  EXPECT_FALSE(base64_decode("a$bc").has_value());
  EXPECT_FALSE(base64_decode("a===").has_value());
}

TEST(Encoding, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("a b/c~d_e.f-g"), "a%20b%2Fc~d_e.f-g");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b/c");
  EXPECT_EQ(uri_encode("\xe1\x88\xb4"), "%E1%88%B4");
  EXPECT_EQ(uri_decode("a%20b%2fc+d"), "a b/c+d");
  EXPECT_EQ(uri_decode("a+b", true), "a b");
  EXPECT_EQ(uri_decode("100%"), "100%");
}

TEST(Hash, KnownDigests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_encode(as_chars(hmac_sha256("Jefe", "what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto m = md5("");
  EXPECT_EQ(hex_encode(std::string_view(reinterpret_cast<const char*>(m.data()), m.size())),
            "d41d8cd98f00b204e9800998ecf8427e");
  Sha256 h;
  h.update("ab");
  h.update("c");
  EXPECT_EQ(hex_encode(as_chars(h.finish())), sha256_hex("abc"));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

TEST(Time, FormatsAndParses) {
  auto t = parse_iso8601("2015-08-30T12:36:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_amz_date(*t), "20150830T123600Z");
  EXPECT_EQ(format_date_stamp(*t), "20150830");
  EXPECT_EQ(format_iso8601(*t), "2015-08-30T12:36:00Z");
  EXPECT_EQ(format_http_date(*t), "Sun, 30 Aug 2015 12:36:00 GMT");
  EXPECT_EQ(parse_iso8601("20150830T123600Z"), t);
  EXPECT_EQ(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), t);
  EXPECT_EQ(parse_iso8601("2015-08-30T14:36:00+02:00"), t);
  auto frac = parse_iso8601("2015-08-30T12:36:00.250Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(format_iso8601(*frac), "2015-08-30T12:36:00.250Z");
  EXPECT_FALSE(parse_iso8601("2015-13-30T12:36:00Z"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"));
}

}  // namespace
}  // namespace ld
