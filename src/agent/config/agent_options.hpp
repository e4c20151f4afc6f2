#pragma once

// vigia-agent's options, one row each (see common/options/option_table.hpp).

#include "agent/config/agent_config.hpp"
#include "common/options/option_table.hpp"

namespace vigia::agent {

// The subcommands an option's flag belongs to.
enum CommandScope : unsigned {
  kCollectCommand = 1U << 0,
  kSendCommand = 1U << 1,
  kRunCommand = 1U << 2,
  kCheckCommand = 1U << 3,
};

const options::OptionTable<AgentConfig>& agentOptions();

}  // namespace vigia::agent
