#pragma once

// The dashboard's files, compiled into vigia-server so that it serves them with nothing on disk
// and nothing from elsewhere. The table is generated at build time (web/build.mjs, or
// dashboard_disabled.cpp when the build has no dashboard).

#include <span>
#include <string_view>

namespace vigia::server::web {

struct Asset {
  std::string_view name;          // "app.js", as under /assets/
  std::string_view content_type;  // with its charset
  std::string_view plain;
  std::string_view gzip;  // the same bytes, gzipped once at build time
};

std::span<const Asset> assets();

// The asset of that name, nullptr when there is none.
const Asset* findAsset(std::string_view name);

}  // namespace vigia::server::web
