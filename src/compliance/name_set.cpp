#include "compliance/name_set.hpp"

#include <algorithm>

namespace vigia::compliance {
namespace {

// Below this many names a scan of the hashes beats a binary search's branches.
constexpr std::size_t kLinearScanNames = 8;

}  // namespace

NameSet::NameSet(std::vector<std::string> names) {
  entries_.reserve(names.size());
  for (auto& n : names) {
    const std::size_t h = hashName(n);
    entries_.emplace_back(h, std::move(n));
  }
  std::sort(entries_.begin(), entries_.end());
  entries_.erase(std::unique(entries_.begin(), entries_.end()), entries_.end());
}

bool NameSet::contains(std::string_view text, std::size_t hash) const {
  auto it = entries_.begin();
  if (entries_.size() <= kLinearScanNames) {
    while (it != entries_.end() && it->first < hash) ++it;
  } else {
    it = std::lower_bound(entries_.begin(), entries_.end(), hash,
                          [](const auto& entry, std::size_t h) { return entry.first < h; });
  }
  for (; it != entries_.end() && it->first == hash; ++it) {
    if (it->second == text) return true;
  }
  return false;
}

}  // namespace vigia::compliance
