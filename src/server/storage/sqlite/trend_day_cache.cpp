#include "server/storage/sqlite/trend_day_cache.hpp"

#include <algorithm>
#include <limits>

namespace vigia::server {
namespace {

// A year of days under a few stale_after values; past it the cache starts over rather than
// grow with every distinct `days` a client asks for.
constexpr std::size_t kMaxDays = 2048;

}  // namespace

std::uint64_t TrendDayCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

std::optional<TrendDay> TrendDayCache::find(std::int64_t end_us, std::int64_t stale_us) const {
  std::lock_guard lock(mutex_);
  auto it = days_.find({end_us, stale_us});
  if (it == days_.end()) return std::nullopt;
  return it->second;
}

void TrendDayCache::store(std::uint64_t seen_generation, std::int64_t end_us, std::int64_t stale_us,
                          const TrendDay& day) {
  std::lock_guard lock(mutex_);
  if (seen_generation != generation_) return;
  if (days_.size() >= kMaxDays) days_.clear();
  days_[{end_us, stale_us}] = day;
}

void TrendDayCache::changedFrom(std::int64_t earliest_us) {
  std::lock_guard lock(mutex_);
  ++generation_;
  days_.erase(days_.lower_bound({earliest_us, std::numeric_limits<std::int64_t>::min()}),
              days_.end());
}

void TrendChanges::touched(std::int64_t collected_us) {
  earliest_ = std::min(earliest_.value_or(collected_us), collected_us);
}

void TrendChanges::committed() {
  if (earliest_) cache_.changedFrom(*earliest_);
  earliest_.reset();
}

}  // namespace vigia::server
