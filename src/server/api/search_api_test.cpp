// GET /api/v1/processes and /api/v1/sessions (docs/api.md) in-process, against a real store the
// test fills with a history it knows: `at` (the report in force), since/until, running/open,
// each filter, paging through more than 1,000 runs with none missing or repeated, the CSV
// answers, and bad parameters.

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"
#include "csv_reader.hpp"
#include "server/api/api.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

using Json = nlohmann::json;

// Minute m of 2026-11-10.
std::string at(int m) {
  char text[32];
  std::snprintf(text, sizeof text, "2026-11-10T%02d:%02d:00Z", m / 60, m % 60);
  return text;
}

class SearchApi : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<ReportStore> store_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  int jobs_ = 0;  // distinct short-lived processes stored

  void SetUp() override {
    StoreOptions options;
    options.data_dir = tree_.root() / "data";
    options.fsync = false;
    options.compress = "none";
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    api_ = std::make_unique<Api>(*store_, metrics_, ApiOptions{});

    // Host A reports at minutes 0..9, host B at 0..4.
    for (int m = 0; m < 10; ++m) {
      Json procs = Json::array({process(10, "sshd", "root", "/usr/sbin/sshd -D")});
      if (m >= 2 && m <= 4)
        procs.push_back(
            process(50, "xmrig", "www-data", "/tmp/.x/xmrig -o stratum+tcp://pool:3333"));
      if (m >= 7) procs.push_back(process(60, "xmrig", "www-data", "/dev/shm/xmrig --donate 0"));
      procs.push_back(process(99, "sh", "root", "=cmd(1)"));  // a formula, in every report
      for (int j = 0; j < 130; ++j) {                         // 1,300 short-lived runs on A
        procs.push_back(
            process(1000 + m * 130 + j, "job", "app", "/usr/bin/job " + std::to_string(j)));
        ++jobs_;
      }
      Json sessions = Json::array();
      if (m >= 1 && m <= 2) {
        sessions.push_back({{"user", "root"},
                            {"tty", "pts/0"},
                            {"remote_host", "10.9.9.9"},
                            {"login_time", at(1)},
                            {"pid", 777}});
      }
      store("10.9.0.1", "host-a", m, procs, sessions);
      if (m < 5) {
        Json b = Json::array({process(10, "sshd", "root", "/usr/sbin/sshd -D")});
        if (m >= 3) b.push_back(process(70, "xmrig", "nobody", "./xmrig"));
        store("10.9.0.2", "host-b", m, b,
              Json::array({{{"user", "ana"},
                            {"tty", "tty1"},
                            {"remote_host", ""},
                            {"login_time", at(0)},
                            {"pid", 5}}}));
      }
    }
  }

  void TearDown() override {
    api_.reset();
    store_->stop();
  }

  static Json process(int pid, const std::string& name, const std::string& user,
                      const std::string& command) {
    return {{"pid", pid},
            {"ppid", 1},
            {"name", name},
            {"user", user},
            {"command", command},
            {"started_at", "2026-11-09T00:00:00Z"},
            {"rss_bytes", pid * 4096},
            {"cpu_seconds", 0.5}};
  }

  void store(const std::string& ip, const std::string& hostname, int minute, const Json& procs,
             const Json& sessions) {
    const Json report = {{"schema_version", 1},
                         {"report_id", common::newUuidV4()},
                         {"collected_at", at(minute)},
                         {"host", {{"hostname", hostname}, {"ip", ip}}},
                         {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}}},
                         {"cpu", {{"model", "m"}}},
                         {"processes", procs},
                         {"sessions", sessions}};
    const std::string body = report.dump();
    auto validated = common::parseAndValidate(body);
    ASSERT_TRUE(validated) << validated.error().message;
    std::promise<StoreResult> done;
    store_->submit({std::move(*validated), body, common::nowUtc(), "127.0.0.1"},
                   [&](StoreResult r) { done.set_value(std::move(r)); });
    ASSERT_EQ(done.get_future().get().outcome, StoreOutcome::kStored);
  }

  ApiResponse get(const std::string& target) {
    ApiRequest r;
    r.method = "GET";
    r.target = target;
    r.peer_ip = "127.0.0.1";
    ApiResponse answer;
    api_->handle(std::move(r), [&](ApiResponse a) { answer = std::move(a); });
    if (answer.stream) {  // drain a streamed body, as the HTTP layer would
      std::string body;
      while (true) {
        auto more = answer.stream->next(body);
        EXPECT_TRUE(more) << target;
        if (!more || !*more) break;
      }
      answer.body = std::move(body);
      answer.stream.reset();
    }
    return answer;
  }

  Json items(const std::string& target) {
    const auto answer = get(target);
    EXPECT_EQ(answer.status, 200u) << target << ": " << answer.body;
    return Json::parse(answer.body)["items"];
  }
};

TEST_F(SearchApi, ANameAnywhereNewestFirstWithItsStretchAndWhetherItStillRuns) {
  const Json xmrig = items("/api/v1/processes?name=xmrig");
  ASSERT_EQ(xmrig.size(), 3u) << xmrig.dump();
  EXPECT_EQ(xmrig[0]["host_ip"], "10.9.0.1");
  EXPECT_EQ(xmrig[0]["pid"], 60);
  EXPECT_EQ(xmrig[0]["first_seen_at"], at(7));
  EXPECT_EQ(xmrig[0]["last_seen_at"], at(9));
  EXPECT_EQ(xmrig[0]["running"], true);
  EXPECT_EQ(xmrig[0]["hostname"], "host-a");
  EXPECT_EQ(xmrig[0]["command"], "/dev/shm/xmrig --donate 0");
  EXPECT_EQ(xmrig[1]["host_ip"], "10.9.0.2");
  EXPECT_EQ(xmrig[1]["first_seen_at"], at(3));
  EXPECT_EQ(xmrig[1]["last_seen_at"], at(4)) << "an open run lasts through its host's newest";
  EXPECT_EQ(xmrig[1]["running"], true);
  EXPECT_EQ(xmrig[2]["pid"], 50);
  EXPECT_EQ(xmrig[2]["first_seen_at"], at(2));
  EXPECT_EQ(xmrig[2]["last_seen_at"], at(4));
  EXPECT_EQ(xmrig[2]["running"], false);
  for (const char* key : {"host_ip", "hostname", "pid", "ppid", "name", "user", "uid", "command",
                          "started_at", "first_seen_at", "last_seen_at", "running"}) {
    EXPECT_TRUE(xmrig[0].contains(key)) << key;
  }
  EXPECT_EQ(items("/api/v1/processes?name=xmrig&host=10.9.0.1").size(), 2u);
  EXPECT_EQ(items("/api/v1/processes?name=xmrig&user=nobody").size(), 1u);
  EXPECT_EQ(items("/api/v1/processes?command=stratum%2Btcp").size(), 1u);
  EXPECT_EQ(items("/api/v1/processes?command=xmrig&host=10.9.0.2")[0]["pid"], 70);
  EXPECT_EQ(items("/api/v1/processes?name=nothing").size(), 0u);
}

TEST_F(SearchApi, AtIsEachHostsReportInForceSinceAndUntilMeetTheStretch) {
  auto pids = [&](const std::string& target) {
    std::multiset<int> out;
    for (const auto& item : items(target)) out.insert(item["pid"].get<int>());
    return out;
  };
  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&at=" + at(3)), (std::multiset<int>{50, 70}));
  // Between reports, the one before is in force; B's last report (minute 4) stays in force.
  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&at=2026-11-10T00:05:30Z"), (std::multiset<int>{70}));
  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&at=" + at(8)), (std::multiset<int>{60, 70}));
  EXPECT_TRUE(pids("/api/v1/processes?at=2026-11-09T23:59:59Z").empty()) << "before any report";
  EXPECT_EQ(items("/api/v1/processes?at=" + at(4) + "&host=10.9.0.1&limit=1000").size(),
            1u + 1 + 1 + 130)
      << "sshd, xmrig, sh and that report's jobs";

  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&since=" + at(5)), (std::multiset<int>{60}))
      << "B's open run ended with B's newest report, at minute 4";
  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&until=" + at(2)), (std::multiset<int>{50}));
  EXPECT_EQ(pids("/api/v1/processes?name=xmrig&since=" + at(4) + "&until=" + at(4)),
            (std::multiset<int>{50, 70}));
  EXPECT_EQ(pids("/api/v1/processes?name=sshd&since=" + at(8)), (std::multiset<int>{10}));
}

TEST_F(SearchApi, PagingThroughMoreThanAThousandRunsMissesAndRepeatsNothing) {
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  std::string previous_first_seen = "9";
  while (true) {
    const auto answer = get("/api/v1/processes?limit=1000" +
                            (cursor.empty() ? std::string() : "&cursor=" + cursor));
    ASSERT_EQ(answer.status, 200u) << answer.body;
    const Json body = Json::parse(answer.body);
    ++pages;
    for (const auto& item : body["items"]) {
      const std::string key = item["host_ip"].get<std::string>() + "/" +
                              std::to_string(item["pid"].get<int>()) + "/" +
                              item["first_seen_at"].get<std::string>();
      EXPECT_TRUE(seen.insert(key).second) << "repeated " << key;
      EXPECT_LE(item["first_seen_at"].get<std::string>(), previous_first_seen) << "newest first";
      previous_first_seen = item["first_seen_at"].get<std::string>();
    }
    if (body["next"].is_null()) break;
    cursor = body["next"].get<std::string>();
    ASSERT_LT(pages, 10);
  }
  // A: sshd, sh, two xmrig, the jobs; B: sshd, xmrig.
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(jobs_ + 4 + 2));
  EXPECT_EQ(pages, 2);
}

TEST_F(SearchApi, SessionsByUserRemoteHostAndTtyWithWhetherTheyAreOpen) {
  const Json root = items("/api/v1/sessions?user=root");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(root[0]["remote_host"], "10.9.9.9");
  EXPECT_EQ(root[0]["first_seen_at"], at(1));
  EXPECT_EQ(root[0]["last_seen_at"], at(2));
  EXPECT_EQ(root[0]["open"], false);
  for (const char* key : {"host_ip", "hostname", "user", "tty", "remote_host", "login_time", "pid",
                          "first_seen_at", "last_seen_at", "open"}) {
    EXPECT_TRUE(root[0].contains(key)) << key;
  }
  EXPECT_EQ(items("/api/v1/sessions?remote_host=10.9.9.9").size(), 1u);
  const Json local = items("/api/v1/sessions?tty=tty1");
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0]["open"], true);
  EXPECT_EQ(items("/api/v1/sessions?at=" + at(2)).size(), 2u);
  EXPECT_EQ(items("/api/v1/sessions?at=" + at(3)).size(), 1u);
}

TEST_F(SearchApi, EveryListAnswersCsvWithEveryItemAndTheFormulaGuard) {
  const auto csv = get("/api/v1/processes?name=sh&format=csv");
  EXPECT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.content_type.substr(0, 8), "text/csv");
  const auto rows = test::parseCsv(csv.body);
  ASSERT_EQ(rows.size(), 2u) << csv.body;
  EXPECT_EQ(rows[0],
            (test::CsvRow{"host_ip", "hostname", "pid", "ppid", "name", "user", "uid", "command",
                          "started_at", "first_seen_at", "last_seen_at", "running"}));
  EXPECT_EQ(rows[1][7], "'=cmd(1)") << "a spreadsheet must not run it";
  EXPECT_EQ(rows[1][11], "true");
  // No paging: every run, in one answer (more than a page of the JSON form).
  EXPECT_EQ(test::parseCsv(get("/api/v1/processes?format=csv").body).size(),
            static_cast<std::size_t>(1 + jobs_ + 6));
  EXPECT_EQ(test::parseCsv(get("/api/v1/sessions?format=csv").body).size(), 3u);
  const auto servers = test::parseCsv(get("/api/v1/servers?format=csv").body);
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0][0], "ip");
  const auto reports = test::parseCsv(get("/api/v1/servers/10.9.0.1/reports?format=csv").body);
  ASSERT_EQ(reports.size(), 11u);
  EXPECT_EQ(reports[0], (test::CsvRow{"id", "collected_at", "processes", "sessions"}));
  EXPECT_EQ(reports[1][1], at(9));
}

TEST_F(SearchApi, BadParametersAreNamedInA400) {
  for (const std::string bad :
       {"/api/v1/processes?nmae=xmrig", "/api/v1/processes?limit=0", "/api/v1/processes?limit=1001",
        "/api/v1/processes?at=yesterday", "/api/v1/processes?since=2026-13-01T00:00:00Z",
        "/api/v1/processes?host=not-an-ip", "/api/v1/processes?cursor=abc",
        "/api/v1/processes?cursor=1.2.3", "/api/v1/processes?name=a&name=b",
        "/api/v1/processes?format=xml", "/api/v1/sessions?name=x", "/api/v1/servers?limit=5"}) {
    const auto answer = get(bad);
    EXPECT_EQ(answer.status, 400u) << bad << ": " << answer.body;
    const Json body = Json::parse(answer.body);
    EXPECT_EQ(body["error"], "invalid_query") << bad;
  }
}

}  // namespace
}  // namespace vigia::server
