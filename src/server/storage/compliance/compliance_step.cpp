#include "server/storage/compliance/compliance_step.hpp"

#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "common/identifiers.hpp"

namespace vigia::server {
namespace {

// Hosts judged again per step, and stale hosts announced per step: each a small transaction
// between batches.
constexpr int kRejudgeHostsPerStep = 50;
constexpr int kStaleHostsPerStep = 500;
// docs/compliance.md: a host going stale is noticed within 60 s (sooner when stale_after is short).
constexpr auto kStaleCheckEvery = std::chrono::seconds(30);

std::chrono::seconds staleCheckEvery(std::chrono::seconds stale_after) {
  return std::clamp(stale_after / 2, std::chrono::seconds(1), kStaleCheckEvery);
}
constexpr const char* kPolicyDigestKey = "compliance.policy_digest";

std::string waiverJson(const compliance::WaiverInfo& w) {
  return nlohmann::ordered_json{{"reason", w.reason}, {"owner", w.owner}, {"expires", w.expires}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct ComplianceStep::Prepared final : PreparedInput {
  std::shared_ptr<const ActivePolicy> policy;
  std::vector<compliance::Verdict> verdicts;
};

ComplianceStep::ComplianceStep(ComplianceOptions options) : options_(std::move(options)) {
  std::random_device random;
  seed_ = (std::uint64_t{random()} << 32) ^ random();
  pending_ = options_.policy;
}

void ComplianceStep::setPolicy(std::shared_ptr<const compliance::Policy> policy) {
  std::lock_guard lock(mutex_);
  pending_ = std::move(policy);
}

std::shared_ptr<const ActivePolicy> ComplianceStep::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

std::unique_ptr<PreparedInput> ComplianceStep::prepare(const common::ValidatedReport& v) const {
  auto prepared = std::make_unique<Prepared>();
  prepared->policy = active();
  if (prepared->policy && prepared->policy->policy) {
    prepared->verdicts = compliance::evaluate(*prepared->policy->policy, v.report);
  }
  return prepared;
}

std::uint64_t ComplianceStep::evidenceHash(const VerdictEntry& v) const {
  const std::uint64_t evidence = XXH3_64bits_withSeed(v.evidence.data(), v.evidence.size(), seed_);
  if (!v.waiver) return evidence;
  return XXH3_64bits_withSeed(v.waiver->data(), v.waiver->size(), evidence);
}

std::vector<VerdictEntry> ComplianceStep::entriesOf(
    const ActivePolicy& active, const std::vector<compliance::Verdict>& verdicts) const {
  std::vector<VerdictEntry> entries;
  entries.reserve(verdicts.size());
  for (const auto& v : verdicts) {
    if (v.rule >= active.rule_ids.size()) continue;
    entries.push_back(
        {active.rule_ids[v.rule], v.status, v.evidence,
         v.waiver ? std::optional<std::string>(waiverJson(*v.waiver)) : std::nullopt});
  }
  return entries;
}

common::Status ComplianceStep::start(WriteSession& db) {
  std::shared_ptr<const compliance::Policy> policy;
  {
    std::lock_guard lock(mutex_);
    policy = pending_.value_or(nullptr);
    pending_.reset();
  }
  if (auto st = db.begin(); !st) return st;
  auto st = install(db, std::move(policy));
  if (st) st = db.commit();
  if (!st) {
    db.rollback();
    rejudge_after_.reset();
    return st;
  }
  return common::Ok{};
}

// In a transaction of the caller's. The host's newest reports are judged again only if they
// were judged under other rules (another digest): a restart with the same files costs nothing.
common::Status ComplianceStep::install(WriteSession& db,
                                       std::shared_ptr<const compliance::Policy> policy) {
  auto active = std::make_shared<ActivePolicy>();
  active->policy = policy;
  active->loaded_at = common::nowUtc();
  if (policy) {
    auto ids = db.compliance().ruleIds(policy->rules());
    if (!ids) return ids.error();
    active->rule_ids = std::move(*ids);
  }
  const std::string digest = policy ? policy->digest() : "";
  auto judged_with = db.compliance().state(kPolicyDigestKey);
  if (!judged_with) return judged_with.error();
  if (judged_with->value_or("") != digest) {
    if (auto st = db.compliance().setState(kPolicyDigestKey, digest); !st) return st;
    rejudge_after_ = 0;
    spdlog::info("compliance: judging each host's newest report under {}",
                 policy ? "policy " + policy->name() + " " + policy->version() + " (" +
                              digest.substr(0, 12) + ")"
                        : std::string("no policy"));
  }
  std::lock_guard lock(mutex_);
  active_ = std::move(active);
  return common::Ok{};
}

common::Result<std::vector<ComplianceStep::Current>*> ComplianceStep::currentOf(
    WriteSession& db, std::int64_t host_id) {
  if (auto it = current_.find(host_id); it != current_.end()) return &it->second;
  auto stored = db.compliance().currentVerdicts(host_id);
  if (!stored) return stored.error();
  std::vector<Current> current;
  current.reserve(stored->size());
  for (const auto& v : *stored) current.push_back({v.rule_id, v.status, evidenceHash(v)});
  std::sort(current.begin(), current.end(),
            [](const Current& a, const Current& b) { return a.rule_id < b.rule_id; });
  return &(current_[host_id] = std::move(current));
}

common::Status ComplianceStep::queue(WriteSession& db, WebhookEvent event,
                                     std::optional<compliance::Severity> severity) {
  if (options_.webhooks.empty()) return common::Ok{};
  const std::int64_t now_us = common::nowUtc().time_since_epoch().count();
  std::optional<std::string> body;
  for (const auto& hook : options_.webhooks) {
    if (severity && *severity < hook.min_severity) continue;
    if (!body) {
      event.id = common::newUuidV4();
      body = renderWebhookEvent(event);
    }
    if (auto st = db.compliance().enqueueEvent(hook.url, event.id, *body, now_us); !st) return st;
  }
  return common::Ok{};
}

common::Status ComplianceStep::place(WriteSession& db, const HostRef& host,
                                     const ReportPoint& point, common::Timestamp collected_at,
                                     const std::vector<VerdictEntry>& entries, bool again) {
  touched_.insert(host.id);
  auto current = currentOf(db, host.id);
  if (!current) return current.error();
  RunTable<VerdictEntry>& runs = db.compliance().runs();
  common::Status st = again ? ledger_.replaceNewest(runs, db, host.id, point, entries)
                            : ledger_.record(runs, db, host.id, point, entries);
  if (!st) return st;

  if (ledger_.newestOf(host.id) != point) return placedLate(db, host, point, entries);

  const std::shared_ptr<const ActivePolicy> active = this->active();
  const auto ruleOf = [&active](std::int64_t rule_id) -> const compliance::RuleInfo* {
    if (!active || !active->policy) return nullptr;
    for (std::size_t i = 0; i < active->rule_ids.size(); ++i) {
      if (active->rule_ids[i] == rule_id) return &active->policy->rules()[i];
    }
    return nullptr;
  };
  std::vector<Current> now;
  now.reserve(entries.size());
  bool failing = false;
  for (const auto& e : entries) {
    const std::uint64_t hash = evidenceHash(e);
    now.push_back({e.rule_id, e.status, hash});
    failing = failing || compliance::isFailing(e.status);
    const auto old =
        std::lower_bound((*current)->begin(), (*current)->end(), e.rule_id,
                         [](const Current& c, std::int64_t id) { return c.rule_id < id; });
    const bool had = old != (*current)->end() && old->rule_id == e.rule_id;
    if (had && old->status == e.status && old->evidence_hash == hash) continue;
    if (auto set = db.compliance().setEvidence(host.id, std::nullopt, e); !set) {
      return set;
    }
    if (had && old->status == e.status) continue;
    const bool from_fail = had && old->status == compliance::Status::kFail;
    if (!from_fail && e.status != compliance::Status::kFail) continue;
    const compliance::RuleInfo* rule = ruleOf(e.rule_id);
    if (rule == nullptr) continue;
    WebhookEvent event;
    event.at = collected_at;
    event.host_ip = host.ip;
    event.hostname = host.hostname;
    event.rule = rule;
    if (had) event.from = std::string(compliance::toString(old->status));
    event.to = std::string(compliance::toString(e.status));
    event.report_id = point.uuid;
    if (auto q = queue(db, std::move(event), rule->severity); !q) return q;
  }
  std::sort(now.begin(), now.end(),
            [](const Current& a, const Current& b) { return a.rule_id < b.rule_id; });
  if (auto counted = recount(db, host.id, **current, now); !counted) return counted;
  **current = std::move(now);

  if (!again && !options_.webhooks.empty()) {
    auto was_stale = db.compliance().clearStale(host.id);
    if (!was_stale) return was_stale.error();
    if (*was_stale) {
      WebhookEvent event;
      event.stale_kind = true;
      event.at = common::nowUtc();
      event.host_ip = host.ip;
      event.hostname = host.hostname;
      event.from = "stale";
      event.to = failing ? "failing" : "compliant";
      if (auto q = queue(db, std::move(event), std::nullopt); !q) return q;
    }
  }
  return common::Ok{};
}

// A late report R may have become the newest report of a closed run (it takes R's evidence),
// and a run it split now ends at the report P before it (it takes P's, judged again).
common::Status ComplianceStep::placedLate(WriteSession& db, const HostRef& host,
                                          const ReportPoint& point,
                                          const std::vector<VerdictEntry>& entries) {
  for (const auto& e : entries) {
    if (auto set = db.compliance().setEvidence(host.id, point.report_id, e); !set) return set;
  }
  auto around = db.neighbors(host.id, point);
  if (!around) return around.error();
  if (!around->before) return common::Ok{};
  const std::shared_ptr<const ActivePolicy> active = this->active();
  if (!active || !active->policy) return common::Ok{};
  auto document = db.compliance().document(around->before->report_id);
  if (!document) return document.error();
  auto before = common::parseAndValidate(*document, {.allow_server_receipt = true});
  if (!before) return common::Ok{};  // stored before a validator change: keeps what it has
  for (const auto& e : entriesOf(*active, compliance::evaluate(*active->policy, before->report))) {
    if (auto set = db.compliance().setEvidence(host.id, around->before->report_id, e); !set) {
      return set;
    }
  }
  return common::Ok{};
}

// The fleet's counters follow the change of the host's current verdicts from `before` to
// `after` (both sorted by rule id), and its failing mark.
common::Status ComplianceStep::recount(WriteSession& db, std::int64_t host_id,
                                       const std::vector<Current>& before,
                                       const std::vector<Current>& after) {
  std::size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    const bool take_before =
        j == after.size() || (i < before.size() && before[i].rule_id <= after[j].rule_id);
    const bool take_after =
        i == before.size() || (j < after.size() && after[j].rule_id <= before[i].rule_id);
    const bool same = take_before && take_after && before[i].status == after[j].status;
    if (!same) {
      if (take_before) {
        if (auto st = db.compliance().countVerdicts(before[i].rule_id, before[i].status, -1); !st)
          return st;
      }
      if (take_after) {
        if (auto st = db.compliance().countVerdicts(after[j].rule_id, after[j].status, 1); !st)
          return st;
      }
    }
    if (take_before) ++i;
    if (take_after) ++j;
  }
  const auto failingOf = [](const std::vector<Current>& v) {
    return std::any_of(v.begin(), v.end(),
                       [](const Current& c) { return compliance::isFailing(c.status); });
  };
  const bool was = failingOf(before), is = failingOf(after);
  // A host's first report: its row was just made with failing = 0.
  if (was != is) return db.compliance().setHostFailing(host_id, is);
  return common::Ok{};
}

common::Status ComplianceStep::apply(WriteSession& db, const StoredReport& report,
                                     const PreparedInput* input) {
  const std::shared_ptr<const ActivePolicy> active = this->active();
  const auto* prepared = dynamic_cast<const Prepared*>(input);
  std::vector<compliance::Verdict> verdicts;
  const std::vector<compliance::Verdict>* judged = nullptr;
  if (prepared != nullptr && prepared->policy == active) {
    judged = &prepared->verdicts;
  } else if (active && active->policy) {  // the policy changed since it was prepared
    verdicts = compliance::evaluate(*active->policy, report.validated.report);
    judged = &verdicts;
  } else {
    judged = &verdicts;
  }
  const auto& host = report.validated.report.host;
  return place(db, {report.host_id, host.ip, host.hostname}, report.point,
               report.validated.collected_at,
               active ? entriesOf(*active, *judged) : std::vector<VerdictEntry>{}, false);
}

void ComplianceStep::committed() {
  ledger_.committed();
  touched_.clear();
}

void ComplianceStep::rolledBack() {
  ledger_.rolledBack();
  for (const std::int64_t host_id : touched_) current_.erase(host_id);
  touched_.clear();
}

void ComplianceStep::forgetHost(std::int64_t host_id) {
  ledger_.forget(host_id);
  current_.erase(host_id);
}

bool ComplianceStep::busy() const {
  if (rejudge_after_) return true;
  std::lock_guard lock(mutex_);
  return pending_.has_value();
}

void ComplianceStep::between(WriteSession& db) {
  std::optional<std::shared_ptr<const compliance::Policy>> policy;
  {
    std::lock_guard lock(mutex_);
    policy.swap(pending_);
  }
  const bool stale_due =
      !options_.webhooks.empty() && std::chrono::steady_clock::now() >= next_stale_check_;
  if (!policy && !rejudge_after_ && !stale_due) return;
  common::Status st = db.begin();
  if (st && policy) st = install(db, *policy);  // a copy: set again below if this fails
  if (st && rejudge_after_) st = rejudgeStep(db);
  if (st && stale_due) st = staleStep(db);
  if (st) st = db.commit();
  if (st) {
    committed();
    return;
  }
  db.rollback();
  rolledBack();
  spdlog::warn("compliance: {} (tried again shortly)", st.error().message);
  if (policy) setPolicy(std::move(*policy));  // install it again next time
}

common::Status ComplianceStep::rejudgeStep(WriteSession& db) {
  const std::shared_ptr<const ActivePolicy> active = this->active();
  auto newest = db.compliance().newestReports(*rejudge_after_, kRejudgeHostsPerStep);
  if (!newest) return newest.error();
  for (const auto& n : *newest) {
    auto report = common::parseAndValidate(n.document, {.allow_server_receipt = true});
    std::vector<compliance::Verdict> verdicts;
    if (!report) {
      // Stored documents were valid when stored: a rule change in the validator since then.
      spdlog::warn("compliance: report {} of {} could not be judged again: {}", n.point.uuid,
                   n.host.ip, report.error().message);
      continue;
    }
    if (active && active->policy) verdicts = compliance::evaluate(*active->policy, report->report);
    if (auto st = place(db, {n.host.id, n.host.ip, n.host.hostname}, n.point, report->collected_at,
                        active ? entriesOf(*active, verdicts) : std::vector<VerdictEntry>{}, true);
        !st) {
      return st;
    }
  }
  if (newest->size() < static_cast<std::size_t>(kRejudgeHostsPerStep)) {
    rejudge_after_.reset();
    spdlog::info("compliance: every host's newest report is judged under the policy in force");
  } else {
    rejudge_after_ = newest->back().host.id;
  }
  return common::Ok{};
}

common::Status ComplianceStep::staleStep(WriteSession& db) {
  const auto cutoff = common::nowUtc() - options_.stale_after;
  auto stale = db.compliance().markStale(cutoff.time_since_epoch().count(), kStaleHostsPerStep);
  if (!stale) return stale.error();
  for (const auto& host : *stale) {
    auto current = currentOf(db, host.id);
    if (!current) return current.error();
    const bool failing = std::any_of((*current)->begin(), (*current)->end(), [](const Current& c) {
      return compliance::isFailing(c.status);
    });
    WebhookEvent event;
    event.stale_kind = true;
    event.at = common::nowUtc();
    event.host_ip = host.ip;
    event.hostname = host.hostname;
    event.from = failing ? "failing" : "compliant";
    event.to = "stale";
    if (auto q = queue(db, std::move(event), std::nullopt); !q) return q;
  }
  if (stale->size() < static_cast<std::size_t>(kStaleHostsPerStep)) {
    next_stale_check_ = std::chrono::steady_clock::now() + staleCheckEvery(options_.stale_after);
  }
  return common::Ok{};
}

}  // namespace vigia::server
