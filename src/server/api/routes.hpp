#pragma once

// The API's one route table (docs/api.md).

#include "server/api/router.hpp"

namespace vigia::server {

const Router& apiRoutes();

}  // namespace vigia::server
