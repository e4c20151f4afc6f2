#include "server/web/dashboard_assets.hpp"

#include <algorithm>

namespace vigia::server::web {

const Asset* findAsset(std::string_view name) {
  const auto all = assets();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const Asset& a) { return a.name == name; });
  return it == all.end() ? nullptr : &*it;
}

}  // namespace vigia::server::web
