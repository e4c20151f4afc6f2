#pragma once

// The kernel hands out bytes (a process name or command line may be anything); reports are
// UTF-8. These helpers make arbitrary bytes into valid UTF-8 without losing valid text.

#include <string>
#include <string_view>

namespace vigia::common {

bool isValidUtf8(std::string_view bytes);

// Each ill-formed sequence becomes U+FFFD (the replacement character), as WHATWG decoders do.
std::string sanitizeUtf8(std::string_view bytes);

// Cuts valid UTF-8 to at most `max_bytes` without splitting a character.
std::string truncateUtf8(std::string text, std::size_t max_bytes);

}  // namespace vigia::common
