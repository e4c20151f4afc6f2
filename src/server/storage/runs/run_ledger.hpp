#pragma once

// Places each stored report's entries (processes, sessions) in its host's runs, writing only
// what changed, whatever order the reports arrive in (docs/storage.md, "Runs").
//
// A report newer than its host's newest (the usual case) needs nothing read back from SQL:
// the ledger keeps, per host, the newest report and the keys of the open runs. That memory is
// bounded (least recently reporting hosts are forgotten and read back from their open runs on
// their next report) and rebuilt the same way after a restart. An older report (from a spool,
// after an outage) reads the runs around its place and joins, splits, extends or moves them.

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "server/storage/runs/run_key.hpp"
#include "server/storage/runs/run_table.hpp"

namespace vigia::server {

template <typename Entry>
class RunLedger {
 public:
  using Table = RunTable<Entry>;

  // `max_cached_entries`: open runs kept in memory over all hosts (16 bytes each).
  explicit RunLedger(std::size_t max_cached_entries = std::size_t{4} << 20);

  // An entry's key, and which of the report's entries it is: sorted by key, identical entries
  // numbered as copies. Thread-safe (the writer's callers work it out on their own threads).
  struct Keyed {
    RunKey key;
    std::size_t index;  // into the report's entries
    int copy;
  };
  using Keys = std::vector<Keyed>;
  Keys keysOf(std::span<const Entry> entries) const;

  // Report `point` of host `host_id` lists `entries` (with their keysOf, or null to work them
  // out here): its row is already in the reports table.
  common::Status record(Table& table, HostTimeline& timeline, std::int64_t host_id,
                        const ReportPoint& point, std::span<const Entry> entries,
                        const Keys* keys = nullptr);

  // The host's newest report, `point`, already recorded, now lists `entries` instead (its
  // verdicts under a new policy): its runs are cut back, removed, reopened or begun so that
  // the history is as if it had listed them from the start. Refused if `point` is not the
  // host's newest.
  common::Status replaceNewest(Table& table, HostTimeline& timeline, std::int64_t host_id,
                               const ReportPoint& point, std::span<const Entry> entries);
  // The newest report of the host as far as the ledger knows (after record: whether the
  // report recorded was the newest).
  std::optional<ReportPoint> newestOf(std::int64_t host_id) const;

  // For a rebuild that feeds every report of a host oldest first (the schema 3 migration):
  // the host starts with no report.
  void startHost(std::int64_t host_id);

  // The batch committed: nothing to undo any more. Rolled back: the hosts it touched are read
  // back from the database on their next report.
  void committed() { touched_.clear(); }
  void rolledBack();
  // Someone else changed the host's runs (retention).
  void forget(std::int64_t host_id);

  std::size_t cachedHosts() const { return hosts_.size(); }

 private:
  struct HostState {
    std::int64_t host_id = 0;
    std::optional<ReportPoint> newest;
    std::vector<std::pair<RunKey, std::int64_t>> open;  // key → run id, sorted by key
  };
  using Lru = std::list<HostState>;

  common::Result<HostState*> state(Table& table, HostTimeline& timeline, std::int64_t host_id,
                                   const ReportPoint& point);
  common::Status appendNewest(Table& table, HostState& host, const ReportPoint& point,
                              std::span<const Entry> entries, const Keys& keys);
  common::Status placeLate(Table& table, HostTimeline& timeline, HostState& host,
                           const ReportPoint& point, std::span<const Entry> entries,
                           const Keys& keys);
  void setOpen(HostState& host, RunKey key, std::optional<std::int64_t> run_id);
  void evictBeyondBound();

  std::size_t max_cached_entries_;
  std::size_t cached_entries_ = 0;
  RunKeyHasher hasher_;
  Lru lru_;  // most recently used first
  std::unordered_map<std::int64_t, typename Lru::iterator> hosts_;
  std::unordered_set<std::int64_t> touched_;
};

}  // namespace vigia::server
