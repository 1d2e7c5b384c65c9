#include "core/time.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace ld {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::tm to_tm(Timestamp t) {
  std::time_t secs = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string strftime_utc(Timestamp t, const char* fmt) {
  std::tm tm = to_tm(t);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return {buf, n};
}

Timestamp from_civil(int y, int mo, int d, int h, int mi, int s, int ms) {
  using namespace std::chrono;
  auto days = sys_days(year{y} / month{static_cast<unsigned>(mo)} / day{static_cast<unsigned>(d)});
  return time_point_cast<milliseconds>(days) + hours{h} + minutes{mi} + seconds{s} +
         milliseconds{ms};
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool valid_civil(int mo, int d, int h, int mi, int s) {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

}  // namespace

Timestamp system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(Clock::now());
}

std::string format_amz_date(Timestamp t) {
  return strftime_utc(t, "%Y%m%dT%H%M%SZ");
}
std::string format_date_stamp(Timestamp t) {
  return strftime_utc(t, "%Y%m%d");
}

std::string format_iso8601(Timestamp t) {
  auto ms = t.time_since_epoch().count() % 1000;
  if (ms < 0) ms += 1000;
  if (ms == 0) return strftime_utc(t, "%Y-%m-%dT%H:%M:%SZ");
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ms));
  return strftime_utc(t, "%Y-%m-%dT%H:%M:%S") + frac + "Z";
}

std::string format_http_date(Timestamp t) {
  std::tm tm = to_tm(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<Timestamp> parse_iso8601(std::string_view s) {
  int y, mo, d, h, mi, sec, ms = 0;
  size_t pos = 0;
  if (s.size() == 16 && s[8] == 'T' && s[15] == 'Z') {  // basic format
    if (!digits(s, 0, 4, y) || !digits(s, 4, 2, mo) || !digits(s, 6, 2, d) || !digits(s, 9, 2, h) ||
        !digits(s, 11, 2, mi) || !digits(s, 13, 2, sec))
      return std::nullopt;
    if (!valid_civil(mo, d, h, mi, sec)) return std::nullopt;
    return from_civil(y, mo, d, h, mi, sec, 0);
  }
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!digits(s, 0, 4, y) || !digits(s, 5, 2, mo) || !digits(s, 8, 2, d) || !digits(s, 11, 2, h) ||
      !digits(s, 14, 2, mi) || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (!valid_civil(mo, d, h, mi, sec)) return std::nullopt;
  pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om))
      return std::nullopt;
    offset_min = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    pos += 6;
  }
  if (pos != s.size()) return std::nullopt;
  return from_civil(y, mo, d, h, mi, sec, ms) - std::chrono::minutes(offset_min);
}

std::optional<Timestamp> parse_http_date(std::string_view s) {
  // "Sun, 30 Aug 2015 12:36:00 GMT"
  if (s.size() != 29 || s[3] != ',' || s.substr(26) != "GMT") return std::nullopt;
  int d, y, h, mi, sec;
  if (!digits(s, 5, 2, d) || !digits(s, 12, 4, y) || !digits(s, 17, 2, h) ||
      !digits(s, 20, 2, mi) || !digits(s, 23, 2, sec))
    return std::nullopt;
  int mo = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) mo = i + 1;
  if (mo == 0 || !valid_civil(mo, d, h, mi, sec)) return std::nullopt;
  return from_civil(y, mo, d, h, mi, sec, 0);
}

}  // namespace ld
