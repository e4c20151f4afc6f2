#pragma once

// Judging every stored report against the policy, in the transaction that stores it
// (docs/compliance.md): each rule's verdict placed in the host's verdict runs by the same
// ledger as the process runs (arrival order does not matter), the evidence of each run's
// newest report kept, and a webhook event queued in the same transaction for every change of
// a host's current verdict to or from `fail`, and for every host going stale or coming back.
//
// A new policy (SIGHUP, or a start with other policy files) is installed between batches and
// each host's newest report is judged again under it, a few hosts per step.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "compliance/evaluate.hpp"
#include "server/storage/compliance/compliance_options.hpp"
#include "server/storage/compliance/webhook_event.hpp"
#include "server/storage/derived_step.hpp"
#include "server/storage/runs/run_ledger.hpp"

namespace vigia::server {

// The policy the verdicts follow, with the rows its rules have in compliance_rules.
struct ActivePolicy {
  std::shared_ptr<const compliance::Policy> policy;  // null: no rules
  common::Timestamp loaded_at{};
  std::vector<std::int64_t> rule_ids;  // per rule of the policy
  std::size_t ruleCount() const { return policy ? policy->rules().size() : 0; }
};

class ComplianceStep final : public DerivedStep {
 public:
  explicit ComplianceStep(ComplianceOptions options);

  // Any thread: the policy to judge with from now on (installed by the writer between
  // batches). Null: no rules.
  void setPolicy(std::shared_ptr<const compliance::Policy> policy);
  // Any thread: the policy installed last (null before the writer started).
  std::shared_ptr<const ActivePolicy> active() const;
  // Hosts still to be judged again under the policy installed last.
  bool rejudging() const { return rejudge_after_.has_value(); }

  std::string_view name() const override { return "compliance"; }
  std::unique_ptr<PreparedInput> prepare(const common::ValidatedReport& v) const override;
  common::Status apply(WriteSession& db, const StoredReport& report,
                       const PreparedInput* prepared) override;
  void committed() override;
  void rolledBack() override;
  void forgetHost(std::int64_t host_id) override;
  common::Status start(WriteSession& db) override;
  void between(WriteSession& db) override;
  bool busy() const override;

 private:
  struct Prepared;
  struct Current {
    std::int64_t rule_id = 0;
    compliance::Status status = compliance::Status::kPass;
    std::uint64_t evidence_hash = 0;
  };
  struct HostRef {
    std::int64_t id = 0;
    const std::string& ip;
    const std::string& hostname;
  };

  common::Status install(WriteSession& db, std::shared_ptr<const compliance::Policy> policy);
  // The report's verdicts as run entries, and each entry's rule index.
  std::vector<VerdictEntry> entriesOf(const ActivePolicy& active,
                                      const std::vector<compliance::Verdict>& verdicts) const;
  common::Status place(WriteSession& db, const HostRef& host, const ReportPoint& point,
                       common::Timestamp collected_at, const std::vector<VerdictEntry>& entries,
                       bool again);
  common::Status placedLate(WriteSession& db, const HostRef& host, const ReportPoint& point,
                            const std::vector<VerdictEntry>& entries);
  common::Status recount(WriteSession& db, std::int64_t host_id, const std::vector<Current>& before,
                         const std::vector<Current>& after);
  common::Result<std::vector<Current>*> currentOf(WriteSession& db, std::int64_t host_id);
  common::Status queue(WriteSession& db, WebhookEvent event,
                       std::optional<compliance::Severity> severity);
  std::uint64_t evidenceHash(const VerdictEntry& v) const;
  common::Status rejudgeStep(WriteSession& db);
  common::Status staleStep(WriteSession& db);

  ComplianceOptions options_;
  std::uint64_t seed_;
  RunLedger<VerdictEntry> ledger_;

  mutable std::mutex mutex_;
  std::shared_ptr<const ActivePolicy> active_;                        // guarded by mutex_
  std::optional<std::shared_ptr<const compliance::Policy>> pending_;  // guarded by mutex_

  // Writer thread only: each host's current verdicts (sorted by rule id), loaded on its first
  // report since start.
  std::unordered_map<std::int64_t, std::vector<Current>> current_;
  std::unordered_set<std::int64_t> touched_;
  std::optional<std::int64_t> rejudge_after_;  // host id: re-judging goes on after it
  std::chrono::steady_clock::time_point next_stale_check_{};
};

}  // namespace vigia::server
