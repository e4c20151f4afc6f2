#pragma once

// vigia-server's options, one row each (see common/options/option_table.hpp).

#include "common/options/option_table.hpp"
#include "server/config/server_config.hpp"

namespace vigia::server {

const options::OptionTable<ServerConfig>& serverOptions();

}  // namespace vigia::server
