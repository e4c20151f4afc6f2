#pragma once

// The agent's exit statuses (docs/cli.md), in one place for main,
// the commands and the delivery summary.

namespace vigia::agent {

inline constexpr int kExitOk = 0;
// check: a rule fails or has an error. collect: the report could not be written to stdout.
inline constexpr int kExitFailing = 1;
inline constexpr int kExitUsage = 2;  // usage, configuration or policy error
inline constexpr int kExitNotDelivered = 3;
inline constexpr int kExitRejected = 4;
inline constexpr int kExitAuthRefused = 5;

}  // namespace vigia::agent
