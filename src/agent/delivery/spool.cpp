#include "agent/delivery/spool.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <nlohmann/json.hpp>

#include "agent/runtime/log.hpp"

namespace vigia::agent {
namespace {

namespace fs = std::filesystem;
using common::ErrorCode;
using common::makeError;

common::Error ioError(const std::string& what, int err) {
  // ENOSPC and EDQUOT may clear up; the caller decides whether to go on without the spool.
  return makeError(err == ENOSPC || err == EDQUOT ? ErrorCode::kUnavailable : ErrorCode::kIo,
                   what + ": " + std::strerror(err));
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
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

common::Status fsyncDir(const fs::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return ioError("fsync " + dir.string(), errno);
  return common::Ok{};
}

bool isReportFile(const fs::directory_entry& e) {
  const std::string name = e.path().filename().string();
  return !name.starts_with(".") && name.ends_with(".json") && e.is_regular_file();
}

// "<ns>-<report_id>.json" → report_id; anything else keeps the whole stem.
std::string reportIdOf(const fs::path& path) {
  const std::string stem = path.stem().string();
  const std::size_t dash = stem.find('-');
  return dash == std::string::npos ? stem : stem.substr(dash + 1);
}

std::vector<SpoolEntry> listReports(const fs::path& dir) {
  std::vector<SpoolEntry> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code size_ec;
    if (!isReportFile(e)) continue;
    const auto bytes = e.file_size(size_ec);
    if (size_ec) continue;  // vanished meanwhile
    out.push_back(SpoolEntry{e.path(), reportIdOf(e.path()), bytes});
  }
  std::sort(out.begin(), out.end(),
            [](const SpoolEntry& a, const SpoolEntry& b) { return a.path < b.path; });
  return out;
}

// Drops the oldest files of `dir` until both bounds hold, never `keep`.
void pruneOldest(const fs::path& dir, const SpoolLimits& limits, const fs::path& keep,
                 const char* what) {
  auto entries = listReports(dir);
  std::uint64_t bytes = 0;
  for (const auto& e : entries) bytes += e.bytes;
  std::size_t count = entries.size();
  for (const auto& e : entries) {
    if (count <= limits.max_reports && bytes <= limits.max_bytes) break;
    if (e.path == keep) continue;
    std::error_code ec;
    fs::remove(e.path, ec);
    fs::remove(fs::path(e.path).concat(".response"), ec);
    logWarning(std::string(what) + " full (" + std::to_string(count) + " reports, " +
               std::to_string(bytes) + " bytes; limits " + std::to_string(limits.max_reports) +
               " and " + std::to_string(limits.max_bytes) + "): dropped the oldest, report " +
               e.report_id);
    --count;
    bytes -= e.bytes;
  }
}

fs::path uniqueNameIn(const fs::path& dir, const fs::path& name) {
  fs::path target = dir / name;
  for (int i = 1; fs::exists(target); ++i) {
    target = dir / (name.stem().string() + "." + std::to_string(i) + name.extension().string());
  }
  return target;
}

}  // namespace

common::Status writeFileAtomically(const fs::path& path, std::string_view data) {
  // Appended, not `"." + name`: g++ 12 at -O3 inlines that into a memcpy it wrongly reports as
  // overlapping (-Wrestrict, a known false positive of that compiler).
  std::string temp_name = ".";
  temp_name += path.filename().string();
  temp_name += ".tmp";
  const fs::path temp = path.parent_path() / temp_name;
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (fd.get() < 0) return ioError("create " + temp.string(), errno);
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::unlink(temp.c_str());
      return ioError("write " + temp.string(), err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return ioError("fsync " + temp.string(), err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return ioError("rename to " + path.string(), err);
  }
  return fsyncDir(path.parent_path());
}

common::Result<Spool> Spool::open(const fs::path& dir, SpoolLimits limits) {
  for (const fs::path& d : {dir, dir / "rejected", dir / "corrupt"}) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec || !fs::is_directory(d)) {
      return makeError(ErrorCode::kIo, "spool " + d.string() + ": cannot create: " +
                                           (ec ? ec.message() : "not a directory"));
    }
    ::chmod(d.c_str(), 0700);
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return ioError("spool " + dir.string() + " is not writable", errno);
  }
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.ends_with(".tmp")) fs::remove(e.path(), ec);
  }
  return Spool(dir, limits);
}

common::Result<SpoolEntry> Spool::put(std::string_view report_json, std::string_view report_id) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%020lld", static_cast<long long>(ns));
  const fs::path path =
      uniqueNameIn(dir_, std::string(stamp) + "-" + std::string(report_id) + ".json");
  if (auto st = writeFileAtomically(path, report_json); !st) return st.error();
  enforceBounds(path);
  return SpoolEntry{path, std::string(report_id), report_json.size()};
}

std::vector<SpoolEntry> Spool::pending() const { return listReports(dir_); }

void Spool::enforceBounds(const fs::path& keep) { pruneOldest(dir_, limits_, keep, "spool"); }

common::Result<std::string> Spool::read(const SpoolEntry& entry) {
  Fd fd(::open(entry.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err != ENOENT) moveAside(entry, std::string("cannot be read: ") + std::strerror(err));
    return ioError("read " + entry.path.string(), err);
  }
  std::string data;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      moveAside(entry, std::string("cannot be read: ") + std::strerror(err));
      return ioError("read " + entry.path.string(), err);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<std::size_t>(n));
  }
  // The server would refuse garbage too, but a damaged file is a local fault, not a rejection.
  const bool object = !data.empty() && data.front() == '{' && nlohmann::json::accept(data);
  if (!object) {
    moveAside(entry, "is not a JSON object");
    return makeError(ErrorCode::kInvalidArgument, entry.path.string() + ": corrupt");
  }
  return data;
}

common::Status Spool::remove(const SpoolEntry& entry) {
  std::error_code ec;
  fs::remove(entry.path, ec);
  if (ec) return makeError(ErrorCode::kIo, "remove " + entry.path.string() + ": " + ec.message());
  return common::Ok{};
}

common::Status Spool::reject(const SpoolEntry& entry, long http_status, std::string_view answer) {
  const fs::path target = uniqueNameIn(rejectedDir(), entry.path.filename());
  const std::string response =
      "HTTP " + std::to_string(http_status) + "\n" + std::string(answer) + "\n";
  if (auto st = writeFileAtomically(fs::path(target).concat(".response"), response); !st) {
    return st;
  }
  std::error_code ec;
  fs::rename(entry.path, target, ec);
  if (ec) return makeError(ErrorCode::kIo, "move to " + target.string() + ": " + ec.message());
  pruneOldest(rejectedDir(), limits_, target, "rejected/");
  return common::Ok{};
}

void Spool::moveAside(const SpoolEntry& entry, const std::string& why) {
  const fs::path target = uniqueNameIn(corruptDir(), entry.path.filename());
  std::error_code ec;
  fs::rename(entry.path, target, ec);
  if (ec) fs::remove(entry.path, ec);  // cannot keep it; never retry a bad file forever
  logWarning("spool file " + entry.path.filename().string() + " " + why + "; moved to " +
             (ec ? std::string("nowhere (removed)") : target.string()));
  pruneOldest(corruptDir(), limits_, target, "corrupt/");
}

}  // namespace vigia::agent
