#pragma once

// A table derived from each stored report (the process and session runs; compliance
// verdicts): one step of the transaction that stores the report, after its reports row. The
// list of steps is explicit (makeDerivedSteps).

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "server/storage/database.hpp"

namespace vigia::server {

// What a step works out from a report alone, before the writer sees it.
class PreparedInput {
 public:
  virtual ~PreparedInput() = default;
};

class DerivedStep {
 public:
  virtual ~DerivedStep() = default;

  virtual std::string_view name() const = 0;
  // On the submitting (I/O) thread, in parallel with others: whatever needs only the report
  // (hashing its entries, say), so that the single writer does less. Thread-safe.
  virtual std::unique_ptr<PreparedInput> prepare(const common::ValidatedReport&) const {
    return nullptr;
  }
  // In the transaction that stores `report`, after its reports row, with what prepare() gave.
  // An error rolls the whole batch back.
  virtual common::Status apply(WriteSession& db, const StoredReport& report,
                               const PreparedInput* prepared) = 0;
  // The batch's transaction committed, or rolled back: what the step keeps in memory follows.
  virtual void committed() {}
  virtual void rolledBack() {}
  // Retention removed the host (its id may be given to another one later).
  virtual void forgetHost(std::int64_t /*host_id*/) {}

  // When the writer starts, before the first batch.
  virtual common::Status start(WriteSession& /*db*/) { return common::Ok{}; }
  // Between batches, on the writer thread: one bounded piece of the step's own work, in
  // transactions of its own. busy(): pieces are left (the writer comes back sooner).
  virtual void between(WriteSession& /*db*/) {}
  virtual bool busy() const { return false; }
};

class ComplianceStep;
struct ComplianceOptions;

// The steps, in the order they run; `compliance` is set to the one that judges reports.
std::vector<std::unique_ptr<DerivedStep>> makeDerivedSteps(const ComplianceOptions& options,
                                                           ComplianceStep** compliance);

}  // namespace vigia::server
