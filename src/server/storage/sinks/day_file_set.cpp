#include "server/storage/sinks/day_file_set.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

constexpr auto kSyncInterval = std::chrono::seconds(1);

// "csv/10.0.0.5_2026-11-22.csv.zst" → ("10.0.0.5", 2026-11-22T00:00:00Z).
common::Result<std::pair<std::string, common::Timestamp>> dayOf(const std::string& relative) {
  const std::string name = relative.substr(relative.find('/') + 1);
  const std::size_t underscore = name.rfind('_');
  const std::size_t dot = name.find('.', underscore == std::string::npos ? 0 : underscore);
  if (underscore == std::string::npos || dot == std::string::npos) {
    return makeError(ErrorCode::kInternal, "unexpected day file name " + relative);
  }
  auto day = common::parseRfc3339(name.substr(underscore + 1, dot - underscore - 1) + "T00:00:00Z");
  if (!day) return makeError(ErrorCode::kInternal, "unexpected day file date " + relative);
  return std::pair{name.substr(0, underscore), *day};
}

bool operator!=(const DayFileSet::Checkpoint& a, const DayFileSet::Checkpoint& b) {
  return a.size != b.size || a.last_report_id != b.last_report_id;
}

std::uint64_t nextGeneration() {
  static std::uint64_t generation = 0;  // the writer thread's alone
  return ++generation;
}

}  // namespace

DayFileSet::FileState DayFileSet::newState(std::size_t sink, const std::string& relative,
                                           const Checkpoint& cp) {
  FileState f;
  f.sink = sink;
  f.recorded = cp;
  f.written = cp;
  f.has_row = true;
  f.generation = nextGeneration();
  if (auto day = dayOf(relative)) {
    f.day_end_us = day->second.time_since_epoch().count() + std::int64_t{86'400'000'000};
  }
  return f;
}

void DayFileSet::Batch::add(std::size_t sink, const std::string& path, DayCompression compression,
                            std::size_t report, std::string_view rows) {
  auto [it, inserted] = index_.try_emplace(path, appends_.size());
  if (inserted) appends_.push_back({sink, path, compression, {}, {}, 0, 0, 0, false});
  Append& a = appends_[it->second];
  a.pieces.push_back(rows);
  a.reports.push_back(report);
}

DayFileSet::DayFileSet(std::vector<SinkFiles> sinks, bool fsync)
    : sinks_(std::move(sinks)), fsync_(fsync) {
  sync_thread_ = std::thread([this] { syncLoop(); });
}

DayFileSet::~DayFileSet() {
  {
    std::lock_guard lock(sync_mutex_);
    stopping_ = true;
  }
  sync_cv_.notify_one();
  if (sync_thread_.joinable()) sync_thread_.join();
}

std::pair<std::string, DayCompression> DayFileSet::target(std::size_t sink,
                                                          std::string_view name) const {
  const std::string plain = sinks_[sink].files.relativePath(
      std::string(name) + std::string(sinks_[sink].sink->extension()));
  if (files_.count(plain)) return {plain, DayCompression::kNone};
  for (const DayCompression c : {DayCompression::kZstd, DayCompression::kGzip}) {
    std::string compressed = plain + std::string(daySuffix(c));
    if (files_.count(compressed)) return {std::move(compressed), c};
  }
  return {plain, DayCompression::kNone};
}

common::Status DayFileSet::recover(WriteSession& db) {
  for (auto& s : sinks_) {
    if (auto st = s.files.prepareDirectory(); !st) return st;
    s.files.closeAll();
  }
  auto recorded = db.fileCheckpoints();
  if (!recorded) return recorded.error();
  files_.clear();
  pending_records_.clear();
  for (auto& [relative, checkpoint] : *recorded) {
    std::size_t s = 0;
    while (s < sinks_.size() && !relative.starts_with(sinks_[s].files.directory() + "/")) ++s;
    if (s == sinks_.size()) continue;  // a sink turned off: its files are left as they are
    SinkFiles& sink = sinks_[s];
    auto actual = sink.files.size(relative);
    if (!actual) return actual.error();
    const bool rebuild = *actual < checkpoint.size;
    if (rebuild) {
      spdlog::warn("recovery: {}: shorter than its checkpoint, rebuilding it", relative);
    } else if (*actual > checkpoint.size) {
      spdlog::info("recovery: {}: cutting {} bytes written after its checkpoint", relative,
                   *actual - checkpoint.size);
      if (auto st = sink.files.truncate(relative, checkpoint.size); !st) return st;
    }
    Checkpoint cp = checkpoint;
    if (auto st = redo(db, sink, relative, cp, rebuild); !st) return st;
    files_[relative] = newState(s, relative, cp);
  }
  for (auto& s : sinks_) {
    auto names = s.files.list();
    if (!names) return names.error();
    for (const auto& name : *names) {
      const std::string relative = s.files.relativePath(name);
      if (recorded->count(relative)) continue;
      spdlog::warn("recovery: {}: not in the export checkpoint (never committed), removing",
                   relative);
      if (auto st = s.files.remove(relative); !st) return st;
    }
  }
  return common::Ok{};
}

// Writes again, from the stored documents, the rows of the file's reports after its
// checkpoint (or all of them, `rebuild`), and records where the file now is.
common::Status DayFileSet::redo(WriteSession& db, SinkFiles& sink, const std::string& relative,
                                Checkpoint& checkpoint, bool rebuild) {
  auto day = dayOf(relative);
  if (!day) return day.error();
  const DayCompression compression = dayCompressionOf(relative);
  std::string rows;
  std::int64_t last = rebuild ? 0 : checkpoint.last_report_id;
  std::size_t reports = 0;
  auto st = db.forEachDocumentOfDay(day->first, day->second, last,
                                    [&](std::int64_t id, std::string_view document) {
                                      last = id;
                                      ++reports;
                                      return sink.sink->renderStored(document, rows);
                                    });
  if (!st) return st;
  const bool fresh = rebuild || checkpoint.size == 0;
  if (reports == 0 && !rebuild) return common::Ok{};  // already whole
  std::string content = fresh ? std::string(sink.sink->header()) + rows : rows;
  if (compression != DayCompression::kNone) {
    auto frame = compressDayFrame(compression, content);
    if (!frame) return frame.error();
    content = std::move(*frame);
  }
  if (rebuild) {
    if (auto removed = sink.files.remove(relative); !removed) return removed;
  }
  auto size = sink.files.append(relative, rebuild ? 0 : checkpoint.size, {}, content);
  if (!size) return size.error();
  if (auto synced = sink.files.sync(relative); !synced) return synced;
  if (!rebuild) {
    spdlog::info("recovery: {}: wrote again {} report(s) committed after its checkpoint", relative,
                 reports);
  }
  checkpoint = {*size, last};
  return db.recordFile(relative, checkpoint);
}

common::Status DayFileSet::appendSink(std::size_t s, std::span<Batch::Append*> appends) {
  SinkFiles& sink = sinks_[s];
  for (Batch::Append* a : appends) {
    auto before = sink.files.size(a->path);
    if (!before) return before.error();
    a->size_before = *before;
    a->written = true;  // from here on, a failure leaves bytes to cut back
    common::Result<std::int64_t> after = std::int64_t{0};
    if (a->compression == DayCompression::kNone) {
      // Rows of one file go out with one writev: reports never interleave, and nothing is
      // copied on the way to the kernel.
      after = sink.files.append(a->path, *before, sink.sink->header(), a->pieces);
    } else {
      // A late report for a compressed day: one more frame (member) at its end.
      std::string rows;
      for (const auto piece : a->pieces) rows.append(piece);
      auto frame = compressDayFrame(a->compression, rows);
      if (!frame) return frame.error();
      after = sink.files.append(a->path, *before, {}, *frame);
    }
    if (!after) return after.error();
    a->size_after = *after;
    if (fsync_) sink.files.startWriteback(a->path);  // the sync thread waits for it later
  }
  return common::Ok{};
}

common::Status DayFileSet::write(Batch& batch) {
  std::vector<std::vector<Batch::Append*>> by_sink(sinks_.size());
  for (auto& a : batch.appends_) by_sink[a.sink].push_back(&a);
  std::vector<std::future<common::Status>> writing;
  for (std::size_t s = 0; s < sinks_.size(); ++s) {
    if (by_sink[s].empty()) continue;
    auto append = [this, s, &by_sink] { return appendSink(s, by_sink[s]); };
    try {
      writing.push_back(std::async(std::launch::async, append));
    } catch (const std::system_error&) {  // no thread to be had: here, in turn
      std::promise<common::Status> done;
      done.set_value(append());
      writing.push_back(done.get_future());
    }
  }
  common::Status st = common::Ok{};
  for (auto& w : writing) {
    const common::Status written = w.get();
    if (st && !written) st = written;
  }
  return st;
}

common::Status DayFileSet::record(WriteSession& db, Batch& batch,
                                  std::span<const std::int64_t> report_ids) {
  for (auto& a : batch.appends_) {
    for (const std::size_t r : a.reports)
      a.last_report_id = std::max(a.last_report_id, report_ids[r]);
    if (!files_.count(a.path)) {
      // Empty: what is durable of a new file is nothing yet; recovery fills it from the
      // database if the process stops before its first sync.
      if (auto st = db.recordFile(a.path, {0, 0}); !st) return st;
    }
  }
  std::vector<SyncResult> results;
  {
    std::lock_guard lock(sync_mutex_);
    results.swap(sync_results_);
  }
  return recordSyncs(db, results);
}

common::Status DayFileSet::recordSyncs(WriteSession& db, std::vector<SyncResult>& results) {
  for (auto& r : results) {
    auto it = files_.find(r.path);
    if (it == files_.end() || it->second.generation != r.generation) continue;  // rewritten since
    if (!r.ok) {
      spdlog::error("sync of {} failed; it is retried, and its checkpoint waits", r.path);
      continue;
    }
    if (!(r.checkpoint != it->second.recorded)) continue;
    if (auto st = db.recordFile(r.path, r.checkpoint); !st) return st;
    pending_records_.push_back(std::move(r));
  }
  return common::Ok{};
}

void DayFileSet::committed(const Batch& batch) {
  for (const auto& a : batch.appends_) {
    auto [it, inserted] = files_.try_emplace(a.path);
    FileState& f = it->second;
    if (inserted) {
      f = newState(a.sink, a.path, {0, 0});
      f.created = true;
    }
    f.written = {a.size_after, a.last_report_id};
  }
  for (const auto& r : pending_records_) {
    if (auto it = files_.find(r.path); it != files_.end()) it->second.recorded = r.checkpoint;
  }
  pending_records_.clear();
}

bool DayFileSet::rolledBack(const Batch& batch) {
  pending_records_.clear();  // their syncs are found again by the next maybeSync
  bool ok = true;
  for (const auto& a : batch.appends_) {
    if (!a.written) continue;
    if (!sinks_[a.sink].files.truncate(a.path, a.size_before)) ok = false;
  }
  return ok;
}

void DayFileSet::maybeSync() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<SyncTarget> targets;
  {
    std::lock_guard lock(sync_mutex_);
    if (sync_busy_ || now - last_sync_ < kSyncInterval) return;
  }
  for (auto& [path, f] : files_) {
    if (!(f.written != f.recorded)) continue;
    targets.push_back({path, (sinks_[f.sink].files.dataDir() / path).string(), f.written,
                       f.generation, f.created});
    f.created = false;
  }
  last_sync_ = now;
  if (targets.empty()) return;
  std::lock_guard lock(sync_mutex_);
  sync_targets_ = std::move(targets);
  sync_busy_ = true;
  sync_cv_.notify_one();
}

bool DayFileSet::hasSyncResults() {
  std::lock_guard lock(sync_mutex_);
  return !sync_results_.empty();
}

void DayFileSet::syncLoop() {
  ::pthread_setname_np(::pthread_self(), "vigia-sync");
  std::unique_lock lock(sync_mutex_);
  while (true) {
    sync_cv_.wait(lock, [this] { return !sync_targets_.empty() || stopping_; });
    if (stopping_) return;
    std::vector<SyncTarget> targets;
    targets.swap(sync_targets_);
    lock.unlock();
    std::vector<SyncResult> results;
    for (auto& t : targets) {
      bool ok = true;
      if (fsync_) {
        const int fd = ::open(t.absolute.c_str(), O_RDONLY | O_CLOEXEC);
        ok = fd >= 0 && ::fdatasync(fd) == 0;
        if (fd >= 0) ::close(fd);
        if (ok && t.created) {
          const std::string dir = t.absolute.substr(0, t.absolute.rfind('/'));
          const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          ok = dfd >= 0 && ::fsync(dfd) == 0;
          if (dfd >= 0) ::close(dfd);
        }
      }
      results.push_back({std::move(t.path), t.checkpoint, t.generation, ok});
    }
    lock.lock();
    for (auto& r : results) sync_results_.push_back(std::move(r));
    sync_busy_ = false;
  }
}

common::Status DayFileSet::syncAll(WriteSession& db) {
  // Waits for a sync under way, then syncs the rest here and records it all.
  while (true) {
    {
      std::lock_guard lock(sync_mutex_);
      if (!sync_busy_) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<SyncResult> results;
  {
    std::lock_guard lock(sync_mutex_);
    results.swap(sync_results_);
  }
  for (auto& [path, f] : files_) {
    if (!(f.written != f.recorded)) continue;
    auto st = sinks_[f.sink].files.sync(path);
    results.push_back({path, f.written, f.generation, static_cast<bool>(st)});
  }
  if (results.empty()) return common::Ok{};
  if (auto st = db.begin(); !st) return st;
  auto st = recordSyncs(db, results);
  if (st) st = db.commit();
  if (!st) {
    db.rollback();
    pending_records_.clear();
    return st;
  }
  for (const auto& r : pending_records_) files_[r.path].recorded = r.checkpoint;
  pending_records_.clear();
  return common::Ok{};
}

}  // namespace vigia::server

namespace vigia::server {

std::vector<DayFileSet::CompressionJob> DayFileSet::dueForCompression(common::Timestamp now,
                                                                      std::chrono::hours after,
                                                                      DayCompression compression,
                                                                      std::size_t max) {
  std::vector<CompressionJob> jobs;
  if (compression == DayCompression::kNone) return jobs;
  const std::int64_t due_before =
      now.time_since_epoch().count() - std::chrono::microseconds(after).count();
  for (auto& [path, f] : files_) {
    if (jobs.size() >= max) break;
    if (f.compressing || f.day_end_us > due_before || f.written.size == 0 ||
        dayCompressionOf(path) != DayCompression::kNone) {
      continue;
    }
    const std::string target = path + std::string(daySuffix(compression));
    if (files_.count(target)) continue;  // both at once: only after a crash; recovery's to sort
    const auto& dir = sinks_[f.sink].files.dataDir();
    f.compressing = true;
    jobs.push_back({path, (dir / path).string(), target, (dir / target).string(), compression,
                    f.written, f.generation});
  }
  return jobs;
}

void DayFileSet::abandonCompression(const CompressionJob& job) {
  std::error_code ec;
  std::filesystem::remove(job.target_absolute + ".tmp", ec);
  if (auto it = files_.find(job.path); it != files_.end()) it->second.compressing = false;
}

common::Status DayFileSet::finishCompression(WriteSession& db, const CompressionJob& job,
                                             std::int64_t compressed_size) {
  auto it = files_.find(job.path);
  if (it == files_.end() || it->second.generation != job.generation ||
      it->second.written != job.snapshot) {
    abandonCompression(job);  // a late report came meanwhile (or retention): again later
    return common::Ok{};
  }
  FileState& plain = it->second;
  DayFiles& files = sinks_[plain.sink].files;
  files.closeAll();  // the plain file's descriptor, before it goes
  if (::rename((job.target_absolute + ".tmp").c_str(), job.target_absolute.c_str()) != 0) {
    const int err = errno;
    abandonCompression(job);
    return makeError(ErrorCode::kUnavailable, "rename " + job.target + ": " + std::strerror(err));
  }
  const Checkpoint compressed{compressed_size, job.snapshot.last_report_id};
  common::Status st = files.syncDirectory();  // the renamed entry
  if (st) st = db.begin();
  if (st) st = db.forgetFile(job.path);
  if (st) st = db.recordFile(job.target, compressed);
  if (st) st = db.commit();
  if (!st) {
    db.rollback();
    (void)files.remove(job.target);
    plain.compressing = false;
    return st;
  }
  const std::size_t sink = plain.sink;
  files_.erase(it);
  files_[job.target] = newState(sink, job.target, compressed);
  // Recorded no more: if this fails, recovery removes it at the next start.
  if (auto removed = files.remove(job.path); !removed) {
    spdlog::warn("compression: {}", removed.error().message);
  }
  return common::Ok{};
}

common::Result<std::size_t> DayFileSet::removeDaysBefore(WriteSession& db,
                                                         common::Timestamp cutoff) {
  const std::int64_t cut = cutoff.time_since_epoch().count();
  std::vector<std::string> expired;
  for (const auto& [path, f] : files_) {
    if (f.day_end_us != 0 && f.day_end_us <= cut && !f.compressing) expired.push_back(path);
  }
  if (expired.empty()) return std::size_t{0};
  common::Status st = db.begin();
  for (const auto& path : expired) {
    if (st) st = db.forgetFile(path);
  }
  if (st) st = db.commit();
  if (!st) {
    db.rollback();
    return st.error();
  }
  for (const auto& path : expired) {
    auto it = files_.find(path);
    const std::size_t sink = it->second.sink;
    files_.erase(it);
    if (auto removed = sinks_[sink].files.remove(path); !removed) {
      spdlog::warn("retention: {}", removed.error().message);
    }
  }
  return expired.size();
}

}  // namespace vigia::server
