#pragma once

// POST /api/v1/reports (docs/api.md): content type and encoding, gunzip with an output limit, the
// validator, then the store, which answers later from its writer thread.

#include "server/api/router.hpp"

namespace vigia::server {

void ingestReport(const ApiContext& api, Call call);

}  // namespace vigia::server
