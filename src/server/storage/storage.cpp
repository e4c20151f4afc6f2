// ReportStore::open: the data dir, the database its URL names, the file sinks in use and the
// derived steps, wired to one writer. Queries go to the database's read side.

#include <spdlog/spdlog.h>

#include "server/storage/compliance/compliance_step.hpp"
#include "server/storage/data_dir.hpp"
#include "server/storage/database.hpp"
#include "server/storage/derived_step.hpp"
#include "server/storage/report_store.hpp"
#include "server/storage/report_writer.hpp"

namespace vigia::server {
namespace {

class Storage final : public ReportStore {
 public:
  Storage(std::unique_ptr<Database> db, std::vector<SinkFiles> sinks, const StoreOptions& options)
      : db_(std::move(db)),
        files_(std::move(sinks), options.fsync),
        stale_after_(options.compliance.stale_after),
        writer_(*db_, files_, makeDerivedSteps(options.compliance, &compliance_),
                {.max_batch_reports = options.max_batch_reports,
                 .max_queued_reports = options.max_queued_reports,
                 .maintenance = {
                     .compression =
                         parseDayCompression(options.compress).value_or(DayCompression::kZstd),
                     .compress_after = std::chrono::hours(options.compress_after_hours),
                     .retention_days = options.retention_days}}) {}

  ~Storage() override { stop(); }

  common::Status start() { return writer_.start(); }

  void submit(IngestItem item, std::function<void(StoreResult)> done) override {
    writer_.submit(std::move(item), std::move(done));
  }

  void stop() override {
    writer_.stop();
    db_->stop();
  }

  ReadQueries& queries() override { return *db_; }
  StoreStats stats() override { return writer_.stats(); }
  void setPolicy(std::shared_ptr<const compliance::Policy> policy) override {
    compliance_->setPolicy(std::move(policy));
  }
  std::shared_ptr<const ActivePolicy> activePolicy() override { return compliance_->active(); }
  std::chrono::seconds staleAfter() const override { return stale_after_; }
  common::Result<std::unique_ptr<WebhookOutbox>> openOutbox() override { return db_->openOutbox(); }

 private:
  std::unique_ptr<Database> db_;
  DayFileSet files_;                      // before writer_, which holds a reference
  ComplianceStep* compliance_ = nullptr;  // one of writer_'s steps
  std::chrono::seconds stale_after_;
  ReportWriter writer_;
};

}  // namespace

common::Result<std::unique_ptr<ReportStore>> ReportStore::open(const StoreOptions& options) {
  if (auto st = createDataDirectory(options.data_dir); !st) return st.error();
  auto db = openDatabase({.url = options.database_url.empty()
                                     ? "sqlite:" + (options.data_dir / "vigia.db").string()
                                     : options.database_url,
                          .fsync = options.fsync});
  if (!db) return db.error();
  std::vector<SinkFiles> sinks;
  for (auto& sink : makeFileSinks({.csv = options.csv,
                    .jsonl = options.jsonl,
                    .csv_formula_guard = options.csv_formula_guard})) {
    std::string directory(sink->directory());
    sinks.push_back({std::move(sink), DayFiles(options.data_dir, directory, options.fsync)});
  }
  auto store = std::make_unique<Storage>(std::move(*db), std::move(sinks), options);
  if (auto st = store->start(); !st) return st.error();
  return std::unique_ptr<ReportStore>(std::move(store));
}

}  // namespace vigia::server
