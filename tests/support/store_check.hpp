#pragma once

// Reads a data dir after the fact (DB, CSV, JSONL) with code independent of the server, and
// checks the promise of docs/storage.md: every report in every store exactly once, nothing partial.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vigia::test {

struct StoredReport {
  std::int64_t processes = 0;  // the counts the reports row records
  std::int64_t sessions = 0;
  std::int64_t process_rows = 0;  // the rows the child tables hold for it
  std::int64_t session_rows = 0;
};

struct StoreSnapshot {
  std::map<std::string, StoredReport> db;        // uuid → counts, from the reports table
  std::map<std::string, int> csv_occurrences;    // uuid → contiguous row groups seen
  std::map<std::string, std::int64_t> csv_rows;  // uuid → rows seen
  std::map<std::string, int> jsonl_occurrences;  // uuid → lines seen
  std::vector<std::string> problems;             // torn lines, bad headers, interleaving…
};

StoreSnapshot readStores(const std::filesystem::path& data_dir);

// Empty when the three stores agree exactly (each DB report with all its process and session
// rows, once in CSV with 1+p+s rows and once in JSONL; no child row, CSV row or JSONL line
// without its report); else one line per discrepancy.
std::vector<std::string> consistencyProblems(const StoreSnapshot& snapshot);

}  // namespace vigia::test
