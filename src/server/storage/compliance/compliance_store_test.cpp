// Compliance in the store (docs/compliance.md, "Statuses"): every report judged in the transaction
// that stores it, the verdict runs the same whatever the arrival order (late reports included),
// each run carrying the evidence of its newest report, the current verdicts and fleet counts
// the read side gives, a new policy applied to each host's newest report, and the webhook
// events queued for changes to and from `fail`.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "common/identifiers.hpp"
#include "compliance/evaluate.hpp"
#include "server/storage/compliance/compliance_step.hpp"
#include "server/storage/report_store.hpp"
#include "server/storage/sqlite/sqlite_database.hpp"
#include "storage_backends.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

using Json = nlohmann::json;
using Row = std::vector<std::string>;

constexpr const char* kPolicy = R"toml(
[policy]
name = "test"
version = "1"

[[rules]]
id = "no-miner"
title = "No miner"
severity = "critical"
forbid_process = { name = "xmrig" }

[[rules]]
id = "sshd-running"
title = "sshd runs"
severity = "high"
require_process = { name = "sshd" }
)toml";

std::shared_ptr<const compliance::Policy> policyOf(const std::string& text) {
  const compliance::PolicySource source{"test.toml", text};
  auto parsed = compliance::Policy::parse(std::span(&source, 1));
  if (auto* error = std::get_if<compliance::PolicyError>(&parsed)) {
    ADD_FAILURE() << error->message();
    return nullptr;
  }
  return std::get<std::shared_ptr<const compliance::Policy>>(parsed);
}

std::string withProcesses(const std::string& body, const Json& processes) {
  Json report = Json::parse(body);
  report["processes"] = processes;
  return report.dump();
}

std::string iso(std::int64_t us) {
  return common::formatRfc3339Utc(common::Timestamp{std::chrono::microseconds{us}});
}

struct Generated {
  std::string uuid;
  std::int64_t collected_us = 0;
  std::string body;
};

// One host's reports a minute apart from `start_us`: sshd there or not, a miner there or not
// (under a pid that changes, so that the evidence differs from report to report).
std::vector<Generated> history(const std::string& ip, int n, std::int64_t start_us,
                               std::mt19937& rng) {
  std::vector<Generated> out;
  for (int i = 0; i < n; ++i) {
    const std::int64_t at = start_us + i * 60'000'000LL;
    Json processes = Json::array({{{"pid", 1}, {"name", "systemd"}, {"user", "root"}}});
    if (rng() % 4 != 0) processes.push_back({{"pid", 400}, {"name", "sshd"}, {"user", "root"}});
    if (rng() % 3 == 0) {
      processes.push_back({{"pid", 1000 + static_cast<int>(rng() % 50)},
                           {"name", "xmrig"},
                           {"user", "www-data"},
                           {"command", "/tmp/xmrig -o stratum+tcp://pool"}});
    }
    Generated g;
    g.uuid = common::newUuidV4();
    g.collected_us = at;
    g.body = Json{{"schema_version", 1},
                  {"report_id", g.uuid},
                  {"collected_at", iso(at)},
                  {"agent", {{"version", "test"}}},
                  {"host", {{"hostname", "h-" + ip}, {"ip", ip}}},
                  {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}, {"id", "debian"}}},
                  {"cpu", {{"model", "x"}}},
                  {"processes", processes},
                  {"sessions", Json::array()}}
                 .dump();
    out.push_back(std::move(g));
  }
  return out;
}

class ComplianceStoreTest : public ::testing::TestWithParam<test::StorageBackend> {
 protected:
  void open(std::shared_ptr<const compliance::Policy> policy,
            std::vector<WebhookConfig> webhooks = {}) {
    StoreOptions options;
    options.data_dir = data_;
    options.database_url = GetParam().url(data_);
    options.fsync = false;  // what is tested is the verdicts, not durability
    options.compliance.policy = std::move(policy);
    options.compliance.webhooks = std::move(webhooks);
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }

  void post(const std::vector<const Generated*>& order) {
    std::vector<std::future<StoreResult>> answers;
    for (const Generated* g : order) {
      auto validated = common::parseAndValidate(g->body);
      ASSERT_TRUE(validated.ok()) << validated.error().message;
      auto done = std::make_shared<std::promise<StoreResult>>();
      answers.push_back(done->get_future());
      store_->submit({std::move(*validated), g->body, common::nowUtc(), "127.0.0.1"},
                     [done](StoreResult r) { done->set_value(std::move(r)); });
    }
    for (auto& a : answers) EXPECT_EQ(a.get().outcome, StoreOutcome::kStored);
  }

  // Rule, status, first and last report (NULL: open) and evidence of every run.
  std::vector<Row> runs() {
    auto rows = GetParam().rows(
        data_,
        "SELECT c.rule, r.status, f.uuid, COALESCE(l.uuid, 'NULL'), r.evidence, "
        "COALESCE(r.waiver, 'NULL') FROM compliance_runs r JOIN compliance_rules c ON "
        "c.id = r.rule_id JOIN reports f ON f.id = r.first_report_id LEFT JOIN reports l ON "
        "l.id = r.last_report_id");
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // The fleet's counters the writer keeps agree with the current verdicts they count.
  void expectCountersMatchTheRuns() {
    EXPECT_EQ(GetParam().rows(data_,
                              "SELECT rule_id, status, hosts FROM compliance_counts WHERE "
                              "hosts > 0 ORDER BY 1, 2"),
              GetParam().rows(data_,
                              "SELECT rule_id, status, count(*) FROM compliance_runs WHERE "
                              "last_report_id IS NULL GROUP BY 1, 2 ORDER BY 1, 2"));
    EXPECT_EQ(GetParam().rows(data_, "SELECT id FROM hosts WHERE failing ORDER BY id"),
              GetParam().rows(data_,
                              "SELECT DISTINCT host_id FROM compliance_runs WHERE last_report_id "
                              "IS NULL AND status IN ('fail', 'error') ORDER BY 1"));
  }

  std::unique_ptr<test::TempTree> tree_ = std::make_unique<test::TempTree>();
  std::filesystem::path data_ = tree_->root() / "data";
  std::unique_ptr<ReportStore> store_;
};

// The naive model: the reports in time order, each judged on its own; per rule, the maximal
// stretches of one status, with the evidence of each stretch's newest report.
std::vector<Row> expectedRuns(const compliance::Policy& policy, std::vector<Generated> all) {
  std::sort(all.begin(), all.end(),
            [](const Generated& a, const Generated& b) { return a.collected_us < b.collected_us; });
  std::vector<Row> runs;
  for (std::size_t rule = 0; rule < policy.rules().size(); ++rule) {
    std::optional<Row> open;
    for (std::size_t i = 0; i < all.size(); ++i) {
      auto v = common::parseAndValidate(all[i].body);
      const compliance::Verdict verdict = compliance::evaluate(policy, v->report)[rule];
      const std::string status(compliance::toString(verdict.status));
      if (open && (*open)[1] != status) {
        (*open)[3] = all[i - 1].uuid;
        runs.push_back(*open);
        open.reset();
      }
      if (!open) open = Row{policy.rules()[rule].id, status, all[i].uuid, "NULL", "", "NULL"};
      (*open)[4] = verdict.evidence;
    }
    if (open) runs.push_back(*open);
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

TEST_P(ComplianceStoreTest, VerdictRunsAreTheSameInEveryArrivalOrder) {
  auto policy = policyOf(kPolicy);
  ASSERT_TRUE(policy);
  std::mt19937 rng(7);
  const auto reports = history("10.0.0.1", 40, 1'764'000'000'000'000LL, rng);
  const auto expected = expectedRuns(*policy, reports);
  ASSERT_GT(expected.size(), 6u) << "the history should change verdicts often";
  std::vector<const Generated*> order;
  for (const auto& g : reports) order.push_back(&g);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    if (round == 1) std::reverse(order.begin(), order.end());
    if (round == 2) std::shuffle(order.begin(), order.end(), rng);
    tree_ = std::make_unique<test::TempTree>();
    data_ = tree_->root() / "data";
    open(policy);
    ASSERT_TRUE(store_);
    // One by one, so that each late report meets the runs the earlier ones left.
    for (const Generated* g : order) post({g});
    store_->stop();
    EXPECT_EQ(runs(), expected);
    expectCountersMatchTheRuns();
    store_.reset();
  }
}

TEST_P(ComplianceStoreTest, CurrentVerdictsCountsAndHistoryComeFromTheRuns) {
  open(policyOf(kPolicy));
  ASSERT_TRUE(store_);
  const std::int64_t now_us = common::nowUtc().time_since_epoch().count();
  std::mt19937 rng(1);
  // A failing host (the miner, then no sshd), a compliant one, a stale one.
  auto failing = history("10.0.0.1", 1, now_us - 60'000'000, rng);
  failing[0].body = withProcesses(
      failing[0].body, Json::array({{{"pid", 9}, {"name", "xmrig"}, {"user", "nobody"}}}));
  auto compliant = history("10.0.0.2", 1, now_us - 60'000'000, rng);
  compliant[0].body = withProcesses(
      compliant[0].body, Json::array({{{"pid", 400}, {"name", "sshd"}, {"user", "root"}}}));
  auto stale = history("10.0.0.3", 1, now_us - 3'600'000'000LL, rng);
  post({&failing[0], &compliant[0], &stale[0]});

  const std::int64_t cutoff = now_us - 900'000'000LL;
  auto summary = store_->queries().complianceSummary(cutoff);
  ASSERT_TRUE(summary.ok()) << summary.error().message;
  EXPECT_EQ(summary->total, 3);
  EXPECT_EQ(summary->failing, 1);
  EXPECT_EQ(summary->compliant, 1);
  EXPECT_EQ(summary->stale, 1);
  EXPECT_EQ(summary->rules["no-miner"].fail, 1);  // the stale host is not counted
  EXPECT_EQ(summary->rules["no-miner"].pass, 1);
  EXPECT_EQ(summary->rules["sshd-running"].fail, 1);
  EXPECT_EQ(summary->rules["sshd-running"].pass, 1);

  HostComplianceQuery q;
  q.stale_cutoff_us = cutoff;
  q.status = "failing";
  auto hosts = store_->queries().complianceHosts(q);
  ASSERT_TRUE(hosts.ok()) << hosts.error().message;
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].ip, "10.0.0.1");
  ASSERT_EQ((*hosts)[0].failing.size(), 2u);
  EXPECT_EQ((*hosts)[0].failing[0].rule, "no-miner");
  EXPECT_EQ((*hosts)[0].failing[0].severity, compliance::Severity::kCritical);
  q.status.reset();
  q.severity = compliance::Severity::kCritical;
  hosts = store_->queries().complianceHosts(q);
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(hosts->size(), 1u);
  q.severity.reset();
  q.rule = "sshd-running";
  hosts = store_->queries().complianceHosts(q);
  ASSERT_TRUE(hosts.ok());
  EXPECT_EQ(hosts->size(), 1u) << "the stale host fails sshd-running too, but is stale first";

  auto verdicts = store_->queries().hostCompliance("10.0.0.1");
  ASSERT_TRUE(verdicts.ok() && *verdicts);
  ASSERT_EQ((*verdicts)->size(), 2u);
  const VerdictItem& miner = (**verdicts)[0];
  EXPECT_EQ(miner.rule, "no-miner");
  EXPECT_EQ(miner.status, compliance::Status::kFail);
  EXPECT_EQ(Json::parse(miner.evidence)[0]["pid"], 9);
  EXPECT_EQ(miner.report_id, failing[0].uuid);
  auto none = store_->queries().hostCompliance("10.9.9.9");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);

  auto runs = store_->queries().hostComplianceHistory("10.0.0.1", [] {
    VerdictRunQuery history;
    history.rule = "no-miner";
    return history;
  }());
  ASSERT_TRUE(runs.ok() && *runs);
  ASSERT_EQ((*runs)->size(), 1u);
  EXPECT_EQ((**runs)[0].status, compliance::Status::kFail);

  const auto today = std::chrono::floor<std::chrono::days>(common::nowUtc());
  auto trend = store_->queries().complianceTrend(
      common::Timestamp(std::chrono::duration_cast<std::chrono::microseconds>(
          (today - std::chrono::days(1)).time_since_epoch())),
      common::nowUtc(), std::chrono::seconds(900));
  ASSERT_TRUE(trend.ok()) << trend.error().message;
  ASSERT_EQ(trend->size(), 2u);
  EXPECT_EQ(trend->back().failing, 1);
  EXPECT_EQ(trend->back().compliant, 1);
  EXPECT_EQ(trend->back().stale, 1);
  store_->stop();
  expectCountersMatchTheRuns();
}

// The hosts list of the dashboard: searched, filtered by OS and sorted by the store, each
// order paged by keyset (the cursor is the last host's id) without a host missed or repeated.
TEST_P(ComplianceStoreTest, TheHostsListIsSearchedFilteredAndPagedInEveryOrder) {
  open(policyOf(kPolicy));
  std::mt19937 rng(7);
  const std::int64_t now_us = common::nowUtc().time_since_epoch().count();
  // First seen in this order, each collected at its own minute: .4 newest, .3 oldest.
  const std::vector<std::pair<std::string, int>> hosts = {
      {"10.0.0.3", 50}, {"10.0.0.1", 20}, {"10.0.0.5", 40}, {"10.0.0.2", 30}, {"10.0.0.4", 10}};
  std::vector<Generated> reports;
  for (const auto& [ip, minutes_ago] : hosts) {
    reports.push_back(history(ip, 1, now_us - minutes_ago * 60'000'000LL, rng)[0]);
    if (ip == "10.0.0.5") {
      Json r = Json::parse(reports.back().body);
      r["os"] = {{"name", "Ubuntu"}, {"version", "22.04"}, {"id", "ubuntu"}};
      reports.back().body = r.dump();
    }
  }
  for (const auto& r : reports) post({&r});

  using Order = HostComplianceQuery::Order;
  const auto pages = [&](HostComplianceQuery q) {
    std::vector<std::string> ips;
    q.stale_cutoff_us = now_us - 3'600'000'000LL;
    q.limit = 2;
    for (int page = 0; page < 10; ++page) {
      auto got = store_->queries().complianceHosts(q);
      EXPECT_TRUE(got.ok()) << got.error().message;
      if (!got.ok()) break;
      for (const auto& h : *got) ips.push_back(h.ip);
      if (got->size() < 2u) break;
      q.after_host_id = got->back().host_id;
    }
    return ips;
  };
  using Ips = std::vector<std::string>;
  HostComplianceQuery q;
  EXPECT_EQ(pages(q), (Ips{"10.0.0.3", "10.0.0.1", "10.0.0.5", "10.0.0.2", "10.0.0.4"}));
  q.order = Order::kHostname;
  EXPECT_EQ(pages(q), (Ips{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"}));
  q.order = Order::kLastReportOldest;
  EXPECT_EQ(pages(q), (Ips{"10.0.0.3", "10.0.0.5", "10.0.0.2", "10.0.0.1", "10.0.0.4"}));
  q.order = Order::kLastReportNewest;
  EXPECT_EQ(pages(q), (Ips{"10.0.0.4", "10.0.0.1", "10.0.0.2", "10.0.0.5", "10.0.0.3"}));
  q.order = Order::kFirstSeen;
  q.search = "H-10.0.0.2";  // any case
  EXPECT_EQ(pages(q), (Ips{"10.0.0.2"}));
  q.search = "0.0.";
  EXPECT_EQ(pages(q).size(), 5u);
  q.search.reset();
  q.os = "ubuntu";
  EXPECT_EQ(pages(q), (Ips{"10.0.0.5"}));
  q.os = "debian gnu";  // in the name
  EXPECT_EQ(pages(q).size(), 4u);
  q.os.reset();
  q.host = "10.0.0.4";
  EXPECT_EQ(pages(q), (Ips{"10.0.0.4"}));
}

TEST_P(ComplianceStoreTest, ANewPolicyJudgesEachHostsNewestReportAgain) {
  open(policyOf(kPolicy));
  ASSERT_TRUE(store_);
  std::mt19937 rng(3);
  const std::int64_t now_us = common::nowUtc().time_since_epoch().count();
  auto reports = history("10.0.0.1", 3, now_us - 300'000'000, rng);
  post({&reports[0], &reports[1], &reports[2]});
  const auto before = runs();
  // sshd-running goes, a rule on sessions comes.
  store_->setPolicy(policyOf(R"toml(
[[rules]]
id = "no-miner"
title = "No miner"
severity = "critical"
forbid_process = { name = "xmrig" }

[[rules]]
id = "few-sessions"
title = "At most one session"
severity = "low"
max_sessions = 1
)toml"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::optional<std::vector<VerdictItem>> verdicts;
  while (std::chrono::steady_clock::now() < deadline) {
    auto got = store_->queries().hostCompliance("10.0.0.1");
    ASSERT_TRUE(got.ok());
    verdicts = **got;
    if (std::any_of(verdicts->begin(), verdicts->end(),
                    [](const VerdictItem& v) { return v.rule == "few-sessions"; })) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(verdicts);
  std::vector<std::string> rules;
  for (const auto& v : *verdicts) rules.push_back(v.rule);
  EXPECT_EQ(rules, (std::vector<std::string>{"few-sessions", "no-miner"}));
  store_->stop();
  expectCountersMatchTheRuns();
  // The older reports keep the verdicts they had: sshd-running's runs end at the second report.
  const auto after = runs();
  for (const Row& r : after) {
    if (r[0] == "sshd-running") {
      EXPECT_NE(r[3], "NULL") << "closed at the report before";
    }
  }
  EXPECT_TRUE(std::any_of(before.begin(), before.end(),
                          [](const Row& r) { return r[0] == "sshd-running"; }));
}

// The trend counts each closed day once and keeps it (docs/decisions.md): the days a write may
// change are counted again, so the answer is the uncached count's after in-order reports, a
// late one, a new policy and retention.
TEST_P(ComplianceStoreTest, TheTrendsKeptDaysAreCountedAgainWhenAWriteChangesThem) {
  open(policyOf(kPolicy));
  ASSERT_TRUE(store_);
  auto* db = dynamic_cast<SqliteDatabase*>(&store_->queries());
  ASSERT_NE(db, nullptr);
  const auto now = common::nowUtc();
  const auto today = std::chrono::floor<std::chrono::days>(now);
  const common::Timestamp first_day(std::chrono::duration_cast<std::chrono::microseconds>(
      (today - std::chrono::days(9)).time_since_epoch()));
  const std::int64_t first_us = first_day.time_since_epoch().count();
  constexpr std::int64_t kDayUs = 86'400'000'000LL;
  // A day without a report leaves a host stale at that day's end.
  const auto stale_after = std::chrono::hours(30);
  auto asRows = [](const std::vector<TrendDay>& days) {
    std::vector<Row> rows;
    for (const auto& d : days) {
      rows.push_back({d.date, std::to_string(d.compliant), std::to_string(d.failing),
                      std::to_string(d.stale)});
    }
    return rows;
  };
  auto expectTheUncachedTrend = [&](const std::string& after) {
    SCOPED_TRACE(after);
    // The first call keeps what it counts, the second answers from it.
    for (int call = 0; call < 2; ++call) {
      auto cached = store_->queries().complianceTrend(first_day, common::nowUtc(), stale_after);
      auto uncached = db->complianceTrendUncached(first_day, common::nowUtc(), stale_after);
      ASSERT_TRUE(cached.ok()) << cached.error().message;
      ASSERT_TRUE(uncached.ok()) << uncached.error().message;
      EXPECT_EQ(asRows(*cached), asRows(*uncached));
    }
  };

  std::mt19937 rng(11);
  const std::vector<std::string> ips = {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"};
  std::vector<Generated> kept;  // every report posted, to pick late ones beside
  for (int day = 0; day < 7; ++day) {
    std::vector<Generated> todays;
    for (std::size_t h = 0; h < ips.size(); ++h) {
      if ((day + static_cast<int>(h)) % 4 == 3) continue;  // stale by this day's end
      const std::int64_t at =
          first_us + day * kDayUs + (10 + static_cast<std::int64_t>(h)) * 3'600'000'000LL;
      todays.push_back(history(ips[h], 1, at, rng)[0]);
    }
    std::vector<const Generated*> order;
    for (const auto& g : todays) order.push_back(&g);
    post(order);
    expectTheUncachedTrend("the reports of day " + std::to_string(day));
    kept.insert(kept.end(), todays.begin(), todays.end());
  }

  // A report late into day 1, on a host that reported that morning, with the other verdict.
  const auto morning = std::find_if(kept.begin(), kept.end(), [&](const Generated& g) {
    return g.collected_us == first_us + kDayUs + 10 * 3'600'000'000LL;
  });
  ASSERT_NE(morning, kept.end());
  const bool morning_failed = morning->body.find("xmrig") != std::string::npos ||
                              morning->body.find("sshd") == std::string::npos;
  const Json sshd = {{"pid", 400}, {"name", "sshd"}, {"user", "root"}};
  const Json miner = {{"pid", 9}, {"name", "xmrig"}, {"user", "nobody"}};
  auto late = history(ips[0], 1, first_us + kDayUs + 20 * 3'600'000'000LL, rng);
  late[0].body = withProcesses(late[0].body,
                               morning_failed ? Json::array({sshd}) : Json::array({sshd, miner}));
  post({&late[0]});
  expectTheUncachedTrend("a late report into a closed day");

  // A host whose first report is today's.
  auto newcomer = history("10.0.1.9", 1, now.time_since_epoch().count() - 60'000'000, rng);
  post({&newcomer[0]});
  expectTheUncachedTrend("a new host today");

  // Without sshd-running, only a miner fails a host: each host's newest report judged again.
  store_->setPolicy(policyOf(R"toml(
[[rules]]
id = "no-miner"
title = "No miner"
severity = "critical"
forbid_process = { name = "xmrig" }
)toml"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto rejudged = [&] {
    for (const auto& ip : ips) {
      auto got = store_->queries().hostCompliance(ip);
      if (!got.ok() || !*got || (*got)->size() != 1) return false;
    }
    return true;
  };
  while (!rejudged() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(rejudged());
  expectTheUncachedTrend("the newest reports judged again");

  // Retention, run on the writer's session as the store's maintenance runs it (the store
  // stopped, so that nothing else writes meanwhile): the reports before day 3 go.
  store_->stop();
  WriteSession& writer = db->writer();
  for (const auto& row : GetParam().rows(data_, "SELECT id FROM hosts ORDER BY id")) {
    ASSERT_TRUE(writer.begin().ok());
    auto expired = writer.expireReports(std::stoll(row.at(0)), first_us + 3 * kDayUs, 1000);
    ASSERT_TRUE(expired.ok()) << expired.error().message;
    ASSERT_TRUE(writer.commit().ok());
  }
  ASSERT_LT(GetParam().scalar(data_, "SELECT count(*) FROM reports"),
            static_cast<std::int64_t>(kept.size()));
  expectTheUncachedTrend("retention");
}

TEST_P(ComplianceStoreTest, ChangesToAndFromFailQueueOneWebhookEventEach) {
  open(policyOf(kPolicy),
       {{"http://127.0.0.1:9/all", compliance::Severity::kInfo, std::nullopt, ""},
        {"http://127.0.0.1:9/critical", compliance::Severity::kCritical, std::nullopt, ""}});
  ASSERT_TRUE(store_);
  std::mt19937 rng(5);
  const std::int64_t now_us = common::nowUtc().time_since_epoch().count();
  auto reports = history("10.0.0.1", 3, now_us - 300'000'000, rng);
  const Json sshd = {{"pid", 400}, {"name", "sshd"}, {"user", "root"}};
  const Json miner = {{"pid", 9}, {"name", "xmrig"}, {"user", "nobody"}};
  const std::vector<Json> lists = {Json::array({sshd}), Json::array({sshd, miner}),
                                   Json::array({sshd})};
  for (int i = 0; i < 3; ++i) {
    reports[i].body = withProcesses(reports[i].body, lists[i]);
    post({&reports[i]});
  }
  store_->stop();
  const auto events =
      GetParam().rows(data_, "SELECT webhook, body FROM webhook_outbox ORDER BY id");
  ASSERT_EQ(events.size(), 4u);  // pass→fail and fail→pass, to both receivers
  const Json first = Json::parse(events[0][1]);
  EXPECT_EQ(first["kind"], "verdict");
  EXPECT_EQ(first["rule"]["id"], "no-miner");
  EXPECT_EQ(first["from"], "pass");
  EXPECT_EQ(first["to"], "fail");
  EXPECT_EQ(first["host"]["ip"], "10.0.0.1");
  EXPECT_EQ(first["report_id"], reports[1].uuid);
  EXPECT_EQ(Json::parse(events[1][1])["id"], first["id"]) << "one event, one id, two receivers";
  EXPECT_EQ(Json::parse(events[2][1])["from"], "fail");
  EXPECT_EQ(Json::parse(events[2][1])["to"], "pass");
}

INSTANTIATE_TEST_SUITE_P(Backends, ComplianceStoreTest,
                         ::testing::ValuesIn(test::storageBackends()),
                         [](const auto& backend) { return backend.param.name; });

}  // namespace
}  // namespace vigia::server
