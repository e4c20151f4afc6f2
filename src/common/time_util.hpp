#pragma once

// RFC 3339 parsing and formatting. Reports carry times as text; storage needs the instant
// (for ordering and for the UTC date in file names) and a canonical UTC spelling.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::common {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Accepts `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`/`z` and a space separator are accepted as
// RFC 3339 allows. Fractions beyond microseconds are truncated.
Result<Timestamp> parseRfc3339(std::string_view text);

// `2026-11-22T10:13:21Z`, `…21.123Z` (milliseconds) or `…21.123456Z` (microseconds): the
// shortest of the three that loses nothing.
std::string formatRfc3339Utc(Timestamp t);

// formatRfc3339Utc(parseRfc3339(text)), or the parse error. Text already spelled that way, as
// every vigia agent sends it, is returned as it is instead of being formatted again: a report
// carries a time for each of its processes.
Result<std::string> canonicalRfc3339Utc(std::string_view text);

// `YYYY-MM-DD` of the instant in UTC.
std::string utcDate(Timestamp t);

Timestamp nowUtc();

inline Timestamp fromUnixSeconds(double seconds) {
  return Timestamp{std::chrono::microseconds{static_cast<std::int64_t>(seconds * 1e6)}};
}

}  // namespace vigia::common
