#include "server/storage/sinks/file_recovery.hpp"

#include <spdlog/spdlog.h>

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

SinkFiles* ownerOf(std::span<SinkFiles> sinks, const std::string& relative) {
  for (auto& s : sinks) {
    if (relative.starts_with(s.files.directory() + "/")) return &s;
  }
  return nullptr;
}

}  // namespace

common::Status recoverDayFiles(WriteSession& db, std::span<SinkFiles> sinks) {
  for (auto& s : sinks) s.files.closeAll();
  auto recorded = db.fileCheckpoints();
  if (!recorded) return recorded.error();
  for (const auto& [relative, size] : *recorded) {
    SinkFiles* sink = ownerOf(sinks, relative);
    if (sink == nullptr) continue;  // a sink turned off: its files are left as they are
    auto actual = sink->files.size(relative);
    if (!actual) return actual.error();
    if (*actual > size) {
      spdlog::warn("recovery: {}: dropping {} bytes past the last commit", relative,
                   *actual - size);
      if (auto st = sink->files.truncate(relative, size); !st) return st;
      if (auto st = sink->files.sync(relative); !st) return st;
    } else if (*actual < size) {
      spdlog::warn("recovery: {}: shorter than recorded, rebuilding", relative);
      if (auto st = rebuildDayFile(db, *sink, relative); !st) return st;
    }
  }
  for (auto& s : sinks) {
    auto names = s.files.list();
    if (!names) return names.error();
    for (const auto& name : *names) {
      const std::string relative = s.files.relativePath(name);
      if (recorded->count(relative)) continue;
      spdlog::warn("recovery: {}: never committed, removing", relative);
      if (auto st = s.files.remove(relative); !st) return st;
    }
  }
  return common::Ok{};
}

common::Status rebuildDayFile(WriteSession& db, SinkFiles& sink, const std::string& relative) {
  const std::string name = relative.substr(relative.find('/') + 1);
  const std::size_t underscore = name.rfind('_');
  const std::size_t dot = name.find('.', underscore == std::string::npos ? 0 : underscore);
  if (underscore == std::string::npos || dot == std::string::npos) {
    return makeError(ErrorCode::kInternal, "unexpected day file name " + relative);
  }
  const std::string ip = name.substr(0, underscore);
  auto day = common::parseRfc3339(name.substr(underscore + 1, dot - underscore - 1) + "T00:00:00Z");
  if (!day) return makeError(ErrorCode::kInternal, "unexpected day file date " + relative);

  std::string content(sink.sink->header());
  auto st = db.forEachDocumentOfDay(ip, *day, [&](std::string_view document) {
    return sink.sink->renderStored(document, content);
  });
  if (!st) return st;
  if (auto removed = sink.files.remove(relative); !removed) return removed;
  auto size = sink.files.append(relative, 0, {}, content);
  if (!size) return size.error();
  if (auto synced = sink.files.sync(relative); !synced) return synced;
  return db.recordFileSize(relative, *size);
}

}  // namespace vigia::server
