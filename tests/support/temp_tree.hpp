#pragma once

// A fixture tree built by the test in a fresh temp dir (removed afterwards): fake /proc, /sys,
// /etc. Files with odd bytes (newlines in names, NULs) are easier to write from code than to
// commit.

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace vigia::test {

class TempTree {
 public:
  TempTree()
      : root_(std::filesystem::temp_directory_path() /
              ("vigia-tree-" + std::to_string(std::random_device{}()) +
               std::to_string(std::random_device{}()))) {
    std::filesystem::create_directories(root_);
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // Writes `content` (any bytes) at root/relative, creating directories.
  std::filesystem::path write(const std::string& relative, std::string_view content) const {
    const auto path = root_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return path;
  }
  void mkdir(const std::string& relative) const {
    std::filesystem::create_directories(root_ / relative);
  }

 private:
  std::filesystem::path root_;
};

}  // namespace vigia::test
