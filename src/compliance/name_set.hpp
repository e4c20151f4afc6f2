#pragma once

// Exact names (process names, users, OS ids), looked up by a hash the caller computed once per
// report value: every process rule asks about the same few hundred names, so hashing them once
// per report instead of once per rule keeps a rule's pass over the processes a few integer
// compares per process.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigia::compliance {

inline std::size_t hashName(std::string_view text) { return std::hash<std::string_view>{}(text); }

class NameSet {
 public:
  NameSet() = default;
  explicit NameSet(std::vector<std::string> names);

  bool contains(std::string_view text, std::size_t hash) const;
  bool contains(std::string_view text) const { return contains(text, hashName(text)); }
  bool empty() const { return entries_.empty(); }
  // (hash, name), sorted by hash.
  const std::vector<std::pair<std::size_t, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::size_t, std::string>> entries_;  // sorted by hash
};

}  // namespace vigia::compliance
