#pragma once

// Reads stored documents back on one connection: a document compressed against another
// (reports.document_base_id) is decompressed after its base, down to a full frame. The last
// documents read stay decoded, so reading a host's reports in order costs one frame each.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "common/result.hpp"
#include "server/storage/sqlite/connection.hpp"

namespace vigia::server {

class DocumentChain {
 public:
  explicit DocumentChain(SqliteConnection& db) : db_(db) {}

  common::Result<std::string> byId(std::int64_t report_id);
  // nullopt: no such report.
  common::Result<std::optional<std::string>> byUuid(const std::string& uuid);

 private:
  struct Frame {
    std::string blob;
    std::int64_t bytes = 0;
    std::optional<std::int64_t> base;
  };
  common::Result<Frame> frame(std::int64_t report_id);
  const std::string* decoded(std::int64_t report_id) const;
  void keep(std::int64_t report_id, std::string document);

  SqliteConnection& db_;
  std::deque<std::pair<std::int64_t, std::string>> recent_;  // a few, newest last
};

}  // namespace vigia::server
