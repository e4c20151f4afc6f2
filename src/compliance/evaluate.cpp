#include "compliance/evaluate.hpp"

#include <variant>

#include "common/time_util.hpp"
#include "compliance/compiled_policy.hpp"
#include "compliance/evidence.hpp"
#include "compliance/report_index.hpp"
#include "compliance/version_order.hpp"

namespace vigia::compliance {
namespace {

struct Outcome {
  Status status = Status::kPass;
  std::string evidence = "[]";
};

Outcome withEvidence(Status status, const Evidence& evidence) {
  return Outcome{status, evidence.render()};
}

bool applies(const AppliesTo& a, const ReportIndex& index) {
  const common::Report& r = index.report();
  if (a.os_id && (!r.os.id || !a.os_id->contains(*r.os.id))) return false;
  if (a.hostname && !a.hostname->matchesName(r.host.hostname)) return false;
  if (a.ip && (!index.hostIp() || !a.ip->matchesAddress(*index.hostIp()))) return false;
  return true;
}

bool hasText(const std::optional<std::string>& value) { return value && !value->empty(); }

class Judge {
 public:
  explicit Judge(const ReportIndex& index) : index_(index), r_(index.report()) {}

  Outcome operator()(const ProcessCheck& c) {
    // A matcher with `name` need only look at the processes of those names.
    const bool by_name = c.matcher.name.has_value();
    if (by_name) index_.processesNamed(*c.matcher.name, candidates_);
    const std::size_t n = by_name ? candidates_.size() : r_.processes.size();
    auto process = [&](std::size_t k) { return by_name ? candidates_[k] : k; };
    if (c.require) {
      for (std::size_t k = 0; k < n; ++k) {
        if (c.matcher.matches(process(k), index_)) return {};
      }
      return Outcome{Status::kFail, "[]"};
    }
    Evidence evidence;
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = process(k);
      if (c.matcher.matches(i, index_) && !evidence.addProcess(r_.processes[i])) break;
    }
    return evidence.empty() ? Outcome{} : withEvidence(Status::kFail, evidence);
  }

  Outcome operator()(const SessionCheck& c) const {
    if (c.require) {
      for (const auto& s : r_.sessions) {
        if (c.matcher.matches(s)) return {};
      }
      return Outcome{Status::kFail, "[]"};
    }
    Evidence evidence;
    for (const auto& s : r_.sessions) {
      if (c.matcher.matches(s) && !evidence.addSession(s)) break;
    }
    return evidence.empty() ? Outcome{} : withEvidence(Status::kFail, evidence);
  }

  Outcome operator()(const MaxSessionsCheck& c) const {
    if (static_cast<std::int64_t>(r_.sessions.size()) <= c.max) return {};
    Evidence evidence;
    for (const auto& s : r_.sessions) {
      if (!evidence.addSession(s)) break;
    }
    return withEvidence(Status::kFail, evidence);
  }

  // Pass when one alternative names this OS (by id and/or name) and admits its version_id.
  Outcome operator()(const OsCheck& c) const {
    const auto& os = r_.os;
    bool named = false, uses_id = false, uses_name = false, version_missing = false;
    for (const auto& alt : c.alternatives) {
      uses_id = uses_id || alt.id.has_value();
      uses_name = uses_name || alt.name.has_value();
      if (alt.id && (!os.id || *alt.id != *os.id)) continue;
      if (alt.name && *alt.name != os.name) continue;
      named = true;
      if (!alt.min_version && !alt.max_version) return {};
      if (!hasText(os.version_id)) {
        version_missing = true;
        continue;
      }
      if ((!alt.min_version || versionAtLeast(*os.version_id, *alt.min_version)) &&
          (!alt.max_version || versionAtMost(*os.version_id, *alt.max_version))) {
        return {};
      }
    }
    Evidence evidence;
    if (!named) {
      if (uses_id) evidence.addField("os.id", os.id);
      if (uses_name) evidence.addField("os.name", os.name);
      // Without os.id there is no telling whether an alternative by id would have named it.
      const bool undecided = uses_id && !hasText(os.id);
      return withEvidence(undecided ? Status::kError : Status::kFail, evidence);
    }
    evidence.addField("os.version_id", os.version_id);
    return withEvidence(version_missing ? Status::kError : Status::kFail, evidence);
  }

  Outcome operator()(const KernelCheck& c) const {
    const auto& kernel = r_.os.kernel;
    Evidence evidence;
    evidence.addField("os.kernel", kernel);
    if (!hasText(kernel)) return withEvidence(Status::kError, evidence);
    if ((!c.min || versionAtLeast(*kernel, *c.min)) && (!c.max || versionAtMost(*kernel, *c.max))) {
      return {};
    }
    return withEvidence(Status::kFail, evidence);
  }

  Outcome operator()(const CpuCheck& c) const {
    const auto& arch = r_.os.arch;
    if (hasText(arch)) {
      for (const auto& a : c.arch) {
        if (a == *arch) return {};
      }
    }
    Evidence evidence;
    evidence.addField("os.arch", arch);
    return withEvidence(hasText(arch) ? Status::kFail : Status::kError, evidence);
  }

 private:
  const ReportIndex& index_;
  const common::Report& r_;
  std::vector<std::size_t> candidates_;  // reused by every process rule of the report
};

bool waiverNames(const CompiledWaiver& w, const ReportIndex& index) {
  if (w.hosts && (!index.hostIp() || !w.hosts->matchesAddress(*index.hostIp()))) return false;
  if (w.hostname && !w.hostname->matchesName(index.report().host.hostname)) return false;
  return true;
}

}  // namespace

std::vector<Verdict> evaluate(const Policy& policy, const common::Report& report) {
  const Policy::Compiled& compiled = policy.compiled();
  const ReportIndex index(
      report, {.names = compiled.uses_process_name, .parents = compiled.uses_parent_name});
  Judge judge(index);
  // Parsed only if a failing rule has a waiver. A collected_at that does not parse (only a
  // report that was never validated can have one) leaves every waiver expired: a waiver is
  // honoured only when it is known to be in force.
  bool collected_at_read = false;
  std::optional<common::Timestamp> collected_at;

  std::vector<Verdict> verdicts;
  verdicts.reserve(compiled.rules.size());
  for (std::size_t i = 0; i < compiled.rules.size(); ++i) {
    const CompiledRule& rule = compiled.rules[i];
    Verdict v;
    v.rule = i;
    if (rule.applies_to && !applies(*rule.applies_to, index)) {
      v.status = Status::kNotApplicable;
      v.evidence = "[]";
      verdicts.push_back(std::move(v));
      continue;
    }
    Outcome outcome = std::visit(judge, rule.check);
    v.status = outcome.status;
    v.evidence = std::move(outcome.evidence);
    if (v.status == Status::kFail && !rule.waivers.empty()) {
      if (!collected_at_read) {
        collected_at_read = true;
        if (auto parsed = common::parseRfc3339(report.collected_at)) collected_at = *parsed;
      }
      const CompiledWaiver* in_force = nullptr;
      const CompiledWaiver* ran_out = nullptr;  // the one that ran out last
      for (const std::size_t w : rule.waivers) {
        const CompiledWaiver& waiver = compiled.waivers[w];
        if (!waiverNames(waiver, index)) continue;
        if (collected_at && *collected_at < waiver.ends) {
          in_force = &waiver;
          break;
        }
        if (!ran_out || waiver.ends > ran_out->ends) ran_out = &waiver;
      }
      if (in_force) {
        v.status = Status::kWaived;
        v.waiver = in_force->info;
      } else if (ran_out) {
        v.waiver = ran_out->info;
      }
    }
    verdicts.push_back(std::move(v));
  }
  return verdicts;
}

}  // namespace vigia::compliance
