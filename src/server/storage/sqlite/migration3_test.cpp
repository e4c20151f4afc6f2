// Migration 3 on a realistic schema-2 database: thousands of reports of several hosts, their
// process lists changing from one report to the next, written with the statements the
// schema-2 writer used. Every report survives, the views give each its rows as schema 2 held
// them, and an upgrade that fails halfway leaves schema 2 exactly as it was.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"
#include "read_file.hpp"
#include "server/storage/document_codec.hpp"
#include "server/storage/report_store.hpp"
#include "server/storage/sqlite/migrations.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

using Row = std::vector<std::string>;

class Migration3Test : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<SqliteConnection> db_;
  // uuid → its process rows and its session rows, as schema 2 held them.
  std::map<std::string, std::pair<std::vector<Row>, std::vector<Row>>> written_;
  // Each host's distinct processes: a pid never returns here, so each is one run.
  std::set<std::pair<int, Row>> distinct_processes_;
  std::int64_t process_rows_ = 0;

  void SetUp() override {
    auto opened =
        SqliteConnection::open(tree_.root() / "vigia.db", SqliteConnection::Mode::kReadWrite, true);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
    ASSERT_TRUE(migrate(*db_, 2));
  }

  void exec(const std::string& sql) { ASSERT_TRUE(db_->exec(sql)) << sql; }

  std::vector<Row> rows(const std::string& sql) {
    std::vector<Row> out;
    auto stmt = db_->prepare(sql);
    EXPECT_TRUE(stmt) << sql;
    if (!stmt) return out;
    while (true) {
      auto row = (*stmt)->step();
      EXPECT_TRUE(row) << sql << ": " << row.error().message;
      if (!row || !*row) break;
      Row r;
      for (int c = 0; c < (*stmt)->columns(); ++c) {
        r.push_back((*stmt)->isNull(c) ? "NULL" : (*stmt)->text(c));
      }
      out.push_back(std::move(r));
    }
    (*stmt)->reset();
    return out;
  }
  std::int64_t single(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() ? -1 : std::stoll(r[0][0]);
  }

  // A schema-2 database as the writer of that release filled it (its INSERT statements).
  void writeSchema2(int hosts, int reports_per_host, int processes) {
    std::mt19937 rng(7);
    exec("BEGIN");
    exec("INSERT INTO os_releases (id, name, version) VALUES (1, 'Debian GNU/Linux', '12')");
    exec("INSERT INTO cpu_models (id, model) VALUES (1, 'm')");
    std::int64_t report_id = 0;
    for (int h = 1; h <= hosts; ++h) {
      exec(
          "INSERT INTO hosts (id, ip, hostname, first_seen_at, last_report_at, "
          "last_collected_us, os_release_id, report_count) VALUES (" +
          std::to_string(h) + ", '10.2.0." + std::to_string(h) + "', 'h', 'x', 'x', 0, 1, " +
          std::to_string(reports_per_host) + ")");
      std::vector<Row> running;
      int next_pid = 10;
      for (int i = 0; i < processes; ++i) {
        running.push_back({std::to_string(next_pid++), "1", "p" + std::to_string(i % 9), "root",
                           "0", "/bin/p --x " + std::to_string(i), "2026-11-01T00:00:00Z"});
      }
      std::vector<Row> sessions = {{"ana", "pts/0", "10.9.9.9", "2026-11-01T00:00:00Z", "77"}};
      for (int r = 0; r < reports_per_host; ++r) {
        ++report_id;
        // About 10 entries change from one report to the next: 5 end, 5 start.
        for (int k = 0; k < 5; ++k) {
          running.erase(running.begin() + static_cast<long>(rng() % running.size()));
          running.push_back({std::to_string(next_pid++), "1", "job", "www-data", "33",
                             "/usr/bin/job " + std::to_string(next_pid), "2026-11-02T00:00:00Z"});
        }
        if (r % 40 == 20) sessions.push_back({"root", "tty1", "", "2026-11-02T00:00:00Z", "88"});
        if (r % 40 == 0 && sessions.size() > 1) sessions.pop_back();
        const std::string uuid = common::newUuidV4();
        const std::int64_t collected_us =
            1'764'000'000'000'000 + std::int64_t{r} * 60'000'000 + h * 1'000;
        const std::string document = R"({"report_id":")" + uuid + R"("})";
        auto insert = db_->prepare(
            "INSERT INTO reports (id, uuid, host_id, hostname, collected_at, collected_us, "
            "received_at, source_addr, os_release_id, cpu_model_id, process_count, "
            "session_count, document_z, document_bytes) VALUES (?,?,?,'h',?,?,'x','127.0.0.1',1,"
            "1,?,?,?,?)");
        ASSERT_TRUE(insert);
        ASSERT_TRUE((*insert)
                        ->bind(1, report_id)
                        .bind(2, uuid)
                        .bind(3, h)
                        .bind(4, common::formatRfc3339Utc(
                                     common::Timestamp{std::chrono::microseconds{collected_us}}))
                        .bind(5, collected_us)
                        .bind(6, static_cast<std::int64_t>(running.size()))
                        .bind(7, static_cast<std::int64_t>(sessions.size()))
                        .bindBlob(8, compressDocument(document))
                        .bind(9, static_cast<std::int64_t>(document.size()))
                        .run());
        std::vector<Row> shuffled = running;  // schema 2 kept each report's own order
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        for (std::size_t o = 0; o < shuffled.size(); ++o) {
          const Row& p = shuffled[o];
          auto child = db_->prepare(
              "INSERT INTO processes (id, report_id, ordinal, pid, ppid, name, user_name, uid, "
              "state, command, started_at, rss_bytes, cpu_seconds) "
              "VALUES (?,?,?,?,?,?,?,?,'S',?,?,?,?)");
          ASSERT_TRUE(child);
          ASSERT_TRUE((*child)
                          ->bind(1, report_id * kChildRowsPerReport + static_cast<std::int64_t>(o))
                          .bind(2, report_id)
                          .bind(3, static_cast<std::int64_t>(o))
                          .bind(4, std::int64_t{std::stoll(p[0])})
                          .bind(5, std::int64_t{std::stoll(p[1])})
                          .bind(6, p[2])
                          .bind(7, p[3])
                          .bind(8, std::int64_t{std::stoll(p[4])})
                          .bind(9, p[5])
                          .bind(10, p[6])
                          .bind(11, static_cast<std::int64_t>(rng() % 100000))
                          .bind(12, static_cast<double>(rng() % 1000) / 10)
                          .run());
          ++process_rows_;
        }
        for (std::size_t o = 0; o < sessions.size(); ++o) {
          const Row& s = sessions[o];
          auto child = db_->prepare(
              "INSERT INTO sessions (id, report_id, ordinal, user_name, tty, remote_host, "
              "login_time, pid) VALUES (?,?,?,?,?,?,?,?)");
          ASSERT_TRUE(child);
          ASSERT_TRUE((*child)
                          ->bind(1, report_id * kChildRowsPerReport + static_cast<std::int64_t>(o))
                          .bind(2, report_id)
                          .bind(3, static_cast<std::int64_t>(o))
                          .bind(4, s[0])
                          .bind(5, s[1])
                          .bind(6, s[2])
                          .bind(7, s[3])
                          .bind(8, std::int64_t{std::stoll(s[4])})
                          .run());
        }
        written_[uuid] = {running, sessions};
        for (const Row& p : running) distinct_processes_.insert({h, p});
      }
    }
    exec("COMMIT");
  }
};

TEST_F(Migration3Test, EveryReportKeepsExactlyItsProcessesAndSessionsAsRuns) {
  writeSchema2(3, 1000, 40);
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_TRUE(migrate(*db_));
  EXPECT_EQ(single("SELECT max(version) FROM schema_migrations"), kSchemaVersion);
  EXPECT_EQ(single("SELECT count(*) FROM reports"), 3000);
  EXPECT_EQ(single("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                   "name IN ('processes', 'sessions')"),
            0);
  // One row per process a host ever listed: ~5,000 instead of 120,000.
  EXPECT_EQ(single("SELECT count(*) FROM process_runs"),
            static_cast<std::int64_t>(distinct_processes_.size()));
  EXPECT_LT(distinct_processes_.size(), 16'000u);
  EXPECT_EQ(process_rows_, 3 * 1000 * 40);
  EXPECT_EQ(single("SELECT count(*) FROM process_runs WHERE last_report_id IS NULL"), 3 * 40);
  for (const auto& [uuid, lists] : written_) {
    const std::string report = "(SELECT id FROM reports WHERE uuid = '" + uuid + "')";
    auto processes = rows(
        "SELECT pid, ppid, name, user_name, uid, command, started_at FROM processes WHERE "
        "report_id = " +
        report);
    auto expected = lists.first;
    std::sort(processes.begin(), processes.end());
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(processes, expected) << uuid;
    auto sessions = rows(
        "SELECT user_name, tty, remote_host, login_time, pid FROM sessions WHERE report_id = " +
        report);
    auto expected_sessions = lists.second;
    std::sort(sessions.begin(), sessions.end());
    std::sort(expected_sessions.begin(), expected_sessions.end());
    ASSERT_EQ(sessions, expected_sessions) << uuid;
  }
}

// A row schema 3 cannot hold (a pid of 0: no release wrote one, the validator refuses them)
// halfway through the second host: the whole upgrade rolls back.
TEST_F(Migration3Test, AnUpgradeThatFailsHalfwayLeavesSchema2AsItWas) {
  writeSchema2(3, 400, 20);
  ASSERT_FALSE(HasFatalFailure());
  exec(
      "UPDATE processes SET pid = 0 WHERE id = (SELECT min(p.id) FROM processes p "
      "JOIN reports r ON r.id = p.report_id WHERE r.host_id = 2 AND r.id > 600)");
  const auto failed = migrate(*db_);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("migration 3"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(single("SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(single("SELECT count(*) FROM reports"), 1200);
  EXPECT_EQ(single("SELECT count(*) FROM processes"), process_rows_);
  EXPECT_EQ(single("SELECT count(*) FROM sessions"),
            single("SELECT sum(session_count) FROM reports"));
  EXPECT_EQ(single("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_runs%'"), 0);
  EXPECT_EQ(single("SELECT type = 'table' FROM sqlite_master WHERE name = 'processes'"), 1);
}

// A database the landed release itself wrote (over HTTP, tests/fixtures/schema2/), upgraded by
// the server's own start-up: every report keeps its lists, its document and its files (which
// the test did not copy, so recovery rebuilds them from the documents), and the next report of
// a host continues its runs.
TEST(Migration3FromRelease, TheLandedReleasesDatabaseKeepsEveryReportAndGoesOn) {
  test::TempTree tree;
  const auto data = tree.root() / "data";
  std::filesystem::create_directories(data);
  std::map<std::string, std::vector<Row>> before;
  {
    auto db = SqliteConnection::open(data / "vigia.db", SqliteConnection::Mode::kReadWrite, true);
    ASSERT_TRUE(db);
    ASSERT_TRUE((*db)->exec(test::readWholeFile(VIGIA_FIXTURES_DIR "/schema2/landed-06c399f.sql")));
    auto stmt = (*db)->prepare(
        "SELECT r.uuid, p.pid, p.name, p.user_name, coalesce(p.command, 'NULL') FROM processes p "
        "JOIN reports r ON r.id = p.report_id");
    ASSERT_TRUE(stmt);
    while (*(*stmt)->step()) {
      before[(*stmt)->text(0)].push_back(
          {(*stmt)->text(1), (*stmt)->text(2), (*stmt)->text(3), (*stmt)->text(4)});
    }
    (*stmt)->reset();
  }
  ASSERT_EQ(before.size(), 24u);

  StoreOptions options;
  options.data_dir = data;
  auto store = ReportStore::open(options);
  ASSERT_TRUE(store) << store.error().message;
  auto db = SqliteConnection::open(data / "vigia.db", SqliteConnection::Mode::kReadOnly, true);
  ASSERT_TRUE(db);
  for (auto& [uuid, expected] : before) {
    auto stmt = (*db)->prepare(
        "SELECT pid, name, user_name, coalesce(command, 'NULL') FROM processes "
        "WHERE report_id = (SELECT id FROM reports WHERE uuid = ?)");
    ASSERT_TRUE(stmt);
    (*stmt)->bind(1, uuid);
    std::vector<Row> after;
    while (*(*stmt)->step()) {
      after.push_back({(*stmt)->text(0), (*stmt)->text(1), (*stmt)->text(2), (*stmt)->text(3)});
    }
    (*stmt)->reset();
    std::sort(after.begin(), after.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(after, expected) << uuid;
    auto document = (*store)->queries().reportDocument(uuid);
    ASSERT_TRUE(document && *document) << uuid;
    EXPECT_NE((*document)->find(uuid), std::string::npos);
  }
  const std::string csv = test::readWholeFile(data / "csv" / "10.0.0.1_2026-11-22.csv");
  auto rows = (*db)->prepare(
      "SELECT count(*) + sum(process_count) + sum(session_count) FROM reports r "
      "JOIN hosts h ON h.id = r.host_id WHERE h.ip = '10.0.0.1'");
  ASSERT_TRUE(rows && *(*rows)->step());
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + (*rows)->int64(0))
      << "the header, then a host row and the process and session rows of each report";
  (*rows)->reset();

  // The next report of 10.0.0.1 lists only systemd: every other open run closes at the last
  // report of the old release, and systemd's run goes on.
  const std::string body =
      R"j({"schema_version":1,"report_id":"4f1c6a52-6a0e-4e8a-9d3b-1f2a0c9b7e41",)j"
      R"j("collected_at":"2026-11-22T11:00:00Z","host":{"hostname":"web-01","ip":"10.0.0.1"},)j"
      R"j("os":{"name":"Debian GNU/Linux","version":"12 (bookworm)"},"cpu":{"model":"m"},)j"
      R"j("processes":[{"pid":1,"ppid":0,"name":"systemd","user":"root","uid":0,)j"
      R"j("command":"/sbin/init","started_at":"2026-11-20T08:00:01Z"}],"sessions":[]})j";
  auto validated = common::parseAndValidate(body);
  ASSERT_TRUE(validated);
  std::promise<StoreResult> done;
  (*store)->submit({std::move(*validated), body, common::nowUtc(), "127.0.0.1"},
                   [&](StoreResult r) { done.set_value(std::move(r)); });
  ASSERT_EQ(done.get_future().get().outcome, StoreOutcome::kStored);
  auto open = (*db)->prepare(
      "SELECT count(*), min(r.first_seen_at) FROM process_runs r JOIN hosts h ON h.id = r.host_id "
      "WHERE h.ip = '10.0.0.1' AND last_report_id IS NULL");
  ASSERT_TRUE(open) << open.error().message;
  ASSERT_TRUE(*(*open)->step());
  EXPECT_EQ((*open)->int64(0), 1);
  EXPECT_EQ((*open)->text(1), "2026-11-22T10:00:00.100Z");
}

}  // namespace
}  // namespace vigia::server
