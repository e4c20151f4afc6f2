#include "server/storage/report_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <future>
#include <random>
#include <thread>

#include "common/identifiers.hpp"
#include "legacy_zlib_document.hpp"
#include "read_file.hpp"
#include "server/storage/sqlite/migrations.hpp"
#include "storage_backends.hpp"

namespace vigia::server {
namespace {

std::string reportJson(const std::string& id, const std::string& ip,
                       const std::string& collected_at, int processes) {
  std::string procs;
  for (int i = 1; i <= processes; ++i) {
    if (i > 1) procs += ",";
    procs += R"({"pid": )" + std::to_string(i) +
             R"(, "name": "p", "user": "root", "command": "=cmd, \"x\""})";
  }
  return R"({"schema_version": 1, "report_id": ")" + id + R"(", "collected_at": ")" + collected_at +
         R"(", "host": {"hostname": "h", "ip": ")" + ip +
         R"("}, "os": {"name": "Debian GNU/Linux", "version": "12"}, "cpu": {"model": "m"},
         "processes": [)" +
         procs + R"(], "sessions": [{"user": "u", "tty": ""}]})";
}

// The contract every backend keeps (the SQLite-only tests below reach into the file).
class ReportStoreTest : public ::testing::TestWithParam<test::StorageBackend> {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-store-test-" + std::to_string(std::random_device{}()));
  std::unique_ptr<ReportStore> store_;

  void SetUp() override { reopen(); }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void reopen(int retention_days = 0) {
    store_.reset();
    StoreOptions options;
    options.data_dir = dir_;
    options.database_url = GetParam().url(dir_);
    options.compress = "none";  // these tests read the plain files of past days
    options.retention_days = retention_days;
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }
  StoreOutcome submit(const std::string& json) {
    auto validated = common::parseAndValidate(json);
    EXPECT_TRUE(validated.ok()) << validated.error().message;
    std::promise<StoreResult> done;
    store_->submit({std::move(*validated), json, common::nowUtc(), "127.0.0.1"},
                   [&](StoreResult r) { done.set_value(std::move(r)); });
    return done.get_future().get().outcome;
  }
  std::int64_t count(const char* table) {
    return GetParam().scalar(dir_, std::string("SELECT count(*) FROM ") + table);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ReportStoreTest, ::testing::ValuesIn(test::storageBackends()),
                         [](const auto& backend) { return backend.param.name; });

using SqliteStoreTest = ReportStoreTest;
INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteStoreTest,
                         ::testing::Values(test::storageBackends().front()),
                         [](const auto& backend) { return backend.param.name; });

TEST_P(ReportStoreTest, StoresOnceAndAnswersDuplicatesInAnyCase) {
  const std::string id = common::newUuidV4();
  EXPECT_EQ(submit(reportJson(id, "10.0.0.1", "2026-11-22T10:00:00Z", 3)), StoreOutcome::kStored);
  std::string upper = id;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(submit(reportJson(upper, "10.0.0.1", "2026-11-22T10:00:00Z", 3)),
            StoreOutcome::kDuplicate);
  EXPECT_EQ(count("reports"), 1);
  EXPECT_EQ(count("processes"), 3);
  EXPECT_EQ(count("sessions"), 1);
  EXPECT_EQ(count("os_releases"), 1);
  EXPECT_EQ(store_->stats().known_servers, 1);
  auto doc = store_->queries().reportDocument(id);
  ASSERT_TRUE(doc.ok());
  ASSERT_TRUE(doc->has_value());
  EXPECT_NE((*doc)->find("\"server\":{\"received_at\""), std::string::npos);
}

TEST_P(ReportStoreTest, ConcurrentSubmittersShareBatches) {
  constexpr int kThreads = 50;
  std::vector<std::thread> threads;
  std::atomic<int> stored{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      if (submit(reportJson(common::newUuidV4(), "10.0.0.2", "2026-11-22T10:00:00Z", 50)) ==
          StoreOutcome::kStored) {
        ++stored;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(stored.load(), kThreads);
  EXPECT_EQ(count("reports"), kThreads);
  EXPECT_LT(store_->stats().batches, static_cast<std::uint64_t>(kThreads))
      << "no group commit happened";
}

TEST_P(ReportStoreTest, RecoveryDropsBytesPastTheCommitAndStrayFiles) {
  ASSERT_EQ(submit(reportJson(common::newUuidV4(), "10.0.0.3", "2026-11-22T10:00:00Z", 2)),
            StoreOutcome::kStored);
  const auto csv = dir_ / "csv" / "10.0.0.3_2026-11-22.csv";
  const auto jsonl = dir_ / "json" / "10.0.0.3_2026-11-22.jsonl";
  const std::string csv_before = test::readWholeFile(csv),
                    jsonl_before = test::readWholeFile(jsonl);
  store_.reset();
  // What a crash mid-batch leaves: a torn line past the committed size, a file never committed.
  std::ofstream(csv, std::ios::app) << "d0000000-0000-4000-8000-000000000000,2026-11-22T1";
  std::ofstream(jsonl, std::ios::app) << "{\"report_id\": \"d0";
  std::ofstream(dir_ / "csv" / "10.9.9.9_2026-11-22.csv") << "report_id,…\npartial";
  reopen();
  EXPECT_EQ(test::readWholeFile(csv), csv_before);
  EXPECT_EQ(test::readWholeFile(jsonl), jsonl_before);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "csv" / "10.9.9.9_2026-11-22.csv"));
}

TEST_P(ReportStoreTest, RecoveryRebuildsLostOrDamagedFilesIdentically) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(submit(reportJson(common::newUuidV4(), "2001:db8::5",
                                "2026-11-22T1" + std::to_string(i) + ":00:00Z", 4)),
              StoreOutcome::kStored);
  }
  ASSERT_EQ(submit(reportJson(common::newUuidV4(), "2001:db8::5", "2026-11-23T10:00:00Z", 4)),
            StoreOutcome::kStored);
  const auto csv = dir_ / "csv" / "2001:db8::5_2026-11-22.csv";
  const auto jsonl = dir_ / "json" / "2001:db8::5_2026-11-22.jsonl";
  const std::string csv_before = test::readWholeFile(csv),
                    jsonl_before = test::readWholeFile(jsonl);
  store_.reset();
  std::filesystem::remove(csv);
  std::filesystem::resize_file(jsonl, jsonl_before.size() / 2);
  reopen();
  EXPECT_EQ(test::readWholeFile(csv), csv_before);
  EXPECT_EQ(test::readWholeFile(jsonl), jsonl_before);
  EXPECT_EQ(count("reports"), 4);
}

// Databases written before 2026-11-30 hold zlib-compressed documents: the server must still
// answer GET /reports/{id} from them and rebuild the files from them.
TEST_P(SqliteStoreTest, ZlibDocumentsOfOlderDatabasesStillServeAndRebuildTheFiles) {
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    ids.push_back(common::newUuidV4());
    ASSERT_EQ(submit(reportJson(ids.back(), "10.0.0.6",
                                "2026-11-22T0" + std::to_string(i) + ":00:00Z", 3)),
              StoreOutcome::kStored);
  }
  std::vector<std::string> documents;
  for (const auto& id : ids) documents.push_back(**store_->queries().reportDocument(id));
  const auto csv = dir_ / "csv" / "10.0.0.6_2026-11-22.csv";
  const auto jsonl = dir_ / "json" / "10.0.0.6_2026-11-22.jsonl";
  const std::string csv_before = test::readWholeFile(csv),
                    jsonl_before = test::readWholeFile(jsonl);
  store_.reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "vigia.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* update = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "UPDATE reports SET document_z = ? WHERE uuid = ?", -1, &update,
                               nullptr),
            SQLITE_OK);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string zlib = test::legacyZlibDocument(documents[i]);
    sqlite3_bind_blob(update, 1, zlib.data(), static_cast<int>(zlib.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(update, 2, ids[i].c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(update), SQLITE_DONE);
    ASSERT_EQ(sqlite3_changes(db), 1);
    sqlite3_reset(update);
  }
  sqlite3_finalize(update);
  sqlite3_close(db);
  std::filesystem::remove(csv);
  std::filesystem::remove(jsonl);

  reopen();
  EXPECT_EQ(test::readWholeFile(csv), csv_before);
  EXPECT_EQ(test::readWholeFile(jsonl), jsonl_before);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto doc = store_->queries().reportDocument(ids[i]);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    ASSERT_TRUE(doc->has_value());
    EXPECT_EQ(**doc, documents[i]);
  }
}

TEST_P(ReportStoreTest, QueriesNewestFirstAndUnknownServer) {
  ASSERT_EQ(submit(reportJson(common::newUuidV4(), "10.0.0.4", "2026-11-22T08:00:00Z", 1)),
            StoreOutcome::kStored);
  ASSERT_EQ(submit(reportJson(common::newUuidV4(), "10.0.0.4", "2026-11-22T09:00:00Z", 2)),
            StoreOutcome::kStored);
  auto list = store_->queries().listReports("10.0.0.4", 10, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_TRUE(list->has_value());
  ASSERT_EQ((*list)->size(), 2u);
  EXPECT_EQ((**list)[0].collected_at, "2026-11-22T09:00:00Z");
  EXPECT_EQ((**list)[0].processes, 2);
  EXPECT_EQ((**list)[1].collected_at, "2026-11-22T08:00:00Z");
  auto unknown = store_->queries().listReports("10.0.0.99", 10, std::nullopt);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  auto servers = store_->queries().listServers();
  ASSERT_TRUE(servers.ok());
  ASSERT_EQ(servers->size(), 1u);
  EXPECT_EQ((*servers)[0].reports, 2);
  EXPECT_EQ((*servers)[0].last_report_at, "2026-11-22T09:00:00Z");
}

TEST_P(SqliteStoreTest, RefusesADatabaseNewerThanTheBinary) {
  store_.reset();
  sqlite3* db = nullptr;
  sqlite3_open((dir_ / "vigia.db").c_str(), &db);
  sqlite3_exec(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')", nullptr,
               nullptr, nullptr);
  sqlite3_close(db);
  StoreOptions options;
  options.data_dir = dir_;
  auto opened = ReportStore::open(options);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().message.find("newer than this vigia-server"), std::string::npos);
}

// Documents go in chains: each against its host's previous one, a full frame every
// DocumentBases::kChainLength, and after a restart; every one reads back as stored.
TEST_P(ReportStoreTest, DocumentsChainedToTheirHostsPreviousOneReadBackExactly) {
  std::vector<std::pair<std::string, std::string>> stored;  // uuid, body
  for (int i = 0; i < 80; ++i) {
    if (i == 70) reopen();
    const std::string id = common::newUuidV4();
    const std::string body =
        reportJson(id, i % 2 ? "10.0.7.1" : "10.0.7.2",
                   "2026-11-22T" + std::to_string(10 + i / 60) + ":" +
                       std::to_string(10 + i % 60 / 2) + ":0" + std::to_string(i % 2) + "Z",
                   20 + i % 5);
    ASSERT_EQ(submit(body), StoreOutcome::kStored);
    stored.emplace_back(id, body);
  }
  for (auto [id, body] : stored) {
    auto doc = store_->queries().reportDocument(id);
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    ASSERT_TRUE(doc->has_value());
    std::replace(body.begin(), body.end(), '\n', ' ');  // as the JSON Lines line has it
    EXPECT_EQ((*doc)->substr(0, (*doc)->find(",\"server\":")), body.substr(0, body.size() - 1))
        << id;
  }
  // 35 reports per host, then a restart (which forgets the bases), then 5 more: full frames
  // at the 1st and the 33rd, and at the first after the restart.
  EXPECT_EQ(count("reports WHERE document_base_id IS NULL"), 2 + 2 + 2);
  EXPECT_EQ(count("reports r JOIN reports b ON b.id = r.document_base_id "
                  "WHERE b.host_id != r.host_id"),
            0);
}

// After retention, a run may begin in history that is gone. A late report older than every
// report left must then not be counted inside such a run unless it lists the process.
TEST_P(ReportStoreTest, ALateReportOlderThanEverythingRetentionLeftGetsExactlyItsList) {
  const auto day = [](double days_ago) {
    return common::formatRfc3339Utc(common::nowUtc() -
                                    std::chrono::seconds(static_cast<int>(days_ago * 86400)));
  };
  auto report = [&](const std::string& id, const std::string& when,
                    const std::vector<std::string>& names) {
    std::string procs;
    for (const auto& n : names) {
      procs += std::string(procs.empty() ? "" : ",") + R"({"pid": )" +
               std::to_string(n == "a" ? 10 : 20) + R"(, "name": ")" + n + R"(", "user": "root"})";
    }
    return R"({"schema_version": 1, "report_id": ")" + id + R"(", "collected_at": ")" + when +
           R"(", "host": {"hostname": "h", "ip": "10.0.8.1"}, "os": {"name": "L", "version": "1"},)"
           R"( "cpu": {"model": "m"}, "processes": [)" +
           procs + R"(], "sessions": []})";
  };
  const std::string r1 = common::newUuidV4(), r2 = common::newUuidV4(), r3 = common::newUuidV4(),
                    late = common::newUuidV4();
  ASSERT_EQ(submit(report(r1, day(8), {"a", "b"})), StoreOutcome::kStored);
  ASSERT_EQ(submit(report(r2, day(4), {"a"})), StoreOutcome::kStored);
  ASSERT_EQ(submit(report(r3, day(3), {"a", "b"})), StoreOutcome::kStored);
  reopen(/*retention_days=*/5);
  for (int i = 0; i < 200 && count("reports") != 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(count("reports"), 2) << "the report of 8 days ago is gone";
  ASSERT_EQ(submit(report(late, day(4.5), {"b"})), StoreOutcome::kStored);
  auto listed = [&](const std::string& uuid) {
    std::vector<std::string> names;
    for (const auto& row : GetParam().rows(
             dir_,
             "SELECT name FROM processes WHERE report_id = (SELECT id FROM reports WHERE "
             "uuid = '" +
                 uuid + "') ORDER BY name")) {
      names.push_back(row.at(0));
    }
    return names;
  };
  EXPECT_EQ(listed(late), std::vector<std::string>{"b"});
  EXPECT_EQ(listed(r2), std::vector<std::string>{"a"});
  EXPECT_EQ(listed(r3), (std::vector<std::string>{"a", "b"}));
}

TEST_P(ReportStoreTest, ReopeningMigratesNothingAndKeepsData) {
  ASSERT_EQ(submit(reportJson(common::newUuidV4(), "10.0.0.5", "2026-11-22T08:00:00Z", 1)),
            StoreOutcome::kStored);
  reopen();
  reopen();
  EXPECT_EQ(count("schema_migrations"), kSchemaVersion);
  EXPECT_EQ(count("reports"), 1);
  EXPECT_EQ(store_->stats().known_servers, 1);
}

}  // namespace
}  // namespace vigia::server
