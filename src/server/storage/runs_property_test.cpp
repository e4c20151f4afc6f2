// Property test of the process and session runs (docs/storage.md, "Runs"):
// generated histories of several hosts, with processes starting, exiting, exec-ing (same pid,
// new name), reappearing, listed twice, and reports collected at the same instant, are stored
// in several arrival orders (one by one, and all at once so that late reports share batches).
// Every time, the runs must be exactly those a naive model computes from the whole history,
// and the processes and sessions views must give every report exactly its own lists.

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "common/identifiers.hpp"
#include "server/storage/report_store.hpp"
#include "storage_backends.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

using Json = nlohmann::json;
using Row = std::vector<std::string>;

struct GeneratedReport {
  std::string uuid;
  std::string ip;
  std::int64_t collected_us = 0;
  std::string body;
  std::vector<Row> processes;  // identity columns as the view gives them
  std::vector<Row> sessions;
};

std::string text(const Json& v) {
  if (v.is_null()) return "NULL";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string iso(std::int64_t us) {
  return common::formatRfc3339Utc(common::Timestamp{std::chrono::microseconds{us}});
}

// One host's history: a random walk over its processes and sessions.
std::vector<GeneratedReport> history(int host, int reports, std::mt19937& rng) {
  const std::string ip = "10.1.0." + std::to_string(host);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  int next_pid = 100;
  auto newProcess = [&](std::int64_t at_us) {
    const int pid = next_pid++;
    Json p = {{"pid", pid},
              {"name", "p" + std::to_string(pid % 7)},
              {"user", pid % 3 == 0 ? "www-data" : "root"},
              {"command", "/usr/bin/p" + std::to_string(pid % 7) + " --n " + std::to_string(pid)},
              {"started_at", iso(at_us - 1'000'000)}};
    if (pid % 4 != 0) p["ppid"] = 1;  // some without a ppid or uid: absent is not 0
    if (pid % 5 != 0) p["uid"] = pid % 3 == 0 ? 33 : 0;
    return p;
  };
  std::int64_t at = 1'764'000'000'000'000 + host * 7'000'000;
  std::vector<Json> running, exited, sessions;
  for (int i = 0; i < 6; ++i) running.push_back(newProcess(at));
  std::vector<GeneratedReport> out;
  for (int r = 0; r < reports; ++r) {
    if (r == 0 || !chance(12)) at += 60'000'000;  // else: collected at the same instant
    if (chance(30) && !running.empty()) {         // a process ends
      const std::size_t i = rng() % running.size();
      exited.push_back(running[i]);
      running.erase(running.begin() + static_cast<long>(i));
    }
    if (chance(30)) running.push_back(newProcess(at));  // one starts
    if (chance(10) && !running.empty()) {               // exec: same pid, another program
      Json& p = running[rng() % running.size()];
      p["name"] = "exec" + std::to_string(r);
      p["command"] = "/bin/exec" + std::to_string(r);
    }
    if (chance(10) && !exited.empty()) {  // an identical process is listed again
      running.push_back(exited[rng() % exited.size()]);
    }
    if (chance(15)) {
      sessions.push_back({{"user", chance(50) ? "root" : "ana"},
                          {"tty", "pts/" + std::to_string(rng() % 3)},
                          {"remote_host", chance(50) ? "10.9.9.9" : ""},
                          {"login_time", iso(at)},
                          {"pid", 5000 + r}});
    }
    if (chance(15) && !sessions.empty()) sessions.erase(sessions.begin());
    if (chance(3)) running.clear();  // an empty list is a report too

    std::vector<Json> listed = running;
    if (chance(8) && !listed.empty()) listed.push_back(listed[rng() % listed.size()]);  // twice
    std::vector<Json> listed_sessions = sessions;
    if (chance(8) && !sessions.empty()) listed_sessions.push_back(sessions.front());

    GeneratedReport g;
    g.uuid = common::newUuidV4();
    g.ip = ip;
    g.collected_us = at;
    Json body = {{"schema_version", 1},
                 {"report_id", g.uuid},
                 {"collected_at", iso(at)},
                 {"host", {{"hostname", "host-" + std::to_string(host)}, {"ip", ip}}},
                 {"os", {{"name", "Debian GNU/Linux"}, {"version", "12"}}},
                 {"cpu", {{"model", "m"}, {"mhz", 2000 + static_cast<int>(rng() % 500)}}},
                 {"processes", Json::array()},
                 {"sessions", listed_sessions}};
    for (Json p : listed) {  // volatile values change at every report and are not in a run
      p["state"] = chance(50) ? "S" : "R";
      p["rss_bytes"] = 4096 * static_cast<int>(rng() % 1000);
      p["cpu_seconds"] = static_cast<double>(rng() % 10000) / 100;
      body["processes"].push_back(p);
      g.processes.push_back({text(p["pid"]), p.contains("ppid") ? text(p["ppid"]) : "NULL",
                             text(p["name"]), text(p["user"]),
                             p.contains("uid") ? text(p["uid"]) : "NULL", text(p["command"]),
                             text(p["started_at"])});
    }
    for (const Json& s : listed_sessions) {
      g.sessions.push_back({text(s["user"]), text(s["tty"]), text(s["remote_host"]),
                            text(s["login_time"]), text(s["pid"])});
    }
    g.body = body.dump();
    out.push_back(std::move(g));
  }
  return out;
}

// The naive model: per host, the reports in (collected_at, uuid) order; for each identity and
// copy number, every maximal stretch of consecutive reports that list it. Rows are (ip,
// identity…, copy, first uuid, last uuid or NULL when the stretch reaches the newest report).
std::vector<Row> expectedRuns(const std::vector<GeneratedReport>& all, bool sessions) {
  std::map<std::string, std::vector<const GeneratedReport*>> by_host;
  for (const auto& g : all) by_host[g.ip].push_back(&g);
  std::vector<Row> runs;
  for (auto& host : by_host) {
    // Named, not a structured binding: clang refuses to capture those in the lambda below.
    const std::string& ip = host.first;
    auto& reports = host.second;
    std::sort(reports.begin(), reports.end(), [](const auto* a, const auto* b) {
      return a->collected_us != b->collected_us ? a->collected_us < b->collected_us
                                                : a->uuid < b->uuid;
    });
    std::map<Row, std::pair<std::string, std::size_t>> open;  // identity+copy → first, last seen
    auto close = [&](const Row& key, const std::string& first, const std::string& last) {
      Row row{ip};
      row.insert(row.end(), key.begin(), key.end());
      row.push_back(first);
      row.push_back(last);
      runs.push_back(std::move(row));
    };
    for (std::size_t i = 0; i < reports.size(); ++i) {
      std::map<Row, int> copies;
      std::set<Row> listed;
      for (const Row& entry : sessions ? reports[i]->sessions : reports[i]->processes) {
        Row key = entry;
        key.push_back(std::to_string(copies[entry]++));
        listed.insert(key);
        if (!open.count(key)) open[key] = {reports[i]->uuid, i};
        open[key].second = i;
      }
      for (auto it = open.begin(); it != open.end();) {
        if (listed.count(it->first)) {
          ++it;
          continue;
        }
        close(it->first, it->second.first, reports[it->second.second]->uuid);
        it = open.erase(it);
      }
    }
    for (const auto& [key, seen] : open) close(key, seen.first, "NULL");
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

class RunsPropertyTest : public ::testing::TestWithParam<test::StorageBackend> {
 protected:
  // Stores `reports` in the given order into a fresh data dir: one by one, or all submitted
  // at once (the writer batches them, late reports among the others).
  std::unique_ptr<test::TempTree> store(const std::vector<const GeneratedReport*>& order,
                                        bool all_at_once) {
    auto tree = std::make_unique<test::TempTree>();
    StoreOptions options;
    options.data_dir = tree->root() / "data";
    options.database_url = GetParam().url(options.data_dir);
    options.fsync = false;  // what is tested is the runs, not durability
    auto opened = ReportStore::open(options);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    if (!opened) return tree;
    std::vector<std::future<StoreResult>> answers;
    for (const GeneratedReport* g : order) {
      auto validated = common::parseAndValidate(g->body);
      EXPECT_TRUE(validated.ok()) << validated.error().message;
      auto done = std::make_shared<std::promise<StoreResult>>();
      answers.push_back(done->get_future());
      (*opened)->submit({std::move(*validated), g->body, common::nowUtc(), "127.0.0.1"},
                        [done](StoreResult r) { done->set_value(std::move(r)); });
      if (!all_at_once) answers.back().wait();
    }
    for (auto& a : answers) EXPECT_EQ(a.get().outcome, StoreOutcome::kStored);
    return tree;
  }

  std::vector<Row> storedRuns(const std::filesystem::path& data, const char* table,
                              const char* identity) {
    return GetParam().rows(
        data, std::string("SELECT h.ip, ") + identity +
                  ", r.copy, f.uuid, COALESCE(l.uuid, 'NULL') FROM " + table +
                  " r JOIN hosts h ON h.id = r.host_id JOIN reports f ON f.id = r.first_report_id "
                  "LEFT JOIN reports l ON l.id = r.last_report_id");
  }

  void expectExact(const std::filesystem::path& data, const std::vector<GeneratedReport>& all,
                   const std::string& how) {
    auto processes = storedRuns(data, "process_runs",
                                "r.pid, COALESCE(r.ppid, 'NULL'), r.name, r.user_name, "
                                "COALESCE(r.uid, 'NULL'), r.command, r.started_at");
    std::sort(processes.begin(), processes.end());
    EXPECT_EQ(processes, expectedRuns(all, false)) << how << ": process runs";
    auto sessions =
        storedRuns(data, "session_runs", "r.user_name, r.tty, r.remote_host, r.login_time, r.pid");
    std::sort(sessions.begin(), sessions.end());
    EXPECT_EQ(sessions, expectedRuns(all, true)) << how << ": session runs";

    for (const auto& g : all) {
      const std::string report = "(SELECT id FROM reports WHERE uuid = '" + g.uuid + "')";
      auto listed = GetParam().rows(
          data,
          "SELECT pid, COALESCE(ppid, 'NULL'), name, user_name, COALESCE(uid, 'NULL'), command, "
          "started_at FROM processes WHERE report_id = " +
              report);
      auto expected = g.processes;
      std::sort(listed.begin(), listed.end());
      std::sort(expected.begin(), expected.end());
      EXPECT_EQ(listed, expected) << how << ": processes of report " << g.uuid;
      auto listed_sessions =
          GetParam().rows(data,
                          "SELECT user_name, tty, remote_host, login_time, pid FROM sessions WHERE "
                          "report_id = " +
                              report);
      auto expected_sessions = g.sessions;
      std::sort(listed_sessions.begin(), listed_sessions.end());
      std::sort(expected_sessions.begin(), expected_sessions.end());
      EXPECT_EQ(listed_sessions, expected_sessions) << how << ": sessions of report " << g.uuid;
    }
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, RunsPropertyTest, ::testing::ValuesIn(test::storageBackends()),
                         [](const auto& backend) { return backend.param.name; });

TEST_P(RunsPropertyTest, AnyArrivalOrderGivesTheSameRunsAndEveryReportItsOwnLists) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    std::mt19937 rng(seed);
    std::vector<GeneratedReport> all;
    for (int host = 1; host <= 3; ++host) {
      auto h = history(host, 25, rng);
      all.insert(all.end(), h.begin(), h.end());
    }
    std::vector<const GeneratedReport*> order;
    for (const auto& g : all) order.push_back(&g);

    std::vector<std::pair<std::string, std::vector<const GeneratedReport*>>> orders;
    orders.emplace_back("in order", order);
    std::reverse(order.begin(), order.end());
    orders.emplace_back("newest first", order);
    for (int shuffle = 0; shuffle < 2; ++shuffle) {
      std::shuffle(order.begin(), order.end(), rng);
      orders.emplace_back("shuffled " + std::to_string(shuffle), order);
    }
    for (const auto& [name, arrival] : orders) {
      for (const bool at_once : {false, true}) {
        const std::string how = "seed " + std::to_string(seed) + ", " + name +
                                (at_once ? ", all at once" : ", one by one");
        auto tree = store(arrival, at_once);
        expectExact(tree->root() / "data", all, how);
        if (HasFailure()) return;  // one failing order says it all
      }
    }
  }
}

}  // namespace
}  // namespace vigia::server
