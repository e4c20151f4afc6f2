#pragma once

// The dashboard of docs/dashboard.md: its page (one HTML shell for every view's URL, the view
// chosen in the browser) and its assets, compiled in. Neither holds fleet data, so both are public;
// the data comes from the API with the read token. Every answer carries the strict headers below.

#include "server/api/router.hpp"

namespace vigia::server {

// The same shell for /, /hosts, /hosts/{ip}, /rules, /rules/{id} and /search.
ApiResponse dashboardPage(const ApiContext& api, const Call& call);
// /assets/{name}: the bundle, its stylesheet and the licenses of what it ships; gzipped when
// the client accepts it.
ApiResponse dashboardAsset(const ApiContext& api, const Call& call);

}  // namespace vigia::server
