#pragma once

// History at the cost of change (docs/storage.md, "Runs"): a run is a maximal stretch of
// consecutive reports of one host (in collected_at order) that all list the same entry (a
// process, a session). A RunTable is the write side of one kind of run table, given by the
// backend; RunLedger (run_ledger.hpp) decides what to write.

#include <cstdint>
#include <optional>
#include <vector>

#include "common/result.hpp"
#include "server/storage/report_point.hpp"

namespace vigia::server {

template <typename Entry>
class RunTable {
 public:
  struct Run {
    std::int64_t id = 0;
    Entry entry;
    // The n-th of identical entries in one report (0 for every entry of a sane report): the
    // second copy of an entry is a run of its own, so each report's list comes back whole.
    int copy = 0;
    ReportPoint first;
    std::optional<ReportPoint> last;  // nullopt: open, listed by the host's newest report
  };

  virtual ~RunTable() = default;

  virtual common::Result<std::int64_t> insert(std::int64_t host_id, const Entry& entry, int copy,
                                              const ReportPoint& first,
                                              const std::optional<ReportPoint>& last) = 0;
  virtual common::Status setFirst(std::int64_t run_id, const ReportPoint& first) = 0;
  virtual common::Status setLast(std::int64_t run_id, const std::optional<ReportPoint>& last) = 0;
  virtual common::Status remove(std::int64_t run_id) = 0;

  // The host's open runs (their first point carries no uuid).
  virtual common::Result<std::vector<Run>> openRuns(std::int64_t host_id) = 0;
  // Every run of the host that may cover `before` or `after`, two reports adjacent in its
  // history (`before` absent: `after` is its oldest), with complete points. The caller tells
  // which of them really cover either.
  virtual common::Result<std::vector<Run>> runsAround(std::int64_t host_id,
                                                      const std::optional<ReportPoint>& before,
                                                      const ReportPoint& after) = 0;
};

// What the ledger needs to know of a host's reports.
class HostTimeline {
 public:
  virtual ~HostTimeline() = default;
  // The host's newest report other than `excluding`.
  virtual common::Result<std::optional<ReportPoint>> latestReport(std::int64_t host_id,
                                                                  std::int64_t excluding) = 0;
  struct Neighbors {
    std::optional<ReportPoint> before, after;
  };
  // The reports of the host just before and just after `point` (itself excluded).
  virtual common::Result<Neighbors> neighbors(std::int64_t host_id, const ReportPoint& point) = 0;
};

}  // namespace vigia::server
