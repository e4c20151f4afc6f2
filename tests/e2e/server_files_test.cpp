// The day files beyond the main path, with the real binary: the modes of everything the server
// creates, each file store turned off, closed days compressed (zstd and gzip, and a late
// report after), retention, and kill -9 while a day is being compressed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/identifiers.hpp"
#include "common/time_util.hpp"
#include "day_file.hpp"
#include "http_client.hpp"
#include "server_process.hpp"
#include "storage_backends.hpp"
#include "store_check.hpp"
#include "subprocess.hpp"
#include "test_report.hpp"

namespace {

using namespace std::chrono_literals;
using vigia::test::postReport;
using vigia::test::ServerProcess;
using vigia::test::TempDir;
namespace fs = std::filesystem;

// The UTC date `days` ago, and a time on it.
std::string dayAgo(int days) {
  return vigia::common::utcDate(vigia::common::nowUtc() - std::chrono::hours(24) * days);
}

std::string reportOn(const std::string& date, const std::string& ip, int processes,
                     const std::string& id = vigia::common::newUuidV4(), int minute = 0) {
  char time[16];
  std::snprintf(time, sizeof time, "T10:%02d:00Z", minute % 60);
  return vigia::test::testReport(
             {.ip = ip, .collected_at = date + time, .processes = processes, .report_id = id})
      .dump();
}

unsigned modeOf(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

// Polls until `done` or the deadline; the server's own work is asynchronous here.
bool eventually(const std::function<bool()>& done, std::chrono::seconds deadline = 20s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

fs::path writeConfig(const fs::path& dir, const std::string& toml) {
  const auto path = dir / "server.toml";
  std::ofstream(path) << toml;
  return path;
}

TEST(ServerFiles, EverythingCreatedIsPrivateAndAnExposedDataDirIsSaidAtStart) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const mode_t old = ::umask(0);  // the server must not rely on its caller's umask
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
    ASSERT_EQ(postReport(server.port(), reportOn(dayAgo(0), "10.3.0.1", 3)).status, 201);
    ASSERT_EQ(server.stop(SIGTERM), 0);
    EXPECT_EQ(server.logs().find("can be read by every user"), std::string::npos) << server.logs();
  }
  ::umask(old);
  EXPECT_EQ(modeOf(data), 0750u);
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(data)) {
    const unsigned mode = modeOf(entry.path());
    EXPECT_EQ(mode, entry.is_directory() ? 0750u : 0640u) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 5) << "csv/, json/, their files, the database";

  // A data dir from an older release, or made by hand, readable by everyone.
  fs::permissions(data, fs::perms(0755));
  const auto csv = *fs::directory_iterator(data / "csv");
  fs::permissions(csv.path(), fs::perms(0644));
  ServerProcess again(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
  ASSERT_EQ(again.stop(SIGTERM), 0);
  EXPECT_NE(again.logs().find(data.string() + " can be read by every user (mode 0755)"),
            std::string::npos)
      << again.logs();
  EXPECT_NE(again.logs().find("csv/" + csv.path().filename().string() +
                              " can be read by every user (mode 0644)"),
            std::string::npos)
      << again.logs();
}

TEST(ServerFiles, EachFileStoreCanBeTurnedOff) {
  for (const std::string off : {"csv", "jsonl"}) {
    TempDir dir;
    const auto data = dir.path() / "data";
    const auto config =
        writeConfig(dir.path(), "[files]\n" + off + " = false\ncompress = \"none\"\n");
    ServerProcess server(VIGIA_SERVER_BIN,
                         {"--data-dir", data.string(), "--config", config.string()});
    const std::string id = vigia::common::newUuidV4();
    ASSERT_EQ(postReport(server.port(), reportOn(dayAgo(0), "10.3.0.2", 4, id)).status, 201);
    const auto doc = vigia::test::httpGet(server.port(), "/api/v1/reports/" + id);
    EXPECT_EQ(doc.status, 200) << "the database cannot be turned off";
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();
    const fs::path gone = data / (off == "csv" ? "csv" : "json");
    const fs::path kept = data / (off == "csv" ? "json" : "csv");
    EXPECT_TRUE(!fs::exists(gone) || fs::is_empty(gone)) << off;
    EXPECT_FALSE(fs::is_empty(kept)) << off;
    EXPECT_EQ(vigia::test::sqliteScalar(data / "vigia.db",
                                        "SELECT count(*) FROM export_files WHERE path LIKE '" +
                                            gone.filename().string() + "/%'"),
              0);
  }
}

// zstdcat / zcat of a closed day give exactly its reports: every one once, in the order they
// were stored, the header once; a report arriving after the day was compressed is one more
// frame (member) at its end.
TEST(ServerFiles, ClosedDaysAreCompressedAndALateReportIsOneMoreFrame) {
  for (const std::string codec : {"zstd", "gzip"}) {
    TempDir dir;
    const auto data = dir.path() / "data";
    const auto config = writeConfig(
        dir.path(), "[files]\ncompress = \"" + codec + "\"\ncompress_after_hours = 0\n");
    ServerProcess server(VIGIA_SERVER_BIN,
                         {"--data-dir", data.string(), "--config", config.string()});
    const std::string past = dayAgo(3), today = dayAgo(0);
    std::vector<std::string> ids;
    for (int i = 0; i < 12; ++i) {
      ids.push_back(vigia::common::newUuidV4());
      ASSERT_EQ(postReport(server.port(), reportOn(past, "10.3.0.3", 5 + i, ids.back(), i)).status,
                201);
    }
    ASSERT_EQ(postReport(server.port(), reportOn(today, "10.3.0.3", 2)).status, 201);
    const std::string suffix = codec == "zstd" ? ".zst" : ".gz";
    const auto csv = data / "csv" / ("10.3.0.3_" + past + ".csv" + suffix);
    const auto jsonl = data / "json" / ("10.3.0.3_" + past + ".jsonl" + suffix);
    ASSERT_TRUE(eventually([&] {
      return fs::exists(csv) && fs::exists(jsonl) &&
             !fs::exists(data / "csv" / ("10.3.0.3_" + past + ".csv"));
    })) << server.logs();
    EXPECT_TRUE(fs::exists(data / "csv" / ("10.3.0.3_" + today + ".csv"))) << "today is not closed";

    const std::string late = vigia::common::newUuidV4();
    ASSERT_EQ(postReport(server.port(), reportOn(past, "10.3.0.3", 7, late, 59)).status, 201);
    ids.push_back(late);
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();

    // The real tools read the whole day.
    const auto cat = vigia::test::runProcess(
        {codec == "zstd" ? "/usr/bin/zstdcat" : "/usr/bin/zcat", jsonl.string()});
    ASSERT_EQ(cat.exit_code, 0) << cat.err;
    std::vector<std::string> lines;
    for (std::size_t at = 0; at < cat.out.size();) {
      const std::size_t end = cat.out.find('\n', at);
      lines.push_back(cat.out.substr(at, end - at));
      at = end + 1;
    }
    ASSERT_EQ(lines.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      EXPECT_NE(lines[i].find(ids[i]), std::string::npos) << i;
    }
    const auto csv_text = vigia::test::runProcess(
        {codec == "zstd" ? "/usr/bin/zstdcat" : "/usr/bin/zcat", csv.string()});
    ASSERT_EQ(csv_text.exit_code, 0) << csv_text.err;
    EXPECT_TRUE(csv_text.out.starts_with("report_id,collected_at,"));
    EXPECT_EQ(csv_text.out.find("report_id,collected_at,", 1), std::string::npos);
    EXPECT_EQ(*vigia::test::readDayFile(csv), csv_text.out);
    const auto problems = vigia::test::consistencyProblems(vigia::test::readStores(data));
    EXPECT_TRUE(problems.empty()) << codec << ": " << problems.front();
  }
}

// Reports of past days stored first, then a restart with retention: at start it deletes the
// reports collected before the cutoff (and the runs only they listed), the day files of the
// days before it, and a host with nothing left; everything newer stays whole.
TEST(ServerFiles, RetentionRemovesOldReportsTheirRunsTheirDayFilesAndEmptyHosts) {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::set<std::string> kept;
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string()});
    for (int age : {9, 8, 1, 0}) {
      for (int i = 0; i < 3; ++i) {
        const std::string id = vigia::common::newUuidV4();
        ASSERT_EQ(
            postReport(server.port(), reportOn(dayAgo(age), "10.3.0.4", 3 + age + i, id, i)).status,
            201);
        if (age < 5) kept.insert(id);
      }
    }
    ASSERT_EQ(postReport(server.port(), reportOn(dayAgo(9), "10.3.0.5", 2)).status, 201);
    ASSERT_EQ(server.stop(SIGTERM), 0);
  }
  ASSERT_EQ(vigia::test::sqliteScalar(data / "vigia.db", "SELECT count(*) FROM reports"), 13);
  ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--retention-days", "5"});
  ASSERT_TRUE(eventually([&] {
    return vigia::test::sqliteScalar(data / "vigia.db", "SELECT count(*) FROM reports") == 6 &&
           !fs::exists(data / "csv" / ("10.3.0.4_" + dayAgo(8) + ".csv"));
  })) << server.logs();
  const auto db = data / "vigia.db";
  EXPECT_EQ(vigia::test::sqliteScalar(db, "SELECT count(*) FROM hosts"), 1) << "10.3.0.5 is gone";
  EXPECT_EQ(vigia::test::sqliteScalar(db, "SELECT report_count FROM hosts"), 6);
  // Every run left is listed by a report left: the views give each report its whole list.
  EXPECT_EQ(vigia::test::sqliteScalar(
                db,
                "SELECT count(*) FROM process_runs r WHERE NOT EXISTS (SELECT 1 FROM "
                "processes p WHERE p.run_id = r.id)"),
            0);
  EXPECT_EQ(vigia::test::sqliteScalar(
                db,
                "SELECT count(*) FROM reports r WHERE process_count != (SELECT count(*) "
                "FROM processes p WHERE p.report_id = r.id)"),
            0);
  EXPECT_EQ(vigia::test::sqliteScalar(
                db,
                "SELECT count(*) FROM reports r WHERE document_base_id IS NOT NULL AND "
                "NOT EXISTS (SELECT 1 FROM reports b WHERE b.id = r.document_base_id)"),
            0)
      << "no document is left without its base";
  for (const auto& id : kept) {
    EXPECT_EQ(vigia::test::httpGet(server.port(), "/api/v1/reports/" + id).status, 200) << id;
  }
  const auto servers = vigia::test::httpGet(server.port(), "/api/v1/servers");
  EXPECT_EQ(servers.body.find("10.3.0.5"), std::string::npos) << servers.body;
  for (const auto& entry : fs::directory_iterator(data / "csv")) {
    EXPECT_TRUE(entry.path().filename().string().find(dayAgo(9)) == std::string::npos &&
                entry.path().filename().string().find(dayAgo(8)) == std::string::npos)
        << entry.path();
  }
  EXPECT_NE(server.logs().find("retention: removed 7 report(s)"), std::string::npos)
      << server.logs();
  ASSERT_EQ(server.stop(SIGTERM), 0);
  const auto problems = vigia::test::consistencyProblems(vigia::test::readStores(data));
  EXPECT_TRUE(problems.empty()) << problems.front();
}

// kill -9 at random moments while closed days are compressed and late reports are appended
// to days already compressed: after the last restart every acknowledged report is in every
// store exactly once, whole.
TEST(ServerFiles, KillNineWhileCompressingLosesAndDuplicatesNothing) {
  TempDir dir;
  const auto data = dir.path() / "data";
  const auto config =
      writeConfig(dir.path(), "[files]\ncompress = \"zstd\"\ncompress_after_hours = 0\n");
  std::set<std::string> acknowledged;
  std::mt19937 rng(2026);
  // Days big enough that compressing them takes a while (a few MB each).
  {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--compress", "none",
                                            "--rate-limit-rps", "0"});
    for (int day = 2; day <= 4; ++day) {
      for (int i = 0; i < 40; ++i) {
        const std::string id = vigia::common::newUuidV4();
        const std::string ip = "10.3.1." + std::to_string(i % 4);
        if (postReport(server.port(), reportOn(dayAgo(day), ip, 300, id, i)).status == 201) {
          acknowledged.insert(id);
        }
      }
    }
    ASSERT_EQ(server.stop(SIGTERM), 0);
  }
  int compressed_seen = 0;
  // Eight rounds at least, and more until a kill has come after a day was compressed: the
  // compressor runs at a low priority, so on a busy machine it may finish none in eight.
  for (int round = 0; round < 40 && (round < 8 || compressed_seen == 0); ++round) {
    ServerProcess server(VIGIA_SERVER_BIN, {"--data-dir", data.string(), "--config",
                                            config.string(), "--rate-limit-rps", "0"});
    // Late reports for the days being compressed, while they are.
    for (int i = 0; i < 3; ++i) {
      const std::string id = vigia::common::newUuidV4();
      const auto r = postReport(server.port(), reportOn(dayAgo(2 + (round + i) % 3),
                                                        "10.3.1." + std::to_string(i), 50, id, i));
      if (r.status == 201) acknowledged.insert(id);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 400));
    server.stop(SIGKILL);
    for (const auto& entry : fs::directory_iterator(data / "json")) {
      if (entry.path().extension() == ".zst") ++compressed_seen;
    }
  }
  {
    ServerProcess server(VIGIA_SERVER_BIN,
                         {"--data-dir", data.string(), "--config", config.string()});
    ASSERT_TRUE(eventually(
        [&] {
          for (const auto& entry : fs::directory_iterator(data / "json")) {
            const auto name = entry.path().filename().string();
            if (name.ends_with(".jsonl") && name.find(dayAgo(0)) == std::string::npos) return false;
          }
          return true;
        },
        90s))
        << "every closed day ends up compressed (by a low-priority thread: slow when busy)";
    ASSERT_EQ(server.stop(SIGTERM), 0) << server.logs();
  }
  EXPECT_GT(compressed_seen, 0) << "no kill came after a day was compressed";
  const auto snapshot = vigia::test::readStores(data);
  EXPECT_EQ(snapshot.db.size(), acknowledged.size());
  for (const auto& id : acknowledged) EXPECT_TRUE(snapshot.db.count(id)) << "lost " << id;
  const auto problems = vigia::test::consistencyProblems(snapshot);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems.front();
}

}  // namespace
