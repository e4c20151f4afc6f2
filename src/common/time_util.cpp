#include "common/time_util.hpp"

#include <cstdio>

namespace vigia::common {
namespace {

using std::chrono::days;
using std::chrono::microseconds;
using std::chrono::seconds;

// Reads exactly `width` digits at `pos`; false if any is not a digit.
bool readDigits(std::string_view s, std::size_t pos, std::size_t width, int& out) {
  if (pos + width > s.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  out = value;
  return true;
}

Error badTime(std::string_view text, const char* why) {
  return makeError(ErrorCode::kInvalidArgument, std::string("expected an RFC 3339 time (") + why +
                                                    "), got \"" + std::string(text.substr(0, 40)) +
                                                    "\"");
}

}  // namespace

Result<Timestamp> parseRfc3339(std::string_view s) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !readDigits(s, 5, 2, month) ||
      s[7] != '-' || !readDigits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !readDigits(s, 11, 2, hour) || s[13] != ':' || !readDigits(s, 14, 2, minute) ||
      s[16] != ':' || !readDigits(s, 17, 2, second)) {
    return badTime(s, "YYYY-MM-DDTHH:MM:SS");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year},
                                        std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  // Second 60 is allowed by RFC 3339 for leap seconds; it folds into the next second.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return badTime(s, "out of range");

  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    int scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return badTime(s, "empty fraction");
  }
  if (pos >= s.size()) return badTime(s, "missing offset");

  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh = 0, om = 0;
    if (!readDigits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !readDigits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return badTime(s, "bad offset");
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return badTime(s, "bad offset");
  }
  if (pos != s.size()) return badTime(s, "trailing characters");

  const auto day_point = std::chrono::sys_days{ymd};
  return Timestamp{day_point} + seconds{hour * 3600 + minute * 60 + second} + microseconds{micros} -
         std::chrono::minutes{offset_minutes};
}

namespace {

// Writes `value` as exactly `digits` decimal digits (zero-padded) at `out`; returns the end.
// Hand-rolled because snprintf was 4 % of the server's ingest CPU: every timestamp of every
// process is normalized through here.
char* putDigits(char* out, long long value, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + digits;
}

}  // namespace

std::string formatRfc3339Utc(Timestamp t) {
  const auto day_point = std::chrono::floor<days>(t);
  const std::chrono::year_month_day ymd{day_point};
  const std::chrono::hh_mm_ss<microseconds> hms{t - day_point};
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {  // outside RFC 3339; kept readable rather than truncated
    char buf[64];
    std::snprintf(buf, sizeof buf, "%d-%02u-%02uT%02d:%02d:%02dZ", year,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
  }
  char buf[32];
  char* p = putDigits(buf, year, 4);
  *p++ = '-';
  p = putDigits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = putDigits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = putDigits(p, hms.hours().count(), 2);
  *p++ = ':';
  p = putDigits(p, hms.minutes().count(), 2);
  *p++ = ':';
  p = putDigits(p, hms.seconds().count(), 2);
  const long long sub = hms.subseconds().count();
  if (sub != 0 && sub % 1000 == 0) {
    *p++ = '.';
    p = putDigits(p, sub / 1000, 3);
  } else if (sub != 0) {
    *p++ = '.';
    p = putDigits(p, sub, 6);
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

namespace {

// Whether a time that parsed is already what formatRfc3339Utc would write: UTC as `Z`, a `T`,
// no leap second (60 folds into the next minute), and a fraction only when it is not zero, as
// milliseconds, or as microseconds that are not a whole millisecond.
bool isCanonicalSpelling(std::string_view s) {
  if (s[10] != 'T' || s.back() != 'Z' || s[17] == '6') return false;
  int fraction = 0;
  switch (s.size()) {
    case 20:
      return true;
    case 24:
      return s[19] == '.' && readDigits(s, 20, 3, fraction) && fraction != 0;
    case 27:
      return s[19] == '.' && readDigits(s, 20, 6, fraction) && fraction % 1000 != 0;
    default:
      return false;
  }
}

}  // namespace

Result<std::string> canonicalRfc3339Utc(std::string_view text) {
  auto t = parseRfc3339(text);
  if (!t) return t.error();
  if (isCanonicalSpelling(text)) return std::string(text);
  return formatRfc3339Utc(*t);
}

std::string utcDate(Timestamp t) {
  const std::chrono::year_month_day ymd{std::chrono::floor<days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Timestamp nowUtc() {
  return std::chrono::time_point_cast<microseconds>(std::chrono::system_clock::now());
}

}  // namespace vigia::common
