#pragma once

// The compliance trend's closed days, counted once (docs/decisions.md, "The trend's closed
// days"). A day's counts depend only on each host's reports collected by the day's end and on
// the verdicts of those reports, so they change only when the writer stores a report collected
// by then (a late one), deletes one (retention) or judges one again (a new policy): the writer
// tells the cache the earliest collected_us each committed transaction touched, and the days
// ending at or after it are counted again on the next read.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "server/storage/compliance/compliance_queries.hpp"

namespace vigia::server {

class TrendDayCache {
 public:
  // Changes each time the writer commits something that may alter a counted day: counts read
  // from the database before then are not kept.
  std::uint64_t generation() const;
  std::optional<TrendDay> find(std::int64_t end_us, std::int64_t stale_us) const;
  // Keeps `day` unless the writer committed a change since `seen_generation`.
  void store(std::uint64_t seen_generation, std::int64_t end_us, std::int64_t stale_us,
             const TrendDay& day);
  // The writer committed a transaction that stored, deleted or judged again reports collected
  // at or after `earliest_us`.
  void changedFrom(std::int64_t earliest_us);

 private:
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  // By (day's last microsecond, stale_after in microseconds).
  std::map<std::pair<std::int64_t, std::int64_t>, TrendDay> days_;
};

// The writer's side: the earliest collected_us its open transaction touched, told to the cache
// when the transaction commits and forgotten when it rolls back.
class TrendChanges {
 public:
  explicit TrendChanges(TrendDayCache& cache) : cache_(cache) {}
  void touched(std::int64_t collected_us);
  void committed();
  void rolledBack() { earliest_.reset(); }

 private:
  TrendDayCache& cache_;
  std::optional<std::int64_t> earliest_;
};

}  // namespace vigia::server
