#pragma once

// The JSON Lines line of docs/storage.md: the report as received plus the server's receipt.

#include <string>
#include <string_view>

#include "common/time_util.hpp"

namespace vigia::server {

// Built from the received bytes rather than re-serialized, so the agent's numbers, escapes
// and key order stay exactly as sent. In valid JSON a raw CR or LF can only be whitespace
// between tokens (inside strings they must be escaped), so turning them into spaces keeps the
// document identical and puts it on one line. `body` must be a validated JSON object without
// a "server" member. The result ends with "\n".
std::string makeJsonlLine(std::string_view body, common::Timestamp received_at,
                          std::string_view source_addr);

}  // namespace vigia::server
