#pragma once

// The agent's log: one line per event on stderr, which journald timestamps under systemd.
// Kept tiny on purpose: the agent must stay small, and it never logs secrets or reports.

#include <string_view>

namespace vigia::agent {

void logInfo(std::string_view message);
void logWarning(std::string_view message);
void logError(std::string_view message);

}  // namespace vigia::agent
