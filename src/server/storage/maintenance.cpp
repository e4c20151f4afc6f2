#include "server/storage/maintenance.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/storage/data_dir.hpp"

namespace vigia::server {
namespace {

using common::ErrorCode;
using common::makeError;

constexpr auto kCompressionCheck = std::chrono::seconds(30);
constexpr auto kRetentionEvery = std::chrono::hours(1);
constexpr int kReportsPerRetentionStep = 200;
constexpr std::size_t kReadChunk = std::size_t{1} << 20;

common::Error ioError(const std::string& what, const std::string& path, int err) {
  return makeError(ErrorCode::kUnavailable, what + " " + path + ": " + std::strerror(err));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

common::Status writeAll(int fd, const std::string& bytes, const std::string& path) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("write", path, errno);
    done += static_cast<std::size_t>(n);
  }
  return common::Ok{};
}

}  // namespace

Maintenance::Maintenance(Database& db, DayFileSet& files, MaintenanceOptions options,
                         HostRemoved host_removed)
    : db_(db), files_(files), options_(options), host_removed_(std::move(host_removed)) {
  compressor_ = std::thread([this] { compressLoop(); });
}

Maintenance::~Maintenance() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (compressor_.joinable()) compressor_.join();
  std::lock_guard lock(mutex_);
  if (job_) files_.abandonCompression(*job_);
  for (const auto& d : done_) files_.abandonCompression(d.job);
}

void Maintenance::step() {
  const auto now = std::chrono::steady_clock::now();
  std::vector<Compressed> done;
  bool idle = false;
  {
    std::lock_guard lock(mutex_);
    done.swap(done_);
    idle = !compressing_;
  }
  for (auto& d : done) {
    if (!d.size) {
      spdlog::error("compressing {}: {} (tried again later)", d.job.path, d.size.error().message);
      files_.abandonCompression(d.job);
      continue;
    }
    if (auto st = files_.finishCompression(db_.writer(), d.job, *d.size); !st) {
      spdlog::error("compressing {}: {} (tried again later)", d.job.path, st.error().message);
    } else {
      spdlog::info("compressed {} ({} to {} bytes)", d.job.path, d.job.snapshot.size, *d.size);
      next_compression_check_ = {};  // the next one at once
    }
  }
  if (idle && now >= next_compression_check_) {
    auto jobs = files_.dueForCompression(common::nowUtc(), options_.compress_after,
                                         options_.compression, 1);
    next_compression_check_ = now + kCompressionCheck;
    if (!jobs.empty()) {
      std::lock_guard lock(mutex_);
      job_ = std::move(jobs.front());
      compressing_ = true;
      wake_.notify_one();
    }
  }
  if (options_.retention_days > 0) retentionStep();
}

void Maintenance::retentionStep() {
  const auto now = std::chrono::steady_clock::now();
  WriteSession& db = db_.writer();
  if (!busy()) {
    if (now < next_retention_) return;
    next_retention_ = now + kRetentionEvery;
    retention_cutoff_ = common::nowUtc() - std::chrono::hours(24) * options_.retention_days;
    auto hosts = db.hostsWithReportsBefore(retention_cutoff_.time_since_epoch().count());
    if (!hosts) {
      spdlog::error("retention: {}", hosts.error().message);
      return;
    }
    retention_hosts_.assign(hosts->begin(), hosts->end());
    retention_files_pending_ = true;
    retention_removed_ = 0;
    return;
  }
  if (!retention_hosts_.empty()) {
    const std::int64_t host = retention_hosts_.front();
    common::Status st = db.begin();
    auto expired = st ? db.expireReports(host, retention_cutoff_.time_since_epoch().count(),
                                         kReportsPerRetentionStep)
                      : common::Result<WriteSession::Expired>(st.error());
    if (expired) st = db.commit();
    if (!expired || !st) {
      db.rollback();
      spdlog::error("retention: {}", expired ? st.error().message : expired.error().message);
      retention_hosts_.pop_front();  // the next pass tries again
      return;
    }
    retention_removed_ += expired->reports;
    if (expired->host_removed) {
      spdlog::info("retention: {} had no report left and is forgotten", expired->ip);
      host_removed_(host, expired->ip);
    }
    if (!expired->more) retention_hosts_.pop_front();
    return;
  }
  auto files = files_.removeDaysBefore(db, retention_cutoff_);
  retention_files_pending_ = false;
  if (!files) {
    spdlog::error("retention: {}", files.error().message);
    return;
  }
  if (retention_removed_ > 0 || *files > 0) {
    spdlog::info("retention: removed {} report(s) and {} day file(s) older than {}",
                 retention_removed_, *files, common::formatRfc3339Utc(retention_cutoff_));
  }
}

void Maintenance::compressLoop() {
  ::pthread_setname_np(::pthread_self(), "vigia-compress");
  // A day compresses in the background: ingest comes first for the CPU.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return job_.has_value() || stopping_; });
    if (stopping_) return;
    DayFileSet::CompressionJob job = std::move(*job_);
    job_.reset();
    lock.unlock();
    auto size = compress(job);
    lock.lock();
    done_.push_back({std::move(job), std::move(size)});
    compressing_ = false;
  }
}

// The plain file's first `snapshot.size` bytes (they never change: the file only grows, and
// a batch that failed is cut back to no less) into <target>.tmp, fsynced.
common::Result<std::int64_t> Maintenance::compress(const DayFileSet::CompressionJob& job) {
  Fd in(::open(job.absolute.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return ioError("open", job.path, errno);
  const std::string tmp = job.target_absolute + ".tmp";
  Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kDataFileMode));
  if (out.get() < 0) return ioError("create", tmp, errno);
  DayCompressor compressor(job.compression);
  std::string chunk(kReadChunk, '\0');
  std::string compressed;
  std::int64_t offset = 0, written = 0;
  while (offset < job.snapshot.size) {
    const auto want = static_cast<std::size_t>(
        std::min<std::int64_t>(static_cast<std::int64_t>(kReadChunk), job.snapshot.size - offset));
    const ssize_t n = ::pread(in.get(), chunk.data(), want, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ioError("read", job.path, errno);
    if (n == 0) return makeError(ErrorCode::kInternal, job.path + " is shorter than expected");
    offset += n;
    compressed.clear();
    if (auto st =
            compressor.add(std::string_view(chunk.data(), static_cast<std::size_t>(n)), compressed);
        !st) {
      return st.error();
    }
    if (auto st = writeAll(out.get(), compressed, tmp); !st) return st.error();
    written += static_cast<std::int64_t>(compressed.size());
  }
  compressed.clear();
  if (auto st = compressor.finish(compressed); !st) return st.error();
  if (auto st = writeAll(out.get(), compressed, tmp); !st) return st.error();
  written += static_cast<std::int64_t>(compressed.size());
  if (::fdatasync(out.get()) != 0) return ioError("fdatasync", tmp, errno);
  return written;
}

}  // namespace vigia::server
