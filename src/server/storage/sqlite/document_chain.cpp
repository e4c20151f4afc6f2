#include "server/storage/sqlite/document_chain.hpp"

#include <vector>

#include "server/storage/document_bases.hpp"
#include "server/storage/document_codec.hpp"

namespace vigia::server {
namespace {

constexpr std::size_t kKeptDecoded = 4;

}  // namespace

common::Result<DocumentChain::Frame> DocumentChain::frame(std::int64_t report_id) {
  auto stmt =
      db_.prepare("SELECT document_z, document_bytes, document_base_id FROM reports WHERE id = ?");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->bind(1, report_id).step();
  if (!row) return row.error();
  if (!*row) {
    (*stmt)->reset();
    return common::makeError(
        common::ErrorCode::kInternal,
        "stored document " + std::to_string(report_id) + " names a base document that is gone");
  }
  Frame f{(*stmt)->blob(0), (*stmt)->int64(1), std::nullopt};
  if (!(*stmt)->isNull(2)) f.base = (*stmt)->int64(2);
  (*stmt)->reset();
  return f;
}

const std::string* DocumentChain::decoded(std::int64_t report_id) const {
  for (const auto& [id, text] : recent_) {
    if (id == report_id) return &text;
  }
  return nullptr;
}

void DocumentChain::keep(std::int64_t report_id, std::string document) {
  recent_.emplace_back(report_id, std::move(document));
  if (recent_.size() > kKeptDecoded) recent_.pop_front();
}

common::Result<std::string> DocumentChain::byId(std::int64_t report_id) {
  if (const std::string* text = decoded(report_id)) return *text;
  // Down the chain to a full frame, or to a document already decoded; then back up.
  std::vector<std::pair<std::int64_t, Frame>> chain;
  std::string prefix;
  for (std::int64_t id = report_id;;) {
    auto f = frame(id);
    if (!f) return f.error();
    const std::optional<std::int64_t> base = f->base;
    chain.emplace_back(id, std::move(*f));
    if (!base) break;
    if (const std::string* text = decoded(*base)) {
      prefix = *text;
      break;
    }
    if (chain.size() > DocumentBases::kChainLength * 2) {
      return common::makeError(common::ErrorCode::kInternal,
                               "stored document chain too long at " + std::to_string(id));
    }
    id = *base;
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto text = decompressDocument(it->second.blob, static_cast<std::size_t>(it->second.bytes),
                                   it->second.base ? std::string_view(prefix) : std::string_view());
    if (!text) return text.error();
    prefix = std::move(*text);
  }
  keep(report_id, prefix);
  return prefix;
}

common::Result<std::optional<std::string>> DocumentChain::byUuid(const std::string& uuid) {
  auto stmt = db_.prepare("SELECT id FROM reports WHERE uuid = ?");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->bind(1, uuid).step();
  if (!row) return row.error();
  if (!*row) {
    (*stmt)->reset();
    return std::optional<std::string>();
  }
  const std::int64_t id = (*stmt)->int64(0);
  (*stmt)->reset();
  auto text = byId(id);
  if (!text) return text.error();
  return std::optional<std::string>(std::move(*text));
}

}  // namespace vigia::server
