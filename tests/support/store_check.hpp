#pragma once

// Reads a data dir after the fact (DB, CSV, JSONL) with code independent of the server, and
// checks the SPEC §4 promise: every report in every store exactly once, nothing partial.

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vigia::test {

struct StoredReport {
  std::int64_t processes = 0;
  std::int64_t sessions = 0;
};

struct StoreSnapshot {
  std::map<std::string, StoredReport> db;        // uuid → counts, from the reports table
  std::map<std::string, int> csv_occurrences;    // uuid → contiguous row groups seen
  std::map<std::string, std::int64_t> csv_rows;  // uuid → rows seen
  std::map<std::string, int> jsonl_occurrences;  // uuid → lines seen
  std::vector<std::string> problems;             // torn lines, bad headers, interleaving…
};

StoreSnapshot readStores(const std::filesystem::path& data_dir);

// Empty when the three stores agree exactly (each DB report once in CSV with 1+p+s rows and
// once in JSONL, nothing in the files that the DB lacks); else one line per discrepancy.
std::vector<std::string> consistencyProblems(const StoreSnapshot& snapshot);

}  // namespace vigia::test
