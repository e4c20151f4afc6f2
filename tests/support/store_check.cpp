#include "store_check.hpp"

#include <sqlite3.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "csv_reader.hpp"
#include "day_file.hpp"
#include "read_file.hpp"

namespace vigia::test {
namespace {

void readDatabase(const std::filesystem::path& db, StoreSnapshot& s) {
  sqlite3* conn = nullptr;
  if (sqlite3_open_v2(db.c_str(), &conn, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    s.problems.push_back("cannot open " + db.string());
    sqlite3_close(conn);
    return;
  }
  std::map<std::int64_t, std::string> uuid_of;  // reports.id → uuid
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(conn, "SELECT id, uuid, process_count, session_count FROM reports", -1,
                         &stmt, nullptr) == SQLITE_OK) {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const std::string uuid = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
      if (s.db.count(uuid)) s.problems.push_back("uuid twice in the database: " + uuid);
      s.db[uuid] = {sqlite3_column_int64(stmt, 2), sqlite3_column_int64(stmt, 3), 0, 0};
      uuid_of[sqlite3_column_int64(stmt, 0)] = uuid;
    }
  } else {
    s.problems.push_back(std::string("query failed: ") + sqlite3_errmsg(conn));
  }
  sqlite3_finalize(stmt);
  // The child rows each report really has, in one pass over each table.
  const std::pair<const char*, std::int64_t StoredReport::*> children[] = {
      {"processes", &StoredReport::process_rows}, {"sessions", &StoredReport::session_rows}};
  for (const auto& [table, rows] : children) {
    const std::string sql =
        std::string("SELECT report_id, count(*) FROM ") + table + " GROUP BY report_id";
    stmt = nullptr;
    if (sqlite3_prepare_v2(conn, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      s.problems.push_back(std::string("query failed: ") + sqlite3_errmsg(conn));
      sqlite3_finalize(stmt);
      continue;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const auto report = uuid_of.find(sqlite3_column_int64(stmt, 0));
      if (report == uuid_of.end()) {
        s.problems.push_back(std::string(table) + " rows of no report (report_id " +
                             std::to_string(sqlite3_column_int64(stmt, 0)) + ")");
        continue;
      }
      s.db[report->second].*rows = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(conn);
}

void readCsvFiles(const std::filesystem::path& dir, StoreSnapshot& s) {
  if (!std::filesystem::exists(dir)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::string error;
    const auto text = readDayFile(entry.path(), &error);
    if (!text) {
      s.problems.push_back(name + ": " + error);
      continue;
    }
    std::vector<CsvRow> rows;
    try {
      rows = parseCsv(*text);
    } catch (const std::exception& e) {
      s.problems.push_back(name + ": " + e.what());
      continue;
    }
    if (rows.empty() || rows[0].empty() || rows[0][0] != "report_id") {
      s.problems.push_back(name + ": missing header");
      continue;
    }
    std::string current;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      if (rows[i].size() != 21)
        s.problems.push_back(name + ": row with " + std::to_string(rows[i].size()) + " cells");
      if (rows[i][0] == "report_id") s.problems.push_back(name + ": header repeated");
      if (rows[i][0] != current) {
        current = rows[i][0];
        s.csv_occurrences[current]++;  // a second group for one id means interleaving or a
                                       // duplicate
      }
      s.csv_rows[current]++;
    }
  }
}

void readJsonlFiles(const std::filesystem::path& dir, StoreSnapshot& s) {
  if (!std::filesystem::exists(dir)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    std::string error;
    const auto content = readDayFile(entry.path(), &error);
    if (!content) {
      s.problems.push_back(name + ": " + error);
      continue;
    }
    const std::string& text = *content;
    if (!text.empty() && text.back() != '\n') s.problems.push_back(name + ": torn last line");
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("report_id") || !j.contains("server")) {
        s.problems.push_back(name + ": unparsable line");
        continue;
      }
      std::string id = j["report_id"].get<std::string>();
      for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      s.jsonl_occurrences[id]++;
    }
  }
}

}  // namespace

StoreSnapshot readStores(const std::filesystem::path& data_dir) {
  StoreSnapshot s;
  readDatabase(data_dir / "vigia.db", s);
  readCsvFiles(data_dir / "csv", s);
  readJsonlFiles(data_dir / "json", s);
  return s;
}

std::vector<std::string> consistencyProblems(const StoreSnapshot& s) {
  std::vector<std::string> problems = s.problems;
  for (const auto& [uuid, counts] : s.db) {
    if (counts.process_rows != counts.processes || counts.session_rows != counts.sessions) {
      problems.push_back(uuid + ": " + std::to_string(counts.process_rows) + " process and " +
                         std::to_string(counts.session_rows) + " session rows for " +
                         std::to_string(counts.processes) + " and " +
                         std::to_string(counts.sessions));
    }
    auto csv = s.csv_occurrences.find(uuid);
    if (csv == s.csv_occurrences.end() || csv->second != 1) {
      problems.push_back(uuid + ": in CSV " +
                         std::to_string(csv == s.csv_occurrences.end() ? 0 : csv->second) +
                         " times");
    } else if (s.csv_rows.at(uuid) != 1 + counts.processes + counts.sessions) {
      problems.push_back(uuid + ": " + std::to_string(s.csv_rows.at(uuid)) + " CSV rows");
    }
    auto jl = s.jsonl_occurrences.find(uuid);
    if (jl == s.jsonl_occurrences.end() || jl->second != 1) {
      problems.push_back(uuid + ": in JSONL " +
                         std::to_string(jl == s.jsonl_occurrences.end() ? 0 : jl->second) +
                         " times");
    }
  }
  for (const auto& [uuid, n] : s.csv_occurrences) {
    if (!s.db.count(uuid)) problems.push_back(uuid + ": in CSV but not in the database");
  }
  for (const auto& [uuid, n] : s.jsonl_occurrences) {
    if (!s.db.count(uuid)) problems.push_back(uuid + ": in JSONL but not in the database");
  }
  return problems;
}

}  // namespace vigia::test
