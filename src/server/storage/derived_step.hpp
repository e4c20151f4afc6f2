#pragma once

// A table derived from each stored report (schema 2's process and session rows; the process
// and session runs; compliance verdicts): one step of the transaction that stores the report,
// after its reports row. The list of steps is explicit (makeDerivedSteps).

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "server/storage/database.hpp"

namespace vigia::server {

class DerivedStep {
 public:
  virtual ~DerivedStep() = default;

  virtual std::string_view name() const = 0;
  // In the transaction that stores `report`, after its reports row. An error rolls the whole
  // batch back.
  virtual common::Status apply(WriteSession& db, const StoredReport& report) = 0;
  // The batch's transaction committed, or rolled back: what the step keeps in memory follows.
  virtual void committed() {}
  virtual void rolledBack() {}
};

std::vector<std::unique_ptr<DerivedStep>> makeDerivedSteps();

}  // namespace vigia::server
