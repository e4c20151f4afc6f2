#pragma once

// The data dir holds every command line and user name of the fleet: the server creates it
// 0750 and every file in it 0640 (docs/storage.md), and says so when it finds anything in it that
// every local user can read.

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace vigia::server {

inline constexpr std::filesystem::perms kDataDirMode = std::filesystem::perms(0750);
inline constexpr mode_t kDataFileMode = 0640;

// Creates `dir` (and missing parents) 0750; an existing directory keeps its mode.
common::Status createDataDirectory(const std::filesystem::path& dir);

// The data dir and what is in it that every user can read: its path (relative to the data
// dir, "." for itself) and mode, at most `max` of them.
struct Exposed {
  std::string path;
  unsigned mode = 0;
};
std::vector<Exposed> worldReadable(const std::filesystem::path& data_dir, std::size_t max = 10);

}  // namespace vigia::server
