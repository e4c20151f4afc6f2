#include "server/storage/report_writer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <string_view>
#include <unordered_set>

#include "server/storage/document_codec.hpp"
#include "server/storage/sinks/jsonl_line.hpp"

namespace vigia::server {

// How long the idle writer waits before it records the day files' syncs on its own.
constexpr auto kIdleWake = std::chrono::seconds(1);

// A submitted report with everything the writer puts on disk already rendered: rendering runs
// on the submitting (I/O) threads, in parallel, so the single writer thread only writes.
struct ReportWriter::Pending {
  IngestItem item;
  std::function<void(StoreResult)> done;
  std::vector<std::string> rendered;  // one per sink, in sink order
  std::string document;               // the JSON Lines line without its "\n": the stored document
  std::string document_z;             // compressed, against `base` if there is one
  std::shared_ptr<const DocumentBases::Base> base;
  std::vector<std::unique_ptr<PreparedInput>> prepared;  // one per derived step
};

ReportWriter::ReportWriter(Database& db, DayFileSet& files,
                           std::vector<std::unique_ptr<DerivedStep>> steps, WriterOptions options)
    : db_(db), files_(files), steps_(std::move(steps)), options_(options) {}

ReportWriter::~ReportWriter() { stop(); }

common::Status ReportWriter::start() {
  if (auto st = files_.recover(db_.writer()); !st) return st;
  auto hosts = db_.writer().countHosts();
  if (!hosts) return hosts.error();
  known_servers_ = *hosts;
  for (auto& step : steps_) {
    if (auto st = step->start(db_.writer()); !st) return st;
  }
  maintenance_ = std::make_unique<Maintenance>(db_, files_, options_.maintenance,
                                               [this](std::int64_t host_id, const std::string& ip) {
                                                 for (auto& step : steps_)
                                                   step->forgetHost(host_id);
                                                 bases_.forget(ip);
                                                 --known_servers_;
                                               });
  thread_ = std::thread([this] { loop(); });
  return common::Ok{};
}

void ReportWriter::submit(IngestItem item, std::function<void(StoreResult)> done) {
  std::vector<Pending> answered;
  {
    std::lock_guard lock(queue_mutex_);
    if (!answered_.empty()) {
      answered = std::move(answered_.back());
      answered_.pop_back();
    }
  }
  answered.clear();  // here, not on the writer
  Pending pending{std::move(item), std::move(done), {}, {}, {}, nullptr, {}};
  pending.document =
      makeJsonlLine(pending.item.body, pending.item.received_at, pending.item.source_addr);
  const RenderInput input{pending.item.validated, pending.document};
  pending.rendered.reserve(files_.sinkCount());
  for (std::size_t s = 0; s < files_.sinkCount(); ++s) {
    pending.rendered.push_back(files_.sink(s).render(input));
  }
  pending.prepared.reserve(steps_.size());
  for (const auto& step : steps_) pending.prepared.push_back(step->prepare(pending.item.validated));
  pending.document.pop_back();  // its "\n"
  pending.base = bases_.baseFor(pending.item.validated.report.host.ip);
  pending.document_z =
      compressDocument(pending.document, pending.base ? std::string_view(pending.base->document)
                                                      : std::string_view());
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
    bool stop = false;
    {
      std::unique_lock lock(queue_mutex_);
      // Housekeeping with steps left goes on between batches; otherwise wake now and then to
      // record the day files' syncs and look for due work.
      const bool busy =
          maintenance_->busy() ||
          std::any_of(steps_.begin(), steps_.end(), [](const auto& step) { return step->busy(); });
      queue_cv_.wait_for(lock, busy ? std::chrono::seconds(0) : kIdleWake,
                         [this] { return !queue_.empty() || stopping_; });
      stop = stopping_ && queue_.empty();  // everything submitted is answered
      const std::size_t n = std::min(queue_.size(), options_.max_batch_reports);
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (stop) break;
    if (!batch.empty()) {
      processBatch(batch);
      std::lock_guard lock(queue_mutex_);
      answered_.push_back(std::move(batch));
    }
    files_.maybeSync();
    if (batch.empty() && files_.hasSyncResults()) recordCheckpoints();
    maintenance_->step();
    for (auto& step : steps_) step->between(db_.writer());
  }
  maintenance_.reset();  // finishes nothing half-way: a compression under way is dropped
  // A clean stop leaves every file durable and recorded: the next start has nothing to redo.
  if (auto st = files_.syncAll(db_.writer()); !st) {
    spdlog::error("syncing the day files at stop: {} (the next start writes them again)",
                  st.error().message);
  }
}

void ReportWriter::recordCheckpoints() {
  WriteSession& db = db_.writer();
  DayFileSet::Batch none;
  common::Status st = db.begin();
  if (st) st = files_.record(db, none, {});
  if (st) st = db.commit();
  if (st) {
    files_.committed(none);
    return;
  }
  db.rollback();
  files_.rolledBack(none);
  spdlog::warn("recording the day files' checkpoints: {}", st.error().message);
}

void ReportWriter::processBatch(std::vector<Pending>& batch) {
  WriteSession& db = db_.writer();
  std::vector<StoreOutcome> outcomes(batch.size(), StoreOutcome::kDuplicate);
  std::vector<Pending*> accepted;
  std::int64_t new_hosts = 0;

  common::Status st = common::Ok{};
  if (needs_recovery_) {
    st = files_.recover(db);
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
  // The day files are appended on helper threads (one per sink) while this one writes the
  // database; the two meet before the COMMIT.
  DayFileSet::Batch files;
  const std::int64_t due_before_us =
      (common::nowUtc() - options_.maintenance.compress_after).time_since_epoch().count();
  for (std::size_t r = 0; r < accepted.size(); ++r) {
    const auto& v = accepted[r]->item.validated;
    const std::string name = v.report.host.ip + "_" + common::utcDate(v.collected_at);
    constexpr std::int64_t kDay = 86'400'000'000;
    const std::int64_t us = v.collected_at.time_since_epoch().count();
    if ((us - (us % kDay + kDay) % kDay) + kDay <= due_before_us) maintenance_->dayMayBeDue();
    for (std::size_t s = 0; s < files_.sinkCount(); ++s) {
      auto [path, compression] = files_.target(s, name);
      files.add(s, path, compression, r, accepted[r]->rendered[s]);
    }
  }
  std::future<common::Status> writing;
  if (st && !files.empty()) {
    try {
      writing = std::async(std::launch::async, [this, &files] { return files_.write(files); });
    } catch (const std::system_error&) {  // no thread to be had: here, first
      std::promise<common::Status> done;
      done.set_value(files_.write(files));
      writing = done.get_future();
    }
  }
  std::vector<std::int64_t> report_ids(accepted.size(), 0);
  for (std::size_t r = 0; st && r < accepted.size(); ++r) {
    const Pending& p = *accepted[r];
    auto stored = db.insertReport(
        {p.item.validated, p.document_z, static_cast<std::int64_t>(p.document.size()),
         p.base ? std::optional<std::int64_t>(p.base->report_id) : std::nullopt, p.item.received_at,
         p.item.source_addr});
    if (!stored) {
      st = stored.error();
      break;
    }
    report_ids[r] = stored->point.report_id;
    if (stored->new_host) ++new_hosts;
    for (std::size_t s = 0; s < steps_.size(); ++s) {
      st = steps_[s]->apply(db, *stored, p.prepared[s].get());
      if (!st) break;
    }
  }
  if (writing.valid()) {
    const common::Status written = writing.get();
    if (st && !written) st = written;
  }
  if (st) st = files_.record(db, files, report_ids);
  if (st) st = db.commit();

  if (!st) {
    if (began) db.rollback();
    for (auto& step : steps_) step->rolledBack();
    if (!files_.rolledBack(files)) needs_recovery_ = true;
    spdlog::error("storage unavailable for {} report(s): {}", batch.size(), st.error().message);
    for (auto& p : batch) {
      p.done({StoreOutcome::kUnavailable, "storage unavailable: " + st.error().message});
      p.done = nullptr;  // it holds the connection: not one moment longer than the answer
    }
    return;
  }
  files_.committed(files);
  for (auto& step : steps_) step->committed();
  for (std::size_t r = 0; r < accepted.size(); ++r) {
    Pending& p = *accepted[r];
    bases_.stored(p.item.validated.report.host.ip,
                  std::make_shared<const DocumentBases::Base>(DocumentBases::Base{
                      report_ids[r], p.item.validated.collected_at.time_since_epoch().count(),
                      p.base ? p.base->depth + 1 : 0, std::move(p.document)}));
  }
  batches_++;
  known_servers_ += new_hosts;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    batch[i].done({outcomes[i], ""});
    batch[i].done = nullptr;  // it holds the connection: not one moment longer than the answer
  }
}

}  // namespace vigia::server
