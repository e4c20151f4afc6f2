#pragma once

// The API's one route table (SPEC §3).

#include "server/api/router.hpp"

namespace vigia::server {

const Router& apiRoutes();

}  // namespace vigia::server
