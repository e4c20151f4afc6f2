#pragma once

// The durable queue between collection and delivery. A report is a file in the spool directory
// before any attempt to send it, and leaves only once the server has it (201, or 200 duplicate)
// or has refused it for good (then it moves to rejected/ with the server's answer beside it).
//
// Files are written atomically (temp file, fsync, rename, fsync of the directory), so after a
// crash each pending file is whole or absent. Names start with the spooling time in
// nanoseconds, so name order is delivery order: oldest first. The spool is bounded in count
// and bytes; past either bound the oldest pending reports are dropped with a warning.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vigia::agent {

struct SpoolLimits {
  std::size_t max_reports = 1000;
  std::uint64_t max_bytes = 268'435'456;
};

struct SpoolEntry {
  std::filesystem::path path;
  std::string report_id;  // from the file name
  std::uint64_t bytes = 0;
};

class Spool {
 public:
  // Creates the directory (mode 0700: reports list every command line of the host) and its
  // rejected/ and corrupt/ subdirectories, and removes temp files a crash left behind.
  static common::Result<Spool> open(const std::filesystem::path& dir, SpoolLimits limits);

  // Writes one report durably, then enforces the bounds (never dropping the new report).
  common::Result<SpoolEntry> put(std::string_view report_json, std::string_view report_id);

  // Pending reports, oldest first.
  std::vector<SpoolEntry> pending() const;

  // The report's bytes; a file that cannot be read or is not a JSON object is moved to
  // corrupt/ with a warning and an error is returned.
  common::Result<std::string> read(const SpoolEntry& entry);

  // Delivered: the file goes.
  common::Status remove(const SpoolEntry& entry);

  // Refused for good: the report moves to rejected/, the server's answer is saved beside it
  // as <name>.response. rejected/ is bounded like the spool.
  common::Status reject(const SpoolEntry& entry, long http_status, std::string_view answer);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path rejectedDir() const { return dir_ / "rejected"; }
  std::filesystem::path corruptDir() const { return dir_ / "corrupt"; }

 private:
  Spool(std::filesystem::path dir, SpoolLimits limits) : dir_(std::move(dir)), limits_(limits) {}
  void enforceBounds(const std::filesystem::path& keep);
  void moveAside(const SpoolEntry& entry, const std::string& why);

  std::filesystem::path dir_;
  SpoolLimits limits_;
};

// Writes `data` to `path` atomically and durably (temp file in the same directory, fsync,
// rename, fsync of the directory).
common::Status writeFileAtomically(const std::filesystem::path& path, std::string_view data);

}  // namespace vigia::agent
