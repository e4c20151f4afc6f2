#pragma once

// The day files of one sink (csv/ or json/ under the data dir), as the storage writer sees
// them: append-only files whose committed length is recorded in the database (export_files),
// so that anything beyond it can be cut off after a failure or a crash. Paths are relative to
// the data dir ("csv/10.0.0.5_2026-11-22.csv"), as the checkpoint records them.

#include <cstdint>
#include <filesystem>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace vigia::server {

class DayFiles {
 public:
  DayFiles(std::filesystem::path data_dir, std::string directory, bool fsync,
           std::size_t max_open = 128);
  ~DayFiles();
  DayFiles(const DayFiles&) = delete;
  DayFiles& operator=(const DayFiles&) = delete;
  DayFiles(DayFiles&& other) noexcept;  // the open files go along
  DayFiles& operator=(DayFiles&&) = delete;

  // Creates the directory if missing.
  common::Status prepareDirectory();

  // Appends `pieces`, in order, to a file of `size_before` bytes (the caller has just read it
  // with size(), to be able to truncate back); when that is 0, `header` goes first. Returns the
  // size after. The pieces go out with writev, straight from the caller's buffers: a batch of
  // reports is never copied into one string first.
  common::Result<std::int64_t> append(const std::string& relative, std::int64_t size_before,
                                      std::string_view header,
                                      std::span<const std::string_view> pieces);
  common::Result<std::int64_t> append(const std::string& relative, std::int64_t size_before,
                                      std::string_view header, std::string_view bytes) {
    return append(relative, size_before, header, std::span<const std::string_view>(&bytes, 1));
  }
  // Current size; 0 when the file does not exist.
  common::Result<std::int64_t> size(const std::string& relative);
  // Starts writing the file's dirty pages out without waiting (sync_file_range): a batch
  // starts every file it wrote, then waits for each in sync(), so the disk works on all of
  // them at once instead of one after the other.
  void startWriteback(const std::string& relative);
  // fsync the directory (after a rename into it).
  common::Status syncDirectory();
  // fdatasync the file (and its directory if it was created since the last sync).
  common::Status sync(const std::string& relative);
  common::Status truncate(const std::string& relative, std::int64_t size);
  common::Status remove(const std::string& relative);
  void closeAll();

  const std::filesystem::path& dataDir() const { return data_dir_; }
  // "csv": the directory under the data dir, and the prefix of every path of these files.
  const std::string& directory() const { return directory_; }
  // "csv/<name>".
  std::string relativePath(std::string_view name) const;
  // The names of the files the directory holds now.
  common::Result<std::vector<std::string>> list() const;

 private:
  common::Result<int> fd(const std::string& relative);

  std::filesystem::path data_dir_;
  std::string directory_;
  bool fsync_;
  std::size_t max_open_;
  std::unordered_map<std::string, int> open_;
  std::list<std::string> lru_;                     // front: most recently used
  std::unordered_map<std::string, bool> created_;  // created since last directory sync
};

}  // namespace vigia::server
