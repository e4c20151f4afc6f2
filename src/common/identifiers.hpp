#pragma once

// Report identity (UUID) and server identity (canonical IP): the two keys that name files and
// rows, so both have exactly one spelling. And the one spelling of a bearer token, which agent
// and server must agree on.

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::common {

// A random (version 4) UUID in lower case, from the kernel's CSPRNG.
std::string newUuidV4();

// Any RFC 4122 textual UUID (8-4-4-4-12 hex, any case, any version), returned in lower case.
Result<std::string> canonicalUuid(std::string_view text);

// An IPv4 or IPv6 literal in the form inet_ntop writes; IPv4-mapped IPv6 becomes plain IPv4.
// Anything else (names, zone ids, paths) is an error, which is what keeps `../../etc/passwd`
// out of file names.
Result<std::string> canonicalIp(std::string_view text);

// True for an IP literal in 127.0.0.0/8 or ::1; false for anything else, names included.
bool isLoopbackAddress(const std::string& ip);

// A bearer token as it can travel in "Authorization: Bearer <token>": non-empty, visible ASCII,
// no spaces. Anything else could split or corrupt the header, so neither the agent nor the
// server accepts it.
bool isBearerTokenText(std::string_view text);

}  // namespace vigia::common
