#pragma once

// A TOML configuration file read against the keys a program knows: every leaf is found by its
// dotted key with its line, and a key nobody declared is refused with its line, so a typo such
// as `max_body_byte` never silently falls back to a default.

#include <toml++/toml.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vigia::options {

class TomlFile {
 public:
  struct Entry {
    std::string key;  // dotted: "files.compress"
    const toml::node* node;
    std::size_t line;
  };

  static common::Result<TomlFile> read(const std::filesystem::path& path,
                                       const std::vector<std::string_view>& known_keys);

  const std::vector<Entry>& entries() const { return entries_; }

  TomlFile(TomlFile&&) noexcept = default;
  TomlFile& operator=(TomlFile&&) noexcept = default;

 private:
  TomlFile() = default;
  common::Status collect(const toml::table& table, const std::string& prefix,
                         const std::vector<std::string_view>& known_keys,
                         const std::filesystem::path& path);

  // The entries point into the parsed table, so it lives on the heap and moves with them.
  std::unique_ptr<toml::table> root_;
  std::vector<Entry> entries_;
};

}  // namespace vigia::options
