// The asset table of a build configured with VIGIA_DASHBOARD=OFF (no Node.js at build time):
// one page saying so, in place of the dashboard.
#include "server/web/dashboard_assets.hpp"

namespace vigia::server::web {

std::span<const Asset> assets() {
  static constexpr std::string_view kPage =
      "<!doctype html><meta charset=utf-8><title>vigia</title>"
      "<p>This vigia-server was built without its dashboard (VIGIA_DASHBOARD=OFF). "
      "The API under /api/v1/ is complete.</p>\n";
  static constexpr std::string_view kLicenses =
      "Third-party software in the vigia dashboard: none, this build has no dashboard.\n";
  static const Asset table[] = {{"index.html", "text/html; charset=utf-8", kPage, {}},
                                {"licenses.txt", "text/plain; charset=utf-8", kLicenses, {}}};
  return table;
}

}  // namespace vigia::server::web
