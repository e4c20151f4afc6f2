#include "server/storage/report_writer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <future>
#include <map>
#include <string_view>
#include <unordered_set>

#include "server/storage/document_codec.hpp"
#include "server/storage/sinks/file_recovery.hpp"
#include "server/storage/sinks/jsonl_line.hpp"

namespace vigia::server {

// A submitted report with everything the writer puts on disk already rendered: rendering runs
// on the submitting (I/O) threads, in parallel, so the single writer thread only writes.
struct ReportWriter::Pending {
  IngestItem item;
  std::function<void(StoreResult)> done;
  std::vector<std::string> rendered;  // one per sink, in sink order
  std::string document_z;             // the JSON Lines line without its "\n", compressed
  std::int64_t document_bytes = 0;
};

// One sink's share of a batch: each file's pieces, in batch order. Filled and read on a helper
// thread that touches the sink's files and these pieces only, never the database.
struct ReportWriter::FileAppends {
  std::map<std::string, std::vector<std::string_view>> pieces;  // per relative path
  std::map<std::string, std::int64_t> sizes_before;
  std::vector<std::pair<std::string, std::int64_t>> sizes_after;
};

ReportWriter::ReportWriter(Database& db, std::vector<SinkFiles>& sinks,
                           std::vector<std::unique_ptr<DerivedStep>> steps, WriterOptions options)
    : db_(db), sinks_(sinks), steps_(std::move(steps)), options_(options) {}

ReportWriter::~ReportWriter() { stop(); }

common::Status ReportWriter::start() {
  for (auto& s : sinks_) {
    if (auto st = s.files.prepareDirectory(); !st) return st;
  }
  if (auto st = recoverDayFiles(db_.writer(), sinks_); !st) return st;
  auto hosts = db_.writer().countHosts();
  if (!hosts) return hosts.error();
  known_servers_ = *hosts;
  thread_ = std::thread([this] { loop(); });
  return common::Ok{};
}

void ReportWriter::submit(IngestItem item, std::function<void(StoreResult)> done) {
  Pending pending{std::move(item), std::move(done), {}, {}, 0};
  const std::string line =
      makeJsonlLine(pending.item.body, pending.item.received_at, pending.item.source_addr);
  const RenderInput input{pending.item.validated, line};
  pending.rendered.reserve(sinks_.size());
  for (const auto& s : sinks_) pending.rendered.push_back(s.sink->render(input));
  const std::string_view document = std::string_view(line).substr(0, line.size() - 1);
  pending.document_z = compressDocument(document);
  pending.document_bytes = static_cast<std::int64_t>(document.size());
  if (pending.document_z.empty()) {
    pending.done({StoreOutcome::kUnavailable, "out of memory compressing the report"});
    return;
  }
  {
    std::lock_guard lock(queue_mutex_);
    if (!stopping_ && queue_.size() < options_.max_queued_reports) {
      queue_.push_back(std::move(pending));
      queue_cv_.notify_one();
      return;
    }
  }
  pending.done(
      {StoreOutcome::kUnavailable, stopping_ ? "server is stopping" : "ingest queue full"});
}

void ReportWriter::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    queue_cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void ReportWriter::loop() {
  ::pthread_setname_np(::pthread_self(), "vigia-store");  // for top -H and perf
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
      if (queue_.empty()) return;  // stopping, and everything submitted is answered
      const std::size_t n = std::min(queue_.size(), options_.max_batch_reports);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    processBatch(batch);
  }
}

void ReportWriter::processBatch(std::vector<Pending>& batch) {
  WriteSession& db = db_.writer();
  std::vector<StoreOutcome> outcomes(batch.size(), StoreOutcome::kDuplicate);
  std::vector<const Pending*> accepted;
  std::int64_t new_hosts = 0;

  common::Status st = common::Ok{};
  if (needs_recovery_) {
    st = recoverDayFiles(db, sinks_);
    if (st) needs_recovery_ = false;
  }
  if (st) st = db.begin();
  const bool began = static_cast<bool>(st);
  // Which reports are new: one stored before, or met earlier in this batch, is a duplicate.
  std::unordered_set<std::string_view> in_batch;
  for (std::size_t i = 0; st && i < batch.size(); ++i) {
    const std::string& uuid = batch[i].item.validated.report.report_id;
    auto stored = db.isStored(uuid);
    if (!stored) {
      st = stored.error();
    } else if (!*stored && in_batch.insert(uuid).second) {
      outcomes[i] = StoreOutcome::kStored;
      accepted.push_back(&batch[i]);
    }
  }
  // Each sink's files are appended and fsynced on a helper thread while this one writes the
  // database: they share nothing until the COMMIT, which waits for all. Done one after the
  // other, the writer sat idle through every fsync.
  std::vector<FileAppends> appends(sinks_.size());
  for (const Pending* p : accepted) {
    const auto& v = p->item.validated;
    const std::string name = v.report.host.ip + "_" + common::utcDate(v.collected_at);
    for (std::size_t s = 0; s < sinks_.size(); ++s) {
      const std::string relative =
          sinks_[s].files.relativePath(name + std::string(sinks_[s].sink->extension()));
      appends[s].pieces[relative].push_back(p->rendered[s]);
    }
  }
  std::vector<std::future<common::Status>> appending;
  if (st && !accepted.empty()) {
    for (std::size_t s = 0; s < sinks_.size(); ++s) {
      auto append = [sink = &sinks_[s], a = &appends[s]] { return appendToFiles(*sink, *a); };
      try {
        appending.push_back(std::async(std::launch::async, append));
      } catch (const std::system_error&) {  // no thread to be had: do it here, in turn
        std::promise<common::Status> done;
        done.set_value(append());
        appending.push_back(done.get_future());
      }
    }
  }
  for (const Pending* p : accepted) {
    if (!st) break;
    auto stored = db.insertReport({p->item.validated, p->document_z, p->document_bytes,
                                   p->item.received_at, p->item.source_addr});
    if (!stored) {
      st = stored.error();
      break;
    }
    if (stored->new_host) ++new_hosts;
    for (auto& step : steps_) {
      st = step->apply(db, *stored);
      if (!st) break;
    }
  }
  for (auto& f : appending) {
    const common::Status appended = f.get();
    if (st && !appended) st = appended;
  }
  for (const FileAppends& a : appends) {
    for (const auto& [relative, size] : a.sizes_after) {
      if (st) st = db.recordFileSize(relative, size);
    }
  }
  if (st) st = db.commit();

  if (!st) {
    if (began) db.rollback();
    for (auto& step : steps_) step->rolledBack();
    for (std::size_t s = 0; s < sinks_.size(); ++s) {
      for (const auto& [relative, size] : appends[s].sizes_before) {
        if (!sinks_[s].files.truncate(relative, size)) needs_recovery_ = true;
      }
    }
    spdlog::error("storage unavailable for {} report(s): {}", batch.size(), st.error().message);
    for (auto& p : batch)
      p.done({StoreOutcome::kUnavailable, "storage unavailable: " + st.error().message});
    return;
  }
  for (auto& step : steps_) step->committed();
  batches_++;
  known_servers_ += new_hosts;
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done({outcomes[i], ""});
}

common::Status ReportWriter::appendToFiles(SinkFiles& sink, FileAppends& appends) {
  // Rows of one file are written with one append: reports never interleave. Views into each
  // report's own rendering, so nothing is copied on the way to the kernel.
  for (const auto& [relative, pieces] : appends.pieces) {
    auto before = sink.files.size(relative);
    if (!before) return before.error();
    appends.sizes_before.emplace(relative, *before);
    auto after = sink.files.append(relative, *before, sink.sink->header(), pieces);
    if (!after) return after.error();
    if (auto st = sink.files.sync(relative); !st) return st;
    appends.sizes_after.emplace_back(relative, *after);
  }
  return common::Ok{};
}

}  // namespace vigia::server
