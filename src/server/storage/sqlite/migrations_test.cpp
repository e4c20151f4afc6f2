#include "server/storage/sqlite/migrations.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "temp_tree.hpp"

namespace vigia::server {
namespace {

class MigrationTest : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<SqliteConnection> db_;

  void SetUp() override {
    auto opened =
        SqliteConnection::open(tree_.root() / "vigia.db", SqliteConnection::Mode::kReadWrite, true);
    ASSERT_TRUE(opened) << opened.error().message;
    db_ = std::move(*opened);
  }
  // The first row `sql` gives, or a test failure and nullptr.
  Statement* firstRow(const std::string& sql) {
    auto stmt = db_->prepare(sql);
    if (!stmt) {
      ADD_FAILURE() << sql << ": " << stmt.error().message;
      return nullptr;
    }
    auto row = (*stmt)->step();
    if (!row || !*row) {
      ADD_FAILURE() << sql << ": no row";
      return nullptr;
    }
    return *stmt;
  }
  std::int64_t single(const std::string& sql) {
    Statement* row = firstRow(sql);
    return row ? row->int64(0) : -1;
  }
  std::string text(const std::string& sql) {
    Statement* row = firstRow(sql);
    return row ? row->text(0) : "<no row>";
  }
};

// A database written by a version-1 server: its child rows, inserted out of key order, come out
// of migration 2 whole, each keyed by report_id * 1000000 + ordinal.
TEST_F(MigrationTest, Version2KeysEveryChildRowByReportAndOrdinalAndKeepsItsValues) {
  ASSERT_TRUE(migrate(*db_, 1));
  ASSERT_TRUE(db_->exec(R"sql(
INSERT INTO processes (report_id, ordinal, pid, ppid, name, user_name, uid, state, command,
                       started_at, rss_bytes, cpu_seconds) VALUES
  (7, 1, 71, 1, 'nginx', 'www-data', 33, 'S', 'nginx: worker', '2026-11-22T10:00:00Z', 4096, 0.5),
  (2, 0, 20, NULL, 'init', 'root', 0, 'S', '/sbin/init', NULL, NULL, NULL),
  (7, 0, 70, 1, 'nginx', 'root', 0, 'S', 'nginx: master', NULL, 8192, 1.25);
INSERT INTO sessions (report_id, ordinal, user_name, tty, remote_host, login_time, pid) VALUES
  (7, 0, 'ana', 'pts/0', '10.0.0.9', '2026-11-22T09:00:00Z', 900),
  (2, 0, 'root', 'tty1', NULL, NULL, NULL);
)sql"));

  ASSERT_TRUE(migrate(*db_, 2));
  EXPECT_EQ(single("SELECT max(version) FROM schema_migrations"), 2);
  EXPECT_EQ(single("SELECT count(*) FROM processes"), 3);
  EXPECT_EQ(single("SELECT count(*) FROM processes WHERE id = report_id * 1000000 + ordinal"), 3);
  EXPECT_EQ(text("SELECT group_concat(id) FROM (SELECT id FROM processes ORDER BY id)"),
            "2000000,7000000,7000001");
  EXPECT_EQ(text("SELECT command || '|' || rss_bytes || '|' || cpu_seconds || '|' || user_name "
                 "FROM processes WHERE id = 7000001"),
            "nginx: worker|4096|0.5|www-data");
  EXPECT_EQ(single("SELECT count(*) FROM processes WHERE id = 2000000 AND ppid IS NULL AND "
                   "started_at IS NULL AND rss_bytes IS NULL AND cpu_seconds IS NULL"),
            1);
  EXPECT_EQ(text("SELECT group_concat(id || ':' || user_name) FROM "
                 "(SELECT * FROM sessions ORDER BY id)"),
            "2000000:root,7000000:ana");
  EXPECT_EQ(text("SELECT remote_host || '|' || login_time || '|' || pid FROM sessions "
                 "WHERE id = 7000000"),
            "10.0.0.9|2026-11-22T09:00:00Z|900");
  // A report's rows are one key range: what the reader uses instead of an index on report_id.
  EXPECT_EQ(single("SELECT count(*) FROM processes WHERE id BETWEEN 7 * 1000000 AND "
                   "7 * 1000000 + 999999"),
            2);
  EXPECT_EQ(single("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                   "tbl_name IN ('processes', 'sessions')"),
            0);
}

// The key is the pair, so the database itself refuses a second row for the same report and
// ordinal, an ordinal outside the range, and a key that disagrees with its columns.
TEST_F(MigrationTest, AChildRowsKeyCannotDisagreeWithItsReportAndOrdinal) {
  ASSERT_TRUE(migrate(*db_, 2));
  const std::string insert =
      "INSERT INTO processes (id, report_id, ordinal, pid, name, user_name) VALUES ";
  ASSERT_TRUE(db_->exec(insert + "(5000003, 5, 3, 1, 'a', 'root')"));
  for (const std::string values : {"(5000003, 5, 3, 2, 'b', 'root')",        // same pair again
                                   "(5000004, 5, 3, 1, 'a', 'root')",        // key != columns
                                   "(6000004, 5, 4, 1, 'a', 'root')",        // wrong report
                                   "(6000000, 5, 1000000, 1, 'a', 'root')",  // ordinal too big
                                   "(4999999, 5, -1, 1, 'a', 'root')"}) {    // negative
    EXPECT_FALSE(db_->exec(insert + values)) << values;
  }
  EXPECT_FALSE(
      db_->exec("INSERT INTO sessions (id, report_id, ordinal, user_name, tty) "
                "VALUES (5000001, 5, 0, 'u', 'pts/0')"));
  EXPECT_EQ(single("SELECT count(*) FROM processes"), 1);
}

// An upgrade that cannot finish changes nothing: here a row the new key cannot hold (an
// ordinal past the range) fails migration 2 halfway through its copy.
TEST_F(MigrationTest, AFailedUpgradeLeavesTheOlderSchemaAndItsRowsAsTheyWere) {
  ASSERT_TRUE(migrate(*db_, 1));
  ASSERT_TRUE(db_->exec(R"sql(
INSERT INTO processes (report_id, ordinal, pid, name, user_name) VALUES
  (3, 0, 30, 'a', 'root'), (3, 1000000, 31, 'b', 'root');
INSERT INTO sessions (report_id, ordinal, user_name, tty) VALUES (3, 0, 'u', 'pts/0');
)sql"));
  const auto failed = migrate(*db_);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("migration 2"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(single("SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_EQ(single("SELECT count(*) FROM processes WHERE report_id = 3"), 2);
  EXPECT_EQ(single("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(single("SELECT count(*) FROM sqlite_master WHERE name LIKE '%_v2'"), 0);
  EXPECT_EQ(single("SELECT count(*) FROM pragma_table_info('processes') WHERE name = 'id'"), 0);
}

}  // namespace
}  // namespace vigia::server
