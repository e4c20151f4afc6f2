#pragma once

// The write side of compliance in a backend (schema 4): the rules a policy named, the verdict
// runs, the webhook outbox, the hosts' stale marks, and what the server keeps between starts.
// Used by the storage writer thread alone, inside its transactions.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "compliance/policy.hpp"
#include "server/storage/compliance/verdict_entry.hpp"
#include "server/storage/report_point.hpp"
#include "server/storage/runs/run_table.hpp"

namespace vigia::server {

class ComplianceWrites {
 public:
  virtual ~ComplianceWrites() = default;

  virtual RunTable<VerdictEntry>& runs() = 0;

  // The rows of these rules (inserted, or their title and severity brought up to date), in
  // the order given.
  virtual common::Result<std::vector<std::int64_t>> ruleIds(
      std::span<const compliance::RuleInfo> rules) = 0;

  // The verdicts of the host's newest report (its open runs).
  virtual common::Result<std::vector<VerdictEntry>> currentVerdicts(std::int64_t host_id) = 0;
  // The evidence and waiver of the host's run on `verdict.rule_id` with `verdict.status`
  // whose newest report is `last_report_id` (nullopt: the open run).
  virtual common::Status setEvidence(std::int64_t host_id,
                                     std::optional<std::int64_t> last_report_id,
                                     const VerdictEntry& verdict) = 0;

  // The fleet's counters (schema 4): `delta` hosts more (or fewer) whose newest report has
  // `status` on the rule; whether the host's newest report is failing.
  virtual common::Status countVerdicts(std::int64_t rule_id, compliance::Status status,
                                       std::int64_t delta) = 0;
  virtual common::Status setHostFailing(std::int64_t host_id, bool failing) = 0;

  // A stored report's document (to judge it again).
  virtual common::Result<std::string> document(std::int64_t report_id) = 0;

  virtual common::Status enqueueEvent(const std::string& webhook, const std::string& event_id,
                                      const std::string& body, std::int64_t created_us) = 0;

  struct HostRef {
    std::int64_t id = 0;
    std::string ip;
    std::string hostname;
  };
  // Hosts whose newest report was collected before `cutoff_us` and whose going stale was not
  // announced yet: marked announced, and returned (at most `max`).
  virtual common::Result<std::vector<HostRef>> markStale(std::int64_t cutoff_us, int max) = 0;
  // Clears the host's stale mark: true if it was set.
  virtual common::Result<bool> clearStale(std::int64_t host_id) = 0;

  // Each host's newest report, hosts in id order after `after_host_id`, at most `max`: for
  // judging them again under a new policy.
  struct NewestReport {
    HostRef host;
    ReportPoint point;
    std::string document;  // as stored (the JSON Lines line)
  };
  virtual common::Result<std::vector<NewestReport>> newestReports(std::int64_t after_host_id,
                                                                  int max) = 0;

  virtual common::Result<std::optional<std::string>> state(const std::string& key) = 0;
  virtual common::Status setState(const std::string& key, const std::string& value) = 0;
};

}  // namespace vigia::server
