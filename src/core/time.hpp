#pragma once
// Time as AWS writes it: SigV4 dates, ISO 8601, RFC 1123 (HTTP), epoch seconds; and a clock
// that tests can replace.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ld {

using Clock = std::chrono::system_clock;
using Timestamp = std::chrono::time_point<Clock, std::chrono::milliseconds>;

// A source of "now"; the default reads the system clock. Tests pass a fixed or moving one.
using NowFn = std::function<Timestamp()>;
Timestamp system_now();

std::string format_amz_date(Timestamp t);    // 20150830T123600Z
std::string format_date_stamp(Timestamp t);  // 20150830
std::string format_iso8601(Timestamp t);     // 2015-08-30T12:36:00Z (fractions only when non-zero)
std::string format_http_date(Timestamp t);   // Sun, 30 Aug 2015 12:36:00 GMT

// Accepts 20150830T123600Z, 2015-08-30T12:36:00Z, 2015-08-30T12:36:00.123Z and +hh:mm offsets.
std::optional<Timestamp> parse_iso8601(std::string_view s);
// Accepts RFC 1123 (Sun, 30 Aug 2015 12:36:00 GMT).
std::optional<Timestamp> parse_http_date(std::string_view s);

}  // namespace ld
