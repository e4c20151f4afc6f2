#include "server/storage/compliance/compliance_step.hpp"
#include "server/storage/derived_step.hpp"
#include "server/storage/runs/run_ledger.hpp"

namespace vigia::server {
namespace {

// process_runs and session_runs: each report's processes (sessions) placed in its host's runs.
template <typename Entry>
class RunsStep final : public DerivedStep {
 public:
  using Table = RunTable<Entry>& (WriteSession::*)();
  using List = std::vector<Entry> common::Report::*;
  RunsStep(std::string_view name, Table table, List list)
      : name_(name), table_(table), list_(list) {}

  struct Prepared final : PreparedInput {
    typename RunLedger<Entry>::Keys keys;
  };

  std::string_view name() const override { return name_; }
  std::unique_ptr<PreparedInput> prepare(const common::ValidatedReport& v) const override {
    auto prepared = std::make_unique<Prepared>();
    prepared->keys = ledger_.keysOf(v.report.*list_);
    return prepared;
  }
  common::Status apply(WriteSession& db, const StoredReport& report,
                       const PreparedInput* prepared) override {
    const auto* keys = dynamic_cast<const Prepared*>(prepared);
    return ledger_.record((db.*table_)(), db, report.host_id, report.point,
                          report.validated.report.*list_, keys ? &keys->keys : nullptr);
  }
  void committed() override { ledger_.committed(); }
  void rolledBack() override { ledger_.rolledBack(); }
  void forgetHost(std::int64_t host_id) override { ledger_.forget(host_id); }

 private:
  std::string_view name_;
  Table table_;
  List list_;
  RunLedger<Entry> ledger_;
};

}  // namespace

std::vector<std::unique_ptr<DerivedStep>> makeDerivedSteps(const ComplianceOptions& options,
                                                           ComplianceStep** compliance) {
  std::vector<std::unique_ptr<DerivedStep>> steps;
  steps.push_back(std::make_unique<RunsStep<common::Process>>(
      "process runs", &WriteSession::processRuns, &common::Report::processes));
  steps.push_back(std::make_unique<RunsStep<common::Session>>(
      "session runs", &WriteSession::sessionRuns, &common::Report::sessions));
  auto judge = std::make_unique<ComplianceStep>(options);
  if (compliance != nullptr) *compliance = judge.get();
  steps.push_back(std::move(judge));
  return steps;
}

}  // namespace vigia::server
