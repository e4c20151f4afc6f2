// The storage promises under stress, with the real binary: concurrent writers into one file,
// kill -9 under load, and a full or read-only disk.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "common/identifiers.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "small_disk.hpp"
#include "storage_backends.hpp"
#include "store_check.hpp"
#include "test_report.hpp"

namespace {

using nlohmann::json;
using vigia::test::postReport;
using vigia::test::ServerProcess;
using vigia::test::TempDir;

std::string makeReport(const std::string& id, const std::string& ip, int processes, int sessions) {
  return vigia::test::testReport({.ip = ip,
                                  .collected_at = "2026-11-22T10:00:00Z",
                                  .processes = processes,
                                  .sessions = sessions,
                                  .report_id = id})
      .dump();
}

TEST(ServerDurability, ConcurrentClientsIntoOneFileNeverInterleave) {
  TempDir dir;
  const auto data = dir.path() / "data";
  // Every client is 127.0.0.1, one rate-limit bucket: this load test turns the limit off.
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--rate-limit-rps", "0"});
  constexpr int kClients = 32, kPerClient = 10;
  std::atomic<int> stored{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerClient; ++i) {
        auto r = postReport(server.port(),
                            makeReport(vigia::common::newUuidV4(), "10.0.0.9", 20 + c, 1));
        if (r.status == 201) ++stored;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(stored.load(), kClients * kPerClient);
  const auto snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), static_cast<std::size_t>(kClients * kPerClient));
  const auto problems = vigia::test::consistencyProblems(snapshot);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
}

TEST(ServerDurability, KillNineUnderLoadLosesNoAcknowledgedReport) {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::mt19937 rng(12345);
  constexpr int kRounds = 6, kClients = 8;

  for (int round = 0; round < kRounds; ++round) {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--rate-limit-rps", "0"});
    std::atomic<bool> go{true};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        // Bounded: at most 500 reports per client per round.
        for (int i = 0; i < 500 && go; ++i) {
          const std::string id = vigia::common::newUuidV4();
          auto r =
              postReport(server.port(), makeReport(id, c % 2 ? "10.0.0.1" : "10.0.0.2", 30, 2));
          if (r.status == 201 || r.status == 200) {
            std::lock_guard lock(mutex);
            acknowledged.insert(id);
          } else if (r.status == 0) {
            break;  // the server is gone
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 400));
    server.stop(SIGKILL);
    go = false;
    for (auto& t : clients) t.join();
  }
  // One more start: recovery runs before the server listens. Then a clean stop.
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();
  }
  ASSERT_FALSE(acknowledged.empty());
  const auto snapshot = vigia::test::readStores(data);
  for (const auto& id : acknowledged) EXPECT_TRUE(snapshot.db.count(id)) << "lost " << id;
  const auto problems = vigia::test::consistencyProblems(snapshot);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
  RecordProperty("acknowledged", static_cast<int>(acknowledged.size()));
}

// The day files' checkpoints as the database has them: path → (size, last report id).
std::map<std::string, std::pair<std::int64_t, std::int64_t>> checkpoints(
    const std::filesystem::path& data) {
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
  for (const auto& row : vigia::test::sqliteRows(
           data / "vigia.db", "SELECT path, size_bytes, last_report_id FROM export_files")) {
    out[row.at(0)] = {std::stoll(row.at(1)), std::stoll(row.at(2))};
  }
  return out;
}

// Power loss: the answer waits for the database's commit, not for the day files, which reach
// the disk about a second later. The test cuts every file back to what its checkpoint says is
// durable and leaves a tail of garbage after it (what a file system without a journal can show
// after power loss); the restart must write every acknowledged report back, exactly once.
TEST(ServerDurability, PowerLossBeforeTheFilesReachTheDiskLosesNothing) {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::vector<std::string> ids;
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--rate-limit-rps", "0"});
    for (int i = 0; i < 40; ++i) {
      ids.push_back(vigia::common::newUuidV4());
      ASSERT_EQ(postReport(server.port(),
                           makeReport(ids.back(), i % 3 ? "10.0.0.7" : "10.0.0.8", 10 + i, i % 2))
                    .status,
                201);
    }
    server.stop(SIGKILL);
  }
  std::mt19937 rng(7);
  int cut = 0;
  for (const auto& [path, checkpoint] : checkpoints(data)) {
    const auto file = data / path;
    if (std::filesystem::file_size(file) > static_cast<std::uintmax_t>(checkpoint.first)) ++cut;
    std::filesystem::resize_file(file, static_cast<std::uintmax_t>(checkpoint.first));
    std::ofstream(file, std::ios::app) << std::string(1 + rng() % 5000, '\0') << "garbage";
  }
  EXPECT_GT(cut, 0) << "every file was already durable: the test proved nothing";
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();
  }
  const auto snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), ids.size());
  for (const auto& id : ids) {
    EXPECT_EQ(snapshot.csv_occurrences.count(id) ? snapshot.csv_occurrences.at(id) : 0, 1) << id;
    EXPECT_EQ(snapshot.jsonl_occurrences.count(id) ? snapshot.jsonl_occurrences.at(id) : 0, 1)
        << id;
  }
  const auto problems = vigia::test::consistencyProblems(snapshot);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
}

// A clean stop syncs every day file and records it: the next start has nothing to write again.
TEST(ServerDurability, ACleanStopLeavesEveryCheckpointAtTheEndOfItsFile) {
  TempDir dir;
  const auto data = dir.path() / "data";
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--rate-limit-rps", "0"});
    for (int i = 0; i < 10; ++i) {
      ASSERT_EQ(postReport(server.port(), makeReport(vigia::common::newUuidV4(),
                                                     "10.0.0." + std::to_string(i % 4), 5, 1))
                    .status,
                201);
    }
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();
  }
  const auto last = vigia::test::sqliteScalar(data / "vigia.db", "SELECT max(id) FROM reports");
  const auto recorded = checkpoints(data);
  EXPECT_EQ(recorded.size(), 8u);
  for (const auto& [path, checkpoint] : recorded) {
    EXPECT_EQ(std::filesystem::file_size(data / path),
              static_cast<std::uintmax_t>(checkpoint.first))
        << path;
    EXPECT_GT(checkpoint.second, 0) << path;
    EXPECT_LE(checkpoint.second, last) << path;
  }
  ServerProcess again(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  EXPECT_EQ(again.stop(SIGTERM), 0);
  EXPECT_EQ(again.logs().find("recovery:"), std::string::npos) << again.logs();
}

// A tmpfs of its own makes a real "disk full" and a real read-only file system.
class ServerOnSmallDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!disk_.mounted()) {
      GTEST_SKIP() << disk_.whyNot() << "; the storage unit tests cover disk full on their own";
    }
    mount_point_ = disk_.path();
  }
  vigia::test::SmallDisk disk_;
  std::filesystem::path mount_point_;
};

TEST_F(ServerOnSmallDisk, DiskFullAnswers503StoresNothingAndRecoversAlone) {
  const auto data = mount_point_ / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  ASSERT_EQ(
      postReport(server.port(), makeReport(vigia::common::newUuidV4(), "10.0.0.3", 5, 1)).status,
      201);

  disk_.fill();
  const std::string id = vigia::common::newUuidV4();
  const std::string big = makeReport(id, "10.0.0.3", 400, 1);
  auto full = postReport(server.port(), big);
  EXPECT_EQ(full.status, 503) << full.body;
  EXPECT_EQ(json::parse(full.body)["error"], "storage_unavailable");
  EXPECT_EQ(full.headers["retry-after"], "5");
  auto snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), 1u);
  EXPECT_TRUE(vigia::test::consistencyProblems(snapshot).empty())
      << ::testing::PrintToString(vigia::test::consistencyProblems(snapshot));

  disk_.makeRoom();
  auto again = postReport(server.port(), big);
  EXPECT_EQ(again.status, 201) << again.body;
  snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), 2u);
  EXPECT_TRUE(vigia::test::consistencyProblems(snapshot).empty())
      << ::testing::PrintToString(vigia::test::consistencyProblems(snapshot));
}

TEST_F(ServerOnSmallDisk, ReadOnlyDataDirAnswers503AndRecoversWhenWritable) {
  const auto data = mount_point_ / "data";
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  ASSERT_EQ(
      postReport(server.port(), makeReport(vigia::common::newUuidV4(), "10.0.0.4", 5, 1)).status,
      201);

  // A read-only bind remount (allowed while the server holds files open): new files cannot be
  // created. A report for another server needs new CSV/JSONL files.
  ASSERT_TRUE(disk_.remountReadOnly()) << std::strerror(errno);
  const std::string report = makeReport(vigia::common::newUuidV4(), "10.0.0.40", 5, 1);
  auto refused = postReport(server.port(), report);
  EXPECT_EQ(refused.status, 503) << refused.body;

  ASSERT_TRUE(disk_.remountWritable()) << std::strerror(errno);
  EXPECT_EQ(postReport(server.port(), report).status, 201);
  const auto snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), 2u);
  EXPECT_TRUE(vigia::test::consistencyProblems(snapshot).empty())
      << ::testing::PrintToString(vigia::test::consistencyProblems(snapshot));
}

}  // namespace
