// The plans SQLite makes of the run searches and of the processes view: each uses the index
// chosen for it, and none scans a whole table of runs.

#include "server/storage/sqlite/sqlite_search.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "server/storage/sqlite/migrations.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

class SearchPlans : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<SqliteConnection> db_;

  void SetUp() override {
    auto opened =
        SqliteConnection::open(tree_.root() / "vigia.db", SqliteConnection::Mode::kReadWrite, true);
    ASSERT_TRUE(opened);
    db_ = std::move(*opened);
    ASSERT_TRUE(migrate(*db_));
  }

  std::string plan(const std::string& sql, const std::vector<SearchSql::Value>& values = {}) {
    auto stmt = db_->prepare("EXPLAIN QUERY PLAN " + sql);
    EXPECT_TRUE(stmt) << sql;
    if (!stmt) return {};
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::visit([&](const auto& v) { (*stmt)->bind(static_cast<int>(i + 1), v); }, values[i]);
    }
    std::string out;
    while (*(*stmt)->step()) out += (*stmt)->text(3) + "\n";
    (*stmt)->reset();
    return out;
  }
  std::string plan(const SearchSql& s) { return plan(s.text, s.values); }
};

TEST_F(SearchPlans, EachSearchUsesItsIndex) {
  RunQuery named;
  named.name = "xmrig";
  auto p = plan(searchSql("process_runs", "r.pid", named, {{"name", "xmrig"}}, {}));
  EXPECT_NE(p.find("USING INDEX process_runs_by_name (name=?)"), std::string::npos) << p;
  EXPECT_EQ(p.find("TEMP B-TREE"), std::string::npos) << "the index gives the order too\n" << p;

  p = plan(searchSql("process_runs", "r.pid", RunQuery{}, {}, {}));
  EXPECT_NE(p.find("SCAN r USING INDEX process_runs_by_start"), std::string::npos) << p;
  EXPECT_EQ(p.find("TEMP B-TREE"), std::string::npos) << p;

  RunQuery window;
  window.since = common::nowUtc();
  window.until = common::nowUtc();
  window.after = ListCursor{5, 6};
  p = plan(searchSql("process_runs", "r.pid", window, {}, {}));
  EXPECT_NE(p.find("process_runs_by_start (first_seen_us<?)"), std::string::npos) << p;

  RunQuery in_force;
  in_force.at = common::nowUtc();
  p = plan(searchSql("process_runs", "r.pid", in_force, {}, {}));
  EXPECT_NE(p.find("reports_by_host_time (host_id=? AND collected_us<?)"), std::string::npos) << p;
  EXPECT_NE(p.find("process_runs_by_host_end (host_id=? AND last_seen_us>?)"), std::string::npos)
      << p;

  RunQuery root;
  root.user = "root";
  p = plan(searchSql("session_runs", "r.tty", root, {{"user_name", "root"}}, {}));
  EXPECT_NE(p.find("session_runs_by_user (user_name=?)"), std::string::npos) << p;
}

TEST_F(SearchPlans, AReportsListsComeFromItsHostsRunsByIndex) {
  for (const char* view : {"processes", "sessions"}) {
    const auto p = plan(std::string("SELECT * FROM ") + view + " WHERE report_id = 5");
    EXPECT_NE(p.find("SEARCH r USING INTEGER PRIMARY KEY"), std::string::npos) << p;
    EXPECT_NE(p.find(std::string(view == std::string("processes") ? "process" : "session") +
                     "_runs_by_host_end (host_id=? AND last_seen_us>?)"),
              std::string::npos)
        << p;
    EXPECT_EQ(p.find("SCAN"), std::string::npos) << p;
  }
}

}  // namespace
}  // namespace vigia::server
