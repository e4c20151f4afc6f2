#include "server/api/compliance.hpp"

#include <unordered_map>

#include "common/identifiers.hpp"
#include "server/api/csv_answer.hpp"
#include "server/api/list_answer.hpp"
#include "server/api/query_params.hpp"
#include "server/storage/compliance/compliance_step.hpp"

namespace vigia::server {
namespace {

constexpr int kMaxTrendDays = 366;

using compliance::Status;

// A JSON text the storage wrote (evidence, a waiver) as a value of the answer.
Json storedJson(const std::string& text) {
  Json parsed = Json::parse(text, nullptr, false);
  return parsed.is_discarded() ? Json(nullptr) : parsed;
}

std::shared_ptr<const compliance::Policy> policyOf(ReportStore& store) {
  auto active = store.activePolicy();
  return active ? active->policy : nullptr;
}

// The rules of the policy in force, by id: what the answers show (a verdict on a rule that
// is no longer in the policy is one a re-judging has not reached yet).
std::unordered_map<std::string, std::size_t> ruleIndexOf(const compliance::Policy* policy) {
  std::unordered_map<std::string, std::size_t> index;
  if (policy == nullptr) return index;
  for (std::size_t i = 0; i < policy->rules().size(); ++i) index[policy->rules()[i].id] = i;
  return index;
}

std::int64_t staleCutoffUs(ReportStore& store) {
  return (common::nowUtc() - store.staleAfter()).time_since_epoch().count();
}

Json policyHeader(const compliance::Policy* p) {
  if (p == nullptr) return {{"name", nullptr}, {"version", nullptr}, {"digest", nullptr}};
  return {{"name", p->name()}, {"version", p->version()}, {"digest", p->digest()}};
}

Json ruleCountsJson(const compliance::RuleInfo& rule, const StatusCounts& c) {
  return {{"id", rule.id},
          {"title", rule.title},
          {"severity", compliance::toString(rule.severity)},
          {"pass", c.pass},
          {"fail", c.fail},
          {"waived", c.waived},
          {"not_applicable", c.not_applicable},
          {"error", c.error}};
}

Json hostItemJson(const HostComplianceItem& h,
                  const std::unordered_map<std::string, std::size_t>& rules,
                  const compliance::Policy* policy) {
  Json failing = Json::array();
  std::optional<compliance::Severity> worst;
  for (const auto& f : h.failing) {
    if (policy != nullptr && !rules.count(f.rule)) continue;
    failing.push_back(f.rule);
    if (!worst || f.severity > *worst) worst = f.severity;
  }
  return {{"ip", h.ip},
          {"hostname", h.hostname},
          {"last_report_at", h.last_report_at},
          {"status", h.status},
          {"failing", std::move(failing)},
          {"worst_severity", worst ? Json(compliance::toString(*worst)) : Json(nullptr)}};
}

// The hosts list's ?sort=: none is the order hosts first reported in.
std::optional<HostComplianceQuery::Order> orderOf(const std::optional<std::string>& sort) {
  using Order = HostComplianceQuery::Order;
  if (!sort) return Order::kFirstSeen;
  if (*sort == "hostname") return Order::kHostname;
  if (*sort == "last_report_at") return Order::kLastReportOldest;
  if (*sort == "-last_report_at") return Order::kLastReportNewest;
  return std::nullopt;
}

Json verdictJson(const VerdictItem& v) {
  return {{"rule", v.rule},
          {"title", v.title},
          {"severity", compliance::toString(v.severity)},
          {"status", compliance::toString(v.status)},
          {"since", v.since},
          {"evidence", storedJson(v.evidence)},
          {"waiver", v.waiver ? storedJson(*v.waiver) : Json(nullptr)},
          {"report_id", v.report_id}};
}

Json verdictRunJson(const VerdictRunItem& v) {
  return {{"rule", v.rule},
          {"status", compliance::toString(v.status)},
          {"first_seen_at", v.first_seen_at},
          {"last_seen_at", v.last_seen_at},
          {"evidence", storedJson(v.evidence)}};
}

Json trendJson(const TrendDay& d) {
  return {{"date", d.date}, {"compliant", d.compliant}, {"failing", d.failing}, {"stale", d.stale}};
}

// A whole list as CSV in one page (the lists that are not paged on the database).
ApiResponse csvOfAll(const ApiContext& api, const Json& sample, Json items,
                     const std::string& filename) {
  auto rows = std::make_shared<Json>(std::move(items));
  return csvAnswer(
      keysOf(sample), api.options.csv_formula_guard,
      [rows]() -> common::Result<CsvPage> {
        return CsvPage{std::vector<Json>(rows->begin(), rows->end()), false};
      },
      filename);
}

}  // namespace

ApiResponse getPolicy(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {});
  if (!params) return badQuery(params.error());
  const auto active = api.store.activePolicy();
  const compliance::Policy* p = active ? active->policy.get() : nullptr;
  Json body = policyHeader(p);
  body["loaded_at"] = p ? Json(common::formatRfc3339Utc(active->loaded_at)) : Json(nullptr);
  Json rules = Json::array();
  if (p != nullptr) {
    for (const auto& r : p->rules()) {
      rules.push_back({{"id", r.id},
                       {"title", r.title},
                       {"severity", compliance::toString(r.severity)},
                       {"kind", r.kind},
                       {"rationale", r.rationale},
                       {"remediation", r.remediation},
                       {"references", r.references}});
    }
  }
  body["rules"] = std::move(rules);
  return jsonResponse(200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

ApiResponse complianceOverview(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"format"});
  if (!params) return badQuery(params.error());
  const auto policy = policyOf(api.store);
  auto summary = api.store.queries().complianceSummary(staleCutoffUs(api.store));
  if (!summary) return unavailable(summary.error());
  Json rules = Json::array();
  if (policy) {
    for (const auto& rule : policy->rules()) {
      const auto it = summary->rules.find(rule.id);
      rules.push_back(
          ruleCountsJson(rule, it == summary->rules.end() ? StatusCounts{} : it->second));
    }
  }
  if (params->csv()) {
    return csvOfAll(api, ruleCountsJson({}, {}), std::move(rules), "compliance_rules.csv");
  }
  Json body = {{"hosts",
                {{"total", summary->total},
                 {"compliant", summary->compliant},
                 {"failing", summary->failing},
                 {"stale", summary->stale}}},
               {"rules", std::move(rules)},
               {"policy", policyHeader(policy.get())}};
  return jsonResponse(200, body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

ApiResponse complianceHosts(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"status", "rule", "severity", "host", "q", "os",
                                                  "sort", "limit", "cursor", "format"});
  if (!params) return badQuery(params.error());
  HostComplianceQuery q;
  q.stale_cutoff_us = staleCutoffUs(api.store);
  q.status = params->text("status");
  if (q.status && *q.status != "compliant" && *q.status != "failing" && *q.status != "stale") {
    return errorResponse(400, "invalid_query", "status: expected compliant, failing or stale");
  }
  q.rule = params->text("rule");
  if (auto severity = params->text("severity")) {
    q.severity = compliance::parseSeverity(*severity);
    if (!q.severity) {
      return errorResponse(400, "invalid_query",
                           "severity: expected info, low, medium, high or critical");
    }
  }
  auto host = params->ip("host");
  if (!host) return badQuery(host.error());
  q.host = *host;
  q.search = params->text("q");
  q.os = params->text("os");
  if (auto order = orderOf(params->text("sort"))) {
    q.order = *order;
  } else {
    return errorResponse(400, "invalid_query",
                         "sort: expected hostname, last_report_at or -last_report_at");
  }
  auto limit = params->integer("limit", 1, kMaxLimit);
  if (!limit) return badQuery(limit.error());
  q.limit = static_cast<int>(limit->value_or(100));
  auto cursor = cursorOf(*params);
  if (!cursor) return badQuery(cursor.error());
  if (*cursor) q.after_host_id = (*cursor)->id;
  const auto policy = policyOf(api.store);
  const auto rules = ruleIndexOf(policy.get());
  ReadQueries& queries = api.store.queries();
  if (!params->csv()) {
    auto page = queries.complianceHosts(q);
    if (!page) return unavailable(page.error());
    Json items = Json::array();
    for (const auto& h : *page) items.push_back(hostItemJson(h, rules, policy.get()));
    std::optional<std::string> next;
    if (page->size() == static_cast<std::size_t>(q.limit)) {
      next = cursorText({page->back().host_id, page->back().host_id});
    }
    return jsonItems(std::move(items), next, true);
  }
  q.limit = kMaxLimit;
  auto state = std::make_shared<HostComplianceQuery>(std::move(q));
  return csvAnswer(
      keysOf(hostItemJson({}, rules, policy.get())), api.options.csv_formula_guard,
      [state, &queries, rules, policy]() -> common::Result<CsvPage> {
        auto page = queries.complianceHosts(*state);
        if (!page) return page.error();
        CsvPage out;
        for (const auto& h : *page) out.items.push_back(hostItemJson(h, rules, policy.get()));
        out.more = page->size() == static_cast<std::size_t>(state->limit);
        if (!page->empty()) state->after_host_id = page->back().host_id;
        return out;
      },
      "compliance_hosts.csv");
}

ApiResponse hostCompliance(const ApiContext& api, const Call& call) {
  auto ip = common::canonicalIp(call.params["ip"]);
  if (!ip) return errorResponse(404, "not_found", "unknown server: not an IP address");
  auto params = QueryParams::parse(call.query(), {"format"});
  if (!params) return badQuery(params.error());
  auto verdicts = api.store.queries().hostCompliance(*ip);
  if (!verdicts) return unavailable(verdicts.error());
  if (!*verdicts) return errorResponse(404, "not_found", "unknown server " + *ip);
  const auto policy = policyOf(api.store);
  const auto rules = ruleIndexOf(policy.get());
  // In the policy's order.
  std::vector<const VerdictItem*> ordered(rules.size(), nullptr);
  for (const auto& v : **verdicts) {
    if (auto it = rules.find(v.rule); it != rules.end()) ordered[it->second] = &v;
  }
  Json items = Json::array();
  for (const VerdictItem* v : ordered) {
    if (v != nullptr) items.push_back(verdictJson(*v));
  }
  if (params->csv())
    return csvOfAll(api, verdictJson({}), std::move(items), *ip + "_compliance.csv");
  return jsonItems(std::move(items), std::nullopt, false);
}

ApiResponse hostComplianceHistory(const ApiContext& api, const Call& call) {
  auto ip = common::canonicalIp(call.params["ip"]);
  if (!ip) return errorResponse(404, "not_found", "unknown server: not an IP address");
  auto params =
      QueryParams::parse(call.query(), {"rule", "since", "until", "limit", "cursor", "format"});
  if (!params) return badQuery(params.error());
  VerdictRunQuery q;
  q.rule = params->text("rule");
  for (auto [key, field] :
       {std::pair{"since", &VerdictRunQuery::since}, std::pair{"until", &VerdictRunQuery::until}}) {
    auto t = params->time(key);
    if (!t) return badQuery(t.error());
    q.*field = *t;
  }
  auto limit = params->integer("limit", 1, kMaxLimit);
  if (!limit) return badQuery(limit.error());
  q.limit = static_cast<int>(limit->value_or(100));
  auto cursor = cursorOf(*params);
  if (!cursor) return badQuery(cursor.error());
  if (*cursor) {
    q.after_key = (*cursor)->key;
    q.after_id = (*cursor)->id;
  }
  ReadQueries& queries = api.store.queries();
  const bool csv = params->csv();
  if (csv) q.limit = kMaxLimit;
  auto first = queries.hostComplianceHistory(*ip, q);
  if (!first) return unavailable(first.error());
  if (!*first) return errorResponse(404, "not_found", "unknown server " + *ip);
  const auto nextOf = [&q](const std::vector<VerdictRunItem>& page) {
    return page.size() == static_cast<std::size_t>(q.limit)
               ? std::optional<ListCursor>(
                     ListCursor{page.back().first_seen_us, page.back().run_id})
               : std::nullopt;
  };
  if (!csv) {
    Json items = Json::array();
    for (const auto& v : **first) items.push_back(verdictRunJson(v));
    const auto next = nextOf(**first);
    return jsonItems(std::move(items),
                     next ? std::optional<std::string>(cursorText(*next)) : std::nullopt, true);
  }
  struct State {
    VerdictRunQuery query;
    std::optional<std::vector<VerdictRunItem>> first;
  };
  auto state = std::make_shared<State>(State{q, std::move(**first)});
  return csvAnswer(
      keysOf(verdictRunJson({})), api.options.csv_formula_guard,
      [state, &queries, ip = *ip]() -> common::Result<CsvPage> {
        std::vector<VerdictRunItem> page;
        if (state->first) {
          page = std::move(*state->first);
          state->first.reset();
        } else {
          auto more = queries.hostComplianceHistory(ip, state->query);
          if (!more) return more.error();
          if (!*more) return CsvPage{};  // the server went (retention) meanwhile
          page = std::move(**more);
        }
        CsvPage out;
        for (const auto& v : page) out.items.push_back(verdictRunJson(v));
        out.more = page.size() == static_cast<std::size_t>(state->query.limit);
        if (!page.empty()) {
          state->query.after_key = page.back().first_seen_us;
          state->query.after_id = page.back().run_id;
        }
        return out;
      },
      *ip + "_compliance_history.csv");
}

ApiResponse complianceTrend(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"days", "format"});
  if (!params) return badQuery(params.error());
  auto days = params->integer("days", 1, kMaxTrendDays);
  if (!days) return badQuery(days.error());
  const auto now = common::nowUtc();
  const auto today = std::chrono::floor<std::chrono::days>(now);
  const auto first = today - std::chrono::days(days->value_or(30) - 1);
  auto trend = api.store.queries().complianceTrend(
      common::Timestamp(
          std::chrono::duration_cast<std::chrono::microseconds>(first.time_since_epoch())),
      now, api.store.staleAfter());
  if (!trend) return unavailable(trend.error());
  Json items = Json::array();
  for (const auto& d : *trend) items.push_back(trendJson(d));
  if (params->csv()) return csvOfAll(api, trendJson({}), std::move(items), "compliance_trend.csv");
  return jsonItems(std::move(items), std::nullopt, false);
}

std::string complianceMetrics(ReportStore& store) {
  auto summary = store.queries().complianceSummary(staleCutoffUs(store));
  if (!summary) return "";
  std::string out;
  out += "# HELP vigia_compliance_hosts Hosts by compliance status (stale wins).\n";
  out += "# TYPE vigia_compliance_hosts gauge\n";
  for (const auto& [status, n] :
       {std::pair{"compliant", summary->compliant}, std::pair{"failing", summary->failing},
        std::pair{"stale", summary->stale}}) {
    out += std::string("vigia_compliance_hosts{status=\"") + status + "\"} " + std::to_string(n) +
           "\n";
  }
  out +=
      "# HELP vigia_compliance_rule_hosts Hosts that are not stale, by rule and by the status "
      "of their newest report on it.\n";
  out += "# TYPE vigia_compliance_rule_hosts gauge\n";
  const auto policy = policyOf(store);
  if (!policy) return out;
  for (const auto& rule : policy->rules()) {
    const auto it = summary->rules.find(rule.id);
    const StatusCounts c = it == summary->rules.end() ? StatusCounts{} : it->second;
    const std::string labels = "{rule=\"" + rule.id + "\",severity=\"" +
                               std::string(compliance::toString(rule.severity)) + "\",status=\"";
    for (const auto& [status, n] :
         {std::pair{"pass", c.pass}, std::pair{"fail", c.fail}, std::pair{"waived", c.waived},
          std::pair{"not_applicable", c.not_applicable}, std::pair{"error", c.error}}) {
      out += "vigia_compliance_rule_hosts" + labels + status + "\"} " + std::to_string(n) + "\n";
    }
  }
  return out;
}

}  // namespace vigia::server
