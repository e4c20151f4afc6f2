#include "server/storage/runs/run_ledger.hpp"

#include <algorithm>

namespace vigia::server {
namespace {

// first ≤ at ≤ last, in the order of a host's history (an open run lasts through the newest).
template <typename Run>
bool covers(const Run& run, const ReportPoint& at) {
  return !(at < run.first) && (!run.last || !(*run.last < at));
}

}  // namespace

template <typename Entry>
RunLedger<Entry>::RunLedger(std::size_t max_cached_entries)
    : max_cached_entries_(max_cached_entries) {}

template <typename Entry>
typename RunLedger<Entry>::Keys RunLedger<Entry>::keysOf(std::span<const Entry> entries) const {
  Keys keyed(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) keyed[i] = {hasher_(entries[i]), i, 0};
  // Identical entries share a key: the second and later ones are numbered copies.
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.key != b.key ? a.key < b.key : a.index < b.index;
  });
  bool copies = false;
  for (std::size_t i = 1; i < keyed.size(); ++i) {
    if (keyed[i].key == keyed[i - 1].key) {
      keyed[i].copy = keyed[i - 1].copy + 1;
      copies = true;
    }
  }
  if (copies) {
    for (auto& k : keyed) k.key = hasher_.withCopy(k.key, k.copy);
    std::sort(keyed.begin(), keyed.end(),
              [](const Keyed& a, const Keyed& b) { return a.key < b.key; });
  }
  return keyed;
}

template <typename Entry>
common::Result<typename RunLedger<Entry>::HostState*> RunLedger<Entry>::state(
    Table& table, HostTimeline& timeline, std::int64_t host_id, const ReportPoint& point) {
  if (auto it = hosts_.find(host_id); it != hosts_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    return &*it->second;
  }
  HostState loaded;
  loaded.host_id = host_id;
  auto newest = timeline.latestReport(host_id, point.report_id);
  if (!newest) return newest.error();
  loaded.newest = std::move(*newest);
  auto open = table.openRuns(host_id);
  if (!open) return open.error();
  loaded.open.reserve(open->size());
  for (const auto& run : *open) {
    loaded.open.emplace_back(hasher_.withCopy(hasher_(run.entry), run.copy), run.id);
  }
  std::sort(loaded.open.begin(), loaded.open.end());
  cached_entries_ += loaded.open.size();
  lru_.push_front(std::move(loaded));
  hosts_[host_id] = lru_.begin();
  return &lru_.front();
}

template <typename Entry>
void RunLedger<Entry>::startHost(std::int64_t host_id) {
  forget(host_id);
  lru_.push_front(HostState{host_id, std::nullopt, {}});
  hosts_[host_id] = lru_.begin();
}

template <typename Entry>
common::Status RunLedger<Entry>::record(Table& table, HostTimeline& timeline, std::int64_t host_id,
                                        const ReportPoint& point, std::span<const Entry> entries,
                                        const Keys* keys) {
  touched_.insert(host_id);
  auto host = state(table, timeline, host_id, point);
  if (!host) return host.error();
  Keys computed;
  if (keys == nullptr) {
    computed = keysOf(entries);
    keys = &computed;
  }
  common::Status st = !(*host)->newest || *(*host)->newest < point
                          ? appendNewest(table, **host, point, entries, *keys)
                          : placeLate(table, timeline, **host, point, entries, *keys);
  evictBeyondBound();
  return st;
}

// The usual case: the host's newest report so far. New keys open runs; keys of open runs the
// report no longer lists are closed at the host's previous report. Nothing is read back.
template <typename Entry>
common::Status RunLedger<Entry>::appendNewest(Table& table, HostState& host,
                                              const ReportPoint& point,
                                              std::span<const Entry> entries, const Keys& keys) {
  std::vector<std::pair<RunKey, std::int64_t>> open;
  open.reserve(keys.size());
  std::size_t i = 0, j = 0;
  while (i < keys.size() || j < host.open.size()) {
    if (j == host.open.size() || (i < keys.size() && keys[i].key < host.open[j].first)) {
      auto id = table.insert(host.host_id, entries[keys[i].index], keys[i].copy, point, {});
      if (!id) return id.error();
      open.emplace_back(keys[i].key, *id);
      ++i;
    } else if (i == keys.size() || host.open[j].first < keys[i].key) {
      // An open run implies a newest report: it is where the run ends.
      if (auto st = table.setLast(host.open[j].second, host.newest); !st) return st;
      ++j;
    } else {
      open.push_back(host.open[j]);
      ++i;
      ++j;
    }
  }
  cached_entries_ = cached_entries_ - host.open.size() + open.size();
  host.open = std::move(open);
  host.newest = point;
  return common::Ok{};
}

// A report older than the host's newest, between P and N (adjacent until now; P may be
// absent). For each key:
// - listed by the report: a run covering P and N already covers it; a run ending at P and one
//   starting at N are joined through it; one of them alone is extended to it; else a new run
//   [R, R];
// - not listed: a run covering P and N is split around it.
template <typename Entry>
common::Status RunLedger<Entry>::placeLate(Table& table, HostTimeline& timeline, HostState& host,
                                           const ReportPoint& point, std::span<const Entry> entries,
                                           const Keys& keys) {
  auto around = timeline.neighbors(host.host_id, point);
  if (!around) return around.error();
  const std::optional<ReportPoint>& before = around->before;
  if (!around->after) {
    return common::makeError(common::ErrorCode::kInternal,
                             "a report older than its host's newest has no report after it");
  }
  const ReportPoint& after = *around->after;
  auto runs = table.runsAround(host.host_id, before, after);
  if (!runs) return runs.error();

  using Run = typename Table::Run;
  std::unordered_map<RunKey, const Run*> both, ends_before, starts_after;
  for (const Run& run : *runs) {
    const bool covers_before = before && covers(run, *before);
    const bool covers_after = covers(run, after);
    const RunKey key = hasher_.withCopy(hasher_(run.entry), run.copy);
    if (covers_before && covers_after) {
      both[key] = &run;
    } else if (covers_before) {
      ends_before[key] = &run;
    } else if (covers_after) {
      starts_after[key] = &run;
    }
  }
  // With no report before R, a run covering N that began before R began in history that
  // retention has removed: it covers R only if R lists its key, so it is cut back to N below
  // if R does not.
  for (auto it = starts_after.begin(); !before && it != starts_after.end();) {
    if (it->second->first < point && it->second->first != after) {
      const bool listed =
          std::binary_search(keys.begin(), keys.end(), Keyed{it->first, 0, 0},
                             [](const Keyed& x, const Keyed& y) { return x.key < y.key; });
      if (!listed) {
        if (auto st = table.setFirst(it->second->id, after); !st) return st;
        it = starts_after.erase(it);
        continue;
      }
    }
    ++it;
  }
  for (const Keyed& k : keys) {
    if (both.count(k.key)) continue;
    const auto a = ends_before.find(k.key);
    const auto b = starts_after.find(k.key);
    common::Status st = common::Ok{};
    if (a != ends_before.end() && b != starts_after.end()) {
      st = table.setLast(a->second->id, b->second->last);
      if (st) st = table.remove(b->second->id);
      if (st && !b->second->last) setOpen(host, k.key, a->second->id);
    } else if (a != ends_before.end()) {
      st = table.setLast(a->second->id, point);
    } else if (b != starts_after.end()) {
      st = table.setFirst(b->second->id, point);
    } else {
      auto id = table.insert(host.host_id, entries[k.index], k.copy, point, point);
      if (!id) st = id.error();
    }
    if (!st) return st;
  }
  for (const auto& [key, run] : both) {
    const bool listed =
        std::binary_search(keys.begin(), keys.end(), Keyed{key, 0, 0},
                           [](const Keyed& x, const Keyed& y) { return x.key < y.key; });
    if (listed) continue;
    if (auto st = table.setLast(run->id, before); !st) return st;
    auto id = table.insert(host.host_id, run->entry, run->copy, after, run->last);
    if (!id) return id.error();
    if (!run->last) setOpen(host, key, *id);
  }
  return common::Ok{};
}

template <typename Entry>
common::Status RunLedger<Entry>::replaceNewest(Table& table, HostTimeline& timeline,
                                               std::int64_t host_id, const ReportPoint& point,
                                               std::span<const Entry> entries) {
  touched_.insert(host_id);
  auto host = state(table, timeline, host_id, point);
  if (!host) return host.error();
  HostState& h = **host;
  if (!h.newest) {
    // Loaded from the database excluding `point` itself: `point` is the newest if nothing
    // stored is newer.
    h.newest = point;
  } else if (*h.newest != point) {
    if (point < *h.newest) {
      return common::makeError(common::ErrorCode::kInvalidArgument,
                               "only the host's newest report can be judged again");
    }
    h.newest = point;
  }
  const Keys keys = keysOf(entries);
  auto around = timeline.neighbors(host_id, point);
  if (!around) return around.error();
  const std::optional<ReportPoint>& before = around->before;
  auto runs = table.runsAround(host_id, before, point);
  if (!runs) return runs.error();
  using Run = typename Table::Run;
  std::unordered_map<RunKey, const Run*> current, ends_before;
  for (const Run& run : *runs) {
    const RunKey key = hasher_.withCopy(hasher_(run.entry), run.copy);
    if (!run.last) {
      current[key] = &run;
    } else if (before && *run.last == *before) {
      ends_before[key] = &run;
    }
  }
  const auto listed = [&keys](RunKey key) {
    return std::binary_search(keys.begin(), keys.end(), Keyed{key, 0, 0},
                              [](const Keyed& x, const Keyed& y) { return x.key < y.key; });
  };
  for (const auto& [key, run] : current) {
    if (listed(key)) continue;
    common::Status st =
        run->first == point || !before ? table.remove(run->id) : table.setLast(run->id, before);
    if (!st) return st;
    setOpen(h, key, std::nullopt);
  }
  for (const Keyed& k : keys) {
    if (current.count(k.key)) continue;
    if (auto it = ends_before.find(k.key); it != ends_before.end()) {
      if (auto st = table.setLast(it->second->id, std::nullopt); !st) return st;
      setOpen(h, k.key, it->second->id);
      continue;
    }
    auto id = table.insert(host_id, entries[k.index], k.copy, point, std::nullopt);
    if (!id) return id.error();
    setOpen(h, k.key, *id);
  }
  return common::Ok{};
}

template <typename Entry>
std::optional<ReportPoint> RunLedger<Entry>::newestOf(std::int64_t host_id) const {
  auto it = hosts_.find(host_id);
  if (it == hosts_.end()) return std::nullopt;
  return it->second->newest;
}

template <typename Entry>
void RunLedger<Entry>::setOpen(HostState& host, RunKey key, std::optional<std::int64_t> run_id) {
  auto it = std::lower_bound(host.open.begin(), host.open.end(), std::pair{key, std::int64_t{0}},
                             [](const auto& x, const auto& y) { return x.first < y.first; });
  const bool present = it != host.open.end() && it->first == key;
  if (run_id && present) {
    it->second = *run_id;
  } else if (run_id) {
    host.open.insert(it, {key, *run_id});
    ++cached_entries_;
  } else if (present) {
    host.open.erase(it);
    --cached_entries_;
  }
}

template <typename Entry>
void RunLedger<Entry>::forget(std::int64_t host_id) {
  auto it = hosts_.find(host_id);
  if (it == hosts_.end()) return;
  cached_entries_ -= it->second->open.size();
  lru_.erase(it->second);
  hosts_.erase(it);
}

template <typename Entry>
void RunLedger<Entry>::rolledBack() {
  for (const std::int64_t host_id : touched_) forget(host_id);
  touched_.clear();
}

template <typename Entry>
void RunLedger<Entry>::evictBeyondBound() {
  while (cached_entries_ > max_cached_entries_ && lru_.size() > 1) forget(lru_.back().host_id);
}

template class RunLedger<common::Process>;
template class RunLedger<common::Session>;
template class RunLedger<VerdictEntry>;

}  // namespace vigia::server
