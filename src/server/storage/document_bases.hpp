#pragma once

// The document each host's next report is compressed against (document_codec.hpp): the
// host's newest stored document, kept in memory by the writer after each commit and read by
// the submitting threads. A chain of such frames is read back by decompressing it from its
// full frame forward (sqlite/document_chain.hpp), so every kChainLength-th document of a
// host is a full frame. Memory is bounded: past `max_bytes`, the least recently used hosts
// are forgotten and their next report starts a new chain.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace vigia::server {

class DocumentBases {
 public:
  static constexpr int kChainLength = 32;

  struct Base {
    std::int64_t report_id = 0;
    std::int64_t collected_us = 0;
    int depth = 0;  // frames since the chain's full frame (0: it is the full frame)
    std::string document;
  };

  explicit DocumentBases(std::size_t max_bytes = std::size_t{64} << 20);

  // What `ip`'s next report should be compressed against; null: a full frame.
  std::shared_ptr<const Base> baseFor(const std::string& ip);
  // A report was committed; it becomes its host's base if it is the host's newest.
  void stored(const std::string& ip, std::shared_ptr<const Base> base);
  // Retention or a failed batch: start the host's chain anew.
  void forget(const std::string& ip);

 private:
  struct Entry {
    std::string ip;
    std::shared_ptr<const Base> base;
  };
  std::mutex mutex_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_ip_;
};

}  // namespace vigia::server
