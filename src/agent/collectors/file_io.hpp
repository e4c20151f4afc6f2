#pragma once

// Reading the small virtual files of /proc and /sys. Plain open/read: no iostreams, no
// buffering layers, since the agent reads ~1,000 of these per collection.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vigia::agent {

// Whole file, or at most `max_bytes` of it. kNotFound when the file (or its process) is gone,
// kPermissionDenied when the kernel refuses, kIo otherwise.
common::Result<std::string> readFile(const char* path, std::size_t max_bytes = 1 << 20);
inline common::Result<std::string> readFile(const std::filesystem::path& path,
                                            std::size_t max_bytes = 1 << 20) {
  return readFile(path.c_str(), max_bytes);
}

std::string_view trim(std::string_view s);

}  // namespace vigia::agent
