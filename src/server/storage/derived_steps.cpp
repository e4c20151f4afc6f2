#include "server/storage/derived_step.hpp"

namespace vigia::server {
namespace {

// Schema 2: one row per process and session of every report.
class ChildRows final : public DerivedStep {
 public:
  std::string_view name() const override { return "child rows"; }
  common::Status apply(WriteSession& db, const StoredReport& report) override {
    return db.insertChildRows(report);
  }
};

}  // namespace

std::vector<std::unique_ptr<DerivedStep>> makeDerivedSteps() {
  std::vector<std::unique_ptr<DerivedStep>> steps;
  steps.push_back(std::make_unique<ChildRows>());
  return steps;
}

}  // namespace vigia::server
