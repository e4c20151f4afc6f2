#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vigia::test {

// The whole file as bytes; empty if it cannot be opened.
inline std::string readWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vigia::test
