#include "server/storage/report_store.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "server/storage/csv_export.hpp"
#include "server/storage/document_codec.hpp"
#include "server/storage/export_files.hpp"
#include "server/storage/jsonl_export.hpp"
#include "server/storage/migrations.hpp"
#include "server/storage/sqlite_database.hpp"
#include "server/storage/wal_checkpointer.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

std::int64_t micros(common::Timestamp t) { return t.time_since_epoch().count(); }

static_assert(common::kMaxProcesses < kChildRowsPerReport &&
                  common::kMaxSessions < kChildRowsPerReport,
              "a report's child rows must fit in its key range");

std::int64_t childRowId(std::int64_t report_id, std::size_t ordinal) {
  return report_id * kChildRowsPerReport + static_cast<std::int64_t>(ordinal);
}

constexpr int kProcessColumns = 13;
constexpr std::size_t kProcessRowsPerInsert = 50;  // 650 parameters, far below SQLite's limit

// "INSERT INTO processes (…) VALUES (?,…),(?,…)…" for 1 to kProcessRowsPerInsert rows. Built
// once: the writer asks for one per 50 process rows of every report.
const std::string& processInsertSql(std::size_t rows) {
  static const auto texts = [] {
    std::array<std::string, kProcessRowsPerInsert + 1> all;
    std::string sql =
        "INSERT INTO processes (id, report_id, ordinal, pid, ppid, name, user_name, uid, state, "
        "command, started_at, rss_bytes, cpu_seconds) VALUES ";
    for (std::size_t n = 1; n <= kProcessRowsPerInsert; ++n) {
      sql += n == 1 ? "(?,?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?,?)";
      all[n] = sql;
    }
    return all;
  }();
  return texts[rows];
}

// A submitted report with its file lines already rendered: rendering runs on the submitting
// (I/O) thread, in parallel, so the single writer thread only does SQL and file appends.
struct Pending {
  IngestItem item;
  std::function<void(StoreResult)> done;
  std::string jsonl_line;
  std::string csv_rows;
  std::string document_z;  // the JSONL line without its "\n", compressed
};

class SqliteReportStore final : public ReportStore {
 public:
  SqliteReportStore(StoreOptions options, std::filesystem::path db_path,
                    std::unique_ptr<SqliteConnection> writer)
      : options_(std::move(options)),
        db_path_(std::move(db_path)),
        db_(std::move(writer)),
        csv_files_(options_.data_dir, options_.fsync),
        jsonl_files_(options_.data_dir, options_.fsync) {}

  ~SqliteReportStore() override { stop(); }

  common::Status start();
  void submit(IngestItem item, std::function<void(StoreResult)> done) override;
  void stop() override;
  common::Result<std::vector<ServerSummary>> listServers() override;
  common::Result<std::optional<std::vector<ReportSummary>>> listReports(
      const std::string& ip, int limit, std::optional<common::Timestamp> before) override;
  common::Result<std::optional<std::string>> reportDocument(const std::string& uuid) override;
  StoreStats stats() override;

 private:
  void writerLoop();
  void processBatch(std::vector<Pending>& batch);
  common::Result<bool> isStored(const std::string& uuid);
  common::Status insertReport(const Pending& p);
  common::Result<std::int64_t> dimensionId(const std::string& cache_key,
                                           const std::string& insert_sql,
                                           const std::string& select_sql,
                                           const std::vector<std::string>& values,
                                           std::unordered_map<std::string, std::int64_t>& cache);
  // One kind of file for a batch: each file's rows, in batch order. Runs on a helper thread:
  // touches `owner` and the batch's rendered lines only, never the database.
  struct FileAppends {
    std::map<std::string, std::vector<std::string_view>> pieces;  // per relative path
    std::map<std::string, std::int64_t> sizes_before;
    std::vector<std::pair<std::string, std::int64_t>> sizes_after;
  };
  static common::Status appendToFiles(ExportFiles& owner, std::string_view header,
                                      FileAppends& appends);
  // The export checkpoint: the length of each file as of this transaction.
  common::Status recordFileSizes(
      const std::vector<std::pair<std::string, std::int64_t>>& sizes_after);
  common::Status recover();
  common::Status rebuildFile(const std::string& relative);

  // Read side: a small pool of read-only connections (WAL lets them run beside the writer).
  class ReadLease;
  common::Result<std::unique_ptr<SqliteConnection>> acquireReader();
  void releaseReader(std::unique_ptr<SqliteConnection> conn);

  StoreOptions options_;
  std::filesystem::path db_path_;
  std::unique_ptr<SqliteConnection> db_;  // the writer thread's only
  // Declared after db_: destroyed first, so the writer's connection closes last (and SQLite
  // then checkpoints and removes the log).
  std::unique_ptr<WalCheckpointer> checkpointer_;
  // One owner per kind of file, so that the CSV and the JSONL appends of a batch can run on
  // two threads at once; files(relative) picks the owner of a file.
  ExportFiles csv_files_;
  ExportFiles jsonl_files_;
  ExportFiles& files(const std::string& relative) {
    return relative.starts_with("csv/") ? csv_files_ : jsonl_files_;
  }
  std::unordered_map<std::string, std::int64_t> os_ids_, cpu_ids_;
  bool needs_recovery_ = false;
  std::int64_t new_hosts_in_batch_ = 0;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<SqliteConnection>> readers_;

  std::atomic<std::uint64_t> stored_{0}, duplicates_{0}, errors_{0}, batches_{0};
  std::atomic<std::int64_t> known_servers_{0};
};

common::Status SqliteReportStore::start() {
  if (auto st = migrate(*db_); !st) return st;
  if (auto st = csv_files_.prepareDirectories(); !st) return st;
  if (auto st = recover(); !st) return st;
  auto count = db_->prepare("SELECT count(*) FROM hosts");
  if (!count) return count.error();
  if (auto row = (*count)->step(); !row) return row.error();
  known_servers_ = (*count)->int64(0);
  (*count)->reset();
  auto checkpointer = WalCheckpointer::start(db_path_, options_.fsync, *db_);
  if (!checkpointer) return checkpointer.error();
  checkpointer_ = std::move(*checkpointer);
  writer_ = std::thread([this] { writerLoop(); });
  return common::Ok{};
}

void SqliteReportStore::submit(IngestItem item, std::function<void(StoreResult)> done) {
  Pending pending{std::move(item), std::move(done), {}, {}, {}};
  pending.jsonl_line =
      makeJsonlLine(pending.item.body, pending.item.received_at, pending.item.source_addr);
  pending.csv_rows.reserve(pending.item.body.size());  // the CSV is a little smaller than the JSON
  appendCsvRows(pending.item.validated.report, options_.csv_formula_guard, pending.csv_rows);
  pending.document_z = compressDocument(
      std::string_view(pending.jsonl_line).substr(0, pending.jsonl_line.size() - 1));
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

void SqliteReportStore::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_ && !writer_.joinable()) return;
    stopping_ = true;
    queue_cv_.notify_one();
  }
  if (writer_.joinable()) writer_.join();
  checkpointer_.reset();  // the writer makes no more commits
}

void SqliteReportStore::writerLoop() {
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

void SqliteReportStore::processBatch(std::vector<Pending>& batch) {
  std::vector<StoreOutcome> outcomes(batch.size(), StoreOutcome::kDuplicate);
  std::vector<const Pending*> accepted;
  std::map<std::string, std::int64_t> sizes_before;
  new_hosts_in_batch_ = 0;

  common::Status st = common::Ok{};
  if (needs_recovery_) {
    st = recover();
    if (st) needs_recovery_ = false;
  }
  if (st) st = db_->exec("BEGIN IMMEDIATE");
  const bool began = static_cast<bool>(st);
  // Which reports are new: one stored before, or met earlier in this batch, is a duplicate.
  std::unordered_set<std::string_view> in_batch;
  for (std::size_t i = 0; st && i < batch.size(); ++i) {
    const std::string& uuid = batch[i].item.validated.report.report_id;
    auto stored = isStored(uuid);
    if (!stored) {
      st = stored.error();
    } else if (!*stored && in_batch.insert(uuid).second) {
      outcomes[i] = StoreOutcome::kStored;
      accepted.push_back(&batch[i]);
    }
  }
  // The CSV and the JSONL files are appended and fsynced on two helper threads while this one
  // inserts the rows: the three share nothing until the COMMIT, which waits for all. Done one
  // after the other, the writer sat idle through every fsync.
  FileAppends csv, jsonl;
  for (const Pending* p : accepted) {
    const auto& v = p->item.validated;
    const std::string date = common::utcDate(v.collected_at);
    csv.pieces[ExportFiles::relativePath("csv", v.report.host.ip, date)].push_back(p->csv_rows);
    jsonl.pieces[ExportFiles::relativePath("jsonl", v.report.host.ip, date)].push_back(
        p->jsonl_line);
  }
  std::vector<std::future<common::Status>> appending;
  if (st && !accepted.empty()) {
    for (auto [owner, header, appends] :
         {std::tuple{&csv_files_, kCsvHeader, &csv}, {&jsonl_files_, std::string_view(), &jsonl}}) {
      // Init-captures: a structured binding cannot be captured by name (clang refuses).
      auto append = [o = owner, h = header, a = appends] { return appendToFiles(*o, h, *a); };
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
    st = insertReport(*p);
  }
  for (auto& f : appending) {
    const common::Status appended = f.get();
    if (st && !appended) st = appended;
  }
  for (const FileAppends* kind : {&csv, &jsonl}) {
    sizes_before.insert(kind->sizes_before.begin(), kind->sizes_before.end());
    if (st) st = recordFileSizes(kind->sizes_after);
  }
  if (st) st = db_->exec("COMMIT");

  if (!st) {
    if (began) (void)db_->exec("ROLLBACK");
    // Ids cached during this transaction may belong to rows that no longer exist.
    os_ids_.clear();
    cpu_ids_.clear();
    for (const auto& [relative, size] : sizes_before) {
      if (!files(relative).truncate(relative, size)) needs_recovery_ = true;
    }
    errors_++;
    std::fprintf(stderr, "vigia-server: storage unavailable for %zu report(s): %s\n", batch.size(),
                 st.error().message.c_str());
    for (auto& p : batch)
      p.done({StoreOutcome::kUnavailable, "storage unavailable: " + st.error().message});
    return;
  }
  batches_++;
  known_servers_ += new_hosts_in_batch_;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    (outcomes[i] == StoreOutcome::kStored ? stored_ : duplicates_)++;
    batch[i].done({outcomes[i], ""});
  }
}

common::Result<std::int64_t> SqliteReportStore::dimensionId(
    const std::string& cache_key, const std::string& insert_sql, const std::string& select_sql,
    const std::vector<std::string>& values, std::unordered_map<std::string, std::int64_t>& cache) {
  if (auto it = cache.find(cache_key); it != cache.end()) return it->second;
  auto insert = db_->prepare(insert_sql);
  if (!insert) return insert.error();
  for (std::size_t i = 0; i < values.size(); ++i)
    (*insert)->bind(static_cast<int>(i + 1), values[i]);
  if (auto st = (*insert)->run(); !st) return st.error();
  auto select = db_->prepare(select_sql);
  if (!select) return select.error();
  for (std::size_t i = 0; i < values.size(); ++i)
    (*select)->bind(static_cast<int>(i + 1), values[i]);
  auto row = (*select)->step();
  if (!row) return row.error();
  if (!*row) return makeError(ErrorCode::kInternal, "dimension row vanished");
  const std::int64_t id = (*select)->int64(0);
  (*select)->reset();
  cache.emplace(cache_key, id);
  return id;
}

common::Result<bool> SqliteReportStore::isStored(const std::string& uuid) {
  auto exists = db_->prepare("SELECT 1 FROM reports WHERE uuid = ?");
  if (!exists) return exists.error();
  auto found = (*exists)->bind(1, uuid).step();
  (*exists)->reset();
  return found;
}

common::Status SqliteReportStore::insertReport(const Pending& p) {
  const common::Report& r = p.item.validated.report;
  const std::vector<std::string> os_values = {r.os.name,
                                              r.os.version,
                                              r.os.id.value_or(""),
                                              r.os.version_id.value_or(""),
                                              r.os.kernel.value_or(""),
                                              r.os.arch.value_or("")};
  std::string os_key;
  for (const auto& v : os_values) os_key.append(v).push_back('\0');
  auto os_id = dimensionId(
      os_key,
      "INSERT INTO os_releases (name, version, os_id, version_id, kernel, arch) VALUES "
      "(?,?,?,?,?,?) "
      "ON CONFLICT DO NOTHING",
      "SELECT id FROM os_releases WHERE name=? AND version=? AND os_id=? AND version_id=? AND "
      "kernel=? AND arch=?",
      os_values, os_ids_);
  if (!os_id) return os_id.error();

  const std::vector<std::string> cpu_values = {r.cpu.vendor.value_or(""), r.cpu.model,
                                               r.cpu.arch.value_or("")};
  std::string cpu_key;
  for (const auto& v : cpu_values) cpu_key.append(v).push_back('\0');
  auto cpu_id = dimensionId(
      cpu_key, "INSERT INTO cpu_models (vendor, model, arch) VALUES (?,?,?) ON CONFLICT DO NOTHING",
      "SELECT id FROM cpu_models WHERE vendor=? AND model=? AND arch=?", cpu_values, cpu_ids_);
  if (!cpu_id) return cpu_id.error();

  // The host row follows its newest report (by collected_at), whatever the arrival order.
  const std::int64_t collected_us = micros(p.item.validated.collected_at);
  const std::string received_at = common::formatRfc3339Utc(p.item.received_at);
  auto host = db_->prepare(
      "INSERT INTO hosts (ip, hostname, first_seen_at, last_report_at, last_collected_us, "
      "os_release_id, report_count) VALUES (?,?,?,?,?,?,1) "
      "ON CONFLICT (ip) DO UPDATE SET report_count = hosts.report_count + 1, "
      "hostname = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.hostname ELSE hosts.hostname END, "
      "os_release_id = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.os_release_id ELSE hosts.os_release_id END, "
      "last_report_at = CASE WHEN excluded.last_collected_us >= hosts.last_collected_us "
      "THEN excluded.last_report_at ELSE hosts.last_report_at END, "
      "last_collected_us = MAX(excluded.last_collected_us, hosts.last_collected_us) "
      "RETURNING id, report_count");
  if (!host) return host.error();
  auto host_row = (*host)
                      ->bind(1, r.host.ip)
                      .bind(2, r.host.hostname)
                      .bind(3, received_at)
                      .bind(4, r.collected_at)
                      .bind(5, collected_us)
                      .bind(6, *os_id)
                      .step();
  if (!host_row) return host_row.error();
  const std::int64_t host_id = (*host)->int64(0);
  if ((*host)->int64(1) == 1) ++new_hosts_in_batch_;
  (*host)->reset();

  auto report = db_->prepare(
      "INSERT INTO reports (uuid, host_id, hostname, collected_at, collected_us, received_at, "
      "source_addr, agent_version, os_release_id, cpu_model_id, cpu_sockets, cpu_cores, "
      "cpu_threads, cpu_mhz, machine_id, boot_time, process_count, session_count, document_z, "
      "document_bytes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
  if (!report) return report.error();
  std::optional<std::string> agent_version;
  if (!r.agent.version.empty()) agent_version = r.agent.version;
  auto report_row = (*report)
                        ->bind(1, r.report_id)
                        .bind(2, host_id)
                        .bind(3, r.host.hostname)
                        .bind(4, r.collected_at)
                        .bind(5, collected_us)
                        .bind(6, received_at)
                        .bind(7, p.item.source_addr)
                        .bind(8, agent_version)
                        .bind(9, *os_id)
                        .bind(10, *cpu_id)
                        .bind(11, r.cpu.sockets)
                        .bind(12, r.cpu.cores)
                        .bind(13, r.cpu.threads)
                        .bind(14, r.cpu.mhz)
                        .bind(15, r.host.machine_id)
                        .bind(16, r.host.boot_time)
                        .bind(17, static_cast<std::int64_t>(r.processes.size()))
                        .bind(18, static_cast<std::int64_t>(r.sessions.size()))
                        .bindBlobView(19, p.document_z)
                        .bind(20, static_cast<std::int64_t>(p.jsonl_line.size() - 1))
                        .step();
  if (!report_row) return report_row.error();
  const std::int64_t report_id = (*report)->int64(0);
  (*report)->reset();

  // Many rows per INSERT statement: one step and one reset per chunk instead of per row.
  for (std::size_t first = 0; first < r.processes.size(); first += kProcessRowsPerInsert) {
    const std::size_t rows = std::min(kProcessRowsPerInsert, r.processes.size() - first);
    auto process = db_->prepare(processInsertSql(rows));
    if (!process) return process.error();
    Statement& stmt = **process;
    for (std::size_t k = 0; k < rows; ++k) {
      const auto& proc = r.processes[first + k];
      const int at = static_cast<int>(k) * kProcessColumns;
      stmt.bind(at + 1, childRowId(report_id, first + k))
          .bind(at + 2, report_id)
          .bind(at + 3, static_cast<std::int64_t>(first + k))
          .bind(at + 4, proc.pid)
          .bind(at + 5, proc.ppid)
          .bindView(at + 6, proc.name)
          .bindView(at + 7, proc.user)
          .bind(at + 8, proc.uid)
          .bindView(at + 9, proc.state)
          .bindView(at + 10, proc.command)
          .bindView(at + 11, proc.started_at)
          .bind(at + 12, proc.rss_bytes)
          .bind(at + 13, proc.cpu_seconds);
    }
    auto st = stmt.run();
    stmt.reset();
    if (!st) return st.error();
  }
  auto session = db_->prepare(
      "INSERT INTO sessions (id, report_id, ordinal, user_name, tty, remote_host, login_time, "
      "pid) VALUES (?,?,?,?,?,?,?,?)");
  if (!session) return session.error();
  for (std::size_t i = 0; i < r.sessions.size(); ++i) {
    const auto& s = r.sessions[i];
    auto st = (*session)
                  ->bind(1, childRowId(report_id, i))
                  .bind(2, report_id)
                  .bind(3, static_cast<std::int64_t>(i))
                  .bindView(4, s.user)
                  .bindView(5, s.tty)
                  .bindView(6, s.remote_host)
                  .bindView(7, s.login_time)
                  .bind(8, s.pid)
                  .run();
    (*session)->reset();
    if (!st) return st.error();
  }
  return common::Ok{};
}

common::Status SqliteReportStore::appendToFiles(ExportFiles& owner, std::string_view header,
                                                FileAppends& appends) {
  // Rows of one file are written with one append: reports never interleave. Views into each
  // report's own rendering, so nothing is copied on the way to the kernel.
  for (const auto& [relative, pieces] : appends.pieces) {
    auto before = owner.size(relative);
    if (!before) return before.error();
    appends.sizes_before.emplace(relative, *before);
    auto after = owner.append(relative, *before, header, pieces);
    if (!after) return after.error();
    if (auto st = owner.sync(relative); !st) return st;
    appends.sizes_after.emplace_back(relative, *after);
  }
  return common::Ok{};
}

common::Status SqliteReportStore::recordFileSizes(
    const std::vector<std::pair<std::string, std::int64_t>>& sizes_after) {
  auto checkpoint = db_->prepare(
      "INSERT INTO export_files (path, size_bytes) VALUES (?, ?) "
      "ON CONFLICT (path) DO UPDATE SET size_bytes = excluded.size_bytes");
  if (!checkpoint) return checkpoint.error();
  for (const auto& [relative, size] : sizes_after) {
    auto st = (*checkpoint)->bind(1, relative).bind(2, size).run();
    (*checkpoint)->reset();
    if (!st) return st;
  }
  return common::Ok{};
}

// Brings every file back to what the database says it holds (see docs/storage.md).
common::Status SqliteReportStore::recover() {
  csv_files_.closeAll();
  jsonl_files_.closeAll();
  std::map<std::string, std::int64_t> recorded;
  {
    auto rows = db_->prepare("SELECT path, size_bytes FROM export_files");
    if (!rows) return rows.error();
    while (true) {
      auto row = (*rows)->step();
      if (!row) return row.error();
      if (!*row) break;
      recorded[(*rows)->text(0)] = (*rows)->int64(1);
    }
    (*rows)->reset();
  }
  for (const auto& [relative, size] : recorded) {
    auto actual = files(relative).size(relative);
    if (!actual) return actual.error();
    if (*actual > size) {
      std::fprintf(stderr, "vigia-server: recovery: %s: dropping %lld bytes past the last commit\n",
                   relative.c_str(), static_cast<long long>(*actual - size));
      if (auto st = files(relative).truncate(relative, size); !st) return st;
      if (auto st = files(relative).sync(relative); !st) return st;
    } else if (*actual < size) {
      std::fprintf(stderr, "vigia-server: recovery: %s: shorter than recorded, rebuilding\n",
                   relative.c_str());
      if (auto st = rebuildFile(relative); !st) return st;
    }
  }
  for (const char* sub : {"csv", "json"}) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(csv_files_.dataDir() / sub, ec)) {
      const std::string relative = std::string(sub) + "/" + entry.path().filename().string();
      if (recorded.count(relative)) continue;
      std::fprintf(stderr, "vigia-server: recovery: %s: never committed, removing\n",
                   relative.c_str());
      if (auto st = files(relative).remove(relative); !st) return st;
    }
    if (ec)
      return makeError(ErrorCode::kUnavailable, "read " + std::string(sub) + "/: " + ec.message(),
                       true);
  }
  return common::Ok{};
}

common::Status SqliteReportStore::rebuildFile(const std::string& relative) {
  const bool is_csv = relative.starts_with("csv/");
  const std::string name = relative.substr(relative.find('/') + 1);
  const std::size_t underscore = name.rfind('_');
  const std::size_t dot = name.rfind('.');
  if (underscore == std::string::npos || dot == std::string::npos || dot < underscore) {
    return makeError(ErrorCode::kInternal, "unexpected export file name " + relative);
  }
  const std::string ip = name.substr(0, underscore);
  auto day = common::parseRfc3339(name.substr(underscore + 1, dot - underscore - 1) + "T00:00:00Z");
  if (!day) return makeError(ErrorCode::kInternal, "unexpected export file date " + relative);

  auto rows = db_->prepare(
      "SELECT r.document_z, r.document_bytes FROM reports r JOIN hosts h ON h.id = r.host_id "
      "WHERE h.ip = ? AND r.collected_us >= ? AND r.collected_us < ? ORDER BY r.id");
  if (!rows) return rows.error();
  (*rows)->bind(1, ip).bind(2, micros(*day)).bind(3, micros(*day) + std::int64_t{86'400'000'000});
  std::string content;
  while (true) {
    auto row = (*rows)->step();
    if (!row) return row.error();
    if (!*row) break;
    auto document =
        decompressDocument((*rows)->blob(0), static_cast<std::size_t>((*rows)->int64(1)));
    if (!document) return document.error();
    if (!is_csv) {
      content.append(*document).push_back('\n');
      continue;
    }
    auto stored = common::parseAndValidate(*document, {.allow_server_receipt = true});
    if (!stored) {
      return makeError(ErrorCode::kInternal, "stored document invalid: " + stored.error().message);
    }
    appendCsvRows(stored->report, options_.csv_formula_guard, content);
  }
  (*rows)->reset();
  if (auto st = files(relative).remove(relative); !st) return st;
  auto size =
      files(relative).append(relative, 0, is_csv ? kCsvHeader : std::string_view(), content);
  if (!size) return size.error();
  if (auto st = files(relative).sync(relative); !st) return st;
  auto update = db_->prepare("UPDATE export_files SET size_bytes = ? WHERE path = ?");
  if (!update) return update.error();
  return (*update)->bind(1, *size).bind(2, relative).run();
}

common::Result<std::unique_ptr<SqliteConnection>> SqliteReportStore::acquireReader() {
  {
    std::lock_guard lock(readers_mutex_);
    if (!readers_.empty()) {
      auto conn = std::move(readers_.back());
      readers_.pop_back();
      return conn;
    }
  }
  return SqliteConnection::open(db_path_, SqliteConnection::Mode::kReadOnly, options_.fsync);
}

void SqliteReportStore::releaseReader(std::unique_ptr<SqliteConnection> conn) {
  std::lock_guard lock(readers_mutex_);
  if (readers_.size() < 8) readers_.push_back(std::move(conn));
}

common::Result<std::vector<ServerSummary>> SqliteReportStore::listServers() {
  auto conn = acquireReader();
  if (!conn) return conn.error();
  std::vector<ServerSummary> out;
  auto stmt = (*conn)->prepare(
      "SELECT h.ip, h.hostname, o.name, o.version, h.last_report_at, h.report_count "
      "FROM hosts h JOIN os_releases o ON o.id = h.os_release_id ORDER BY h.ip");
  if (!stmt) return stmt.error();
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*stmt)->text(0), (*stmt)->text(1), (*stmt)->text(2), (*stmt)->text(3),
                   (*stmt)->text(4), (*stmt)->int64(5)});
  }
  (*stmt)->reset();
  releaseReader(std::move(*conn));
  return out;
}

common::Result<std::optional<std::vector<ReportSummary>>> SqliteReportStore::listReports(
    const std::string& ip, int limit, std::optional<common::Timestamp> before) {
  auto conn = acquireReader();
  if (!conn) return conn.error();
  auto host = (*conn)->prepare("SELECT id FROM hosts WHERE ip = ?");
  if (!host) return host.error();
  auto found = (*host)->bind(1, ip).step();
  if (!found) return found.error();
  if (!*found) {
    (*host)->reset();
    releaseReader(std::move(*conn));
    return std::optional<std::vector<ReportSummary>>();
  }
  const std::int64_t host_id = (*host)->int64(0);
  (*host)->reset();
  auto stmt = (*conn)->prepare(
      "SELECT uuid, collected_at, process_count, session_count FROM reports "
      "WHERE host_id = ? AND collected_us < ? ORDER BY collected_us DESC, id DESC LIMIT ?");
  if (!stmt) return stmt.error();
  (*stmt)
      ->bind(1, host_id)
      .bind(2, before ? micros(*before) : std::numeric_limits<std::int64_t>::max())
      .bind(3, limit);
  std::vector<ReportSummary> out;
  while (true) {
    auto row = (*stmt)->step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({(*stmt)->text(0), (*stmt)->text(1), (*stmt)->int64(2), (*stmt)->int64(3)});
  }
  (*stmt)->reset();
  releaseReader(std::move(*conn));
  return std::optional<std::vector<ReportSummary>>(std::move(out));
}

common::Result<std::optional<std::string>> SqliteReportStore::reportDocument(
    const std::string& uuid) {
  auto conn = acquireReader();
  if (!conn) return conn.error();
  auto stmt = (*conn)->prepare("SELECT document_z, document_bytes FROM reports WHERE uuid = ?");
  if (!stmt) return stmt.error();
  auto row = (*stmt)->bind(1, uuid).step();
  if (!row) return row.error();
  std::optional<std::string> document;
  if (*row) {
    auto text = decompressDocument((*stmt)->blob(0), static_cast<std::size_t>((*stmt)->int64(1)));
    if (!text) return text.error();
    document = std::move(*text);
  }
  (*stmt)->reset();
  releaseReader(std::move(*conn));
  return document;
}

StoreStats SqliteReportStore::stats() {
  return {stored_.load(), duplicates_.load(), errors_.load(), batches_.load(),
          known_servers_.load()};
}

}  // namespace

common::Result<std::unique_ptr<ReportStore>> ReportStore::open(const StoreOptions& options) {
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) {
    return makeError(ErrorCode::kUnavailable,
                     "create " + options.data_dir.string() + ": " + ec.message());
  }
  std::string url = options.database_url.empty()
                        ? "sqlite:" + (options.data_dir / "vigia.db").string()
                        : options.database_url;
  if (!url.starts_with("sqlite:")) {
    return makeError(ErrorCode::kInvalidArgument, "unsupported database URL scheme");
  }
  const std::filesystem::path db_path = url.substr(7);
  auto writer = SqliteConnection::open(db_path, SqliteConnection::Mode::kReadWrite, options.fsync);
  if (!writer) return writer.error();
  auto store = std::make_unique<SqliteReportStore>(options, db_path, std::move(*writer));
  if (auto st = store->start(); !st) return st.error();
  return std::unique_ptr<ReportStore>(std::move(store));
}

}  // namespace vigia::server
