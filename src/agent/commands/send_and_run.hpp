#pragma once

// The delivering commands of docs/cli.md. Each returns the process exit status.

#include <functional>

#include "agent/config/agent_config.hpp"
#include "agent/runtime/signals.hpp"

namespace vigia::agent {

// Collects once, spools the report, then delivers every pending report, oldest first.
int sendOnce(const AgentConfig& config, SignalEvents& events);

// Collects on every slot of the interval until SIGTERM/SIGINT (exit 0). On SIGHUP calls
// `reload` and keeps the old configuration if the new one is wrong.
int runLoop(AgentConfig config, const std::function<common::Result<AgentConfig>()>& reload,
            SignalEvents& events);

}  // namespace vigia::agent
