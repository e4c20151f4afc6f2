#include "server/storage/sinks/day_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>
#include <vector>

#include "server/storage/data_dir.hpp"

namespace vigia::server {

using common::ErrorCode;
using common::makeError;

namespace {

common::Error ioError(const std::string& what, const std::string& path, int err) {
  // Every file-system failure is "storage unavailable" to the client: retry later.
  return makeError(ErrorCode::kUnavailable, what + " " + path + ": " + std::strerror(err));
}

common::Status syncDirectoryAt(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ioError("open", dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return ioError("fsync", dir.string(), err);
  return common::Ok{};
}

}  // namespace

DayFiles::DayFiles(std::filesystem::path data_dir, std::string directory, bool fsync,
                   std::size_t max_open)
    : data_dir_(std::move(data_dir)),
      directory_(std::move(directory)),
      fsync_(fsync),
      max_open_(max_open) {}

DayFiles::DayFiles(DayFiles&& other) noexcept
    : data_dir_(std::move(other.data_dir_)),
      directory_(std::move(other.directory_)),
      fsync_(other.fsync_),
      max_open_(other.max_open_),
      open_(std::exchange(other.open_, {})),
      lru_(std::exchange(other.lru_, {})),
      created_(std::exchange(other.created_, {})) {}

DayFiles::~DayFiles() { closeAll(); }

std::string DayFiles::relativePath(std::string_view name) const {
  std::string path = directory_;
  path.append("/").append(name);
  return path;
}

common::Status DayFiles::prepareDirectory() { return createDataDirectory(data_dir_ / directory_); }

common::Result<std::vector<std::string>> DayFiles::list() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(data_dir_ / directory_, ec)) {
    names.push_back(entry.path().filename().string());
  }
  if (ec) return makeError(ErrorCode::kUnavailable, "read " + directory_ + "/: " + ec.message());
  return names;
}

common::Result<int> DayFiles::fd(const std::string& relative) {
  if (auto it = open_.find(relative); it != open_.end()) {
    lru_.remove(relative);
    lru_.push_front(relative);
    return it->second;
  }
  const auto path = data_dir_ / relative;
  int flags = O_WRONLY | O_APPEND | O_CLOEXEC;
  int fd = ::open(path.c_str(), flags);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), flags | O_CREAT | O_EXCL, kDataFileMode);
    if (fd >= 0) created_[relative] = true;
  }
  if (fd < 0) return ioError("open", path.string(), errno);
  if (open_.size() >= max_open_ && !lru_.empty()) {
    // Evicted files were synced at the end of their batch; closing loses nothing.
    const std::string victim = lru_.back();
    lru_.pop_back();
    ::close(open_[victim]);
    open_.erase(victim);
  }
  open_[relative] = fd;
  lru_.push_front(relative);
  return fd;
}

common::Result<std::int64_t> DayFiles::size(const std::string& relative) {
  struct stat st {};
  const auto path = data_dir_ / relative;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::int64_t{0};
    return ioError("stat", path.string(), errno);
  }
  return static_cast<std::int64_t>(st.st_size);
}

common::Result<std::int64_t> DayFiles::append(const std::string& relative, std::int64_t size_before,
                                              std::string_view header,
                                              std::span<const std::string_view> pieces) {
  auto file = fd(relative);
  if (!file) return file.error();
  std::vector<iovec> iov;
  iov.reserve(pieces.size() + 1);
  std::int64_t total = 0;
  auto add = [&](std::string_view piece) {
    if (piece.empty()) return;
    iov.push_back({const_cast<char*>(piece.data()), piece.size()});
    total += static_cast<std::int64_t>(piece.size());
  };
  if (size_before == 0) add(header);
  for (std::string_view piece : pieces) add(piece);

  // writev takes at most IOV_MAX pieces and may write less than asked: go on from where it
  // stopped until every byte is out.
  std::size_t next = 0;
  while (next < iov.size()) {
    const int count = static_cast<int>(std::min<std::size_t>(iov.size() - next, IOV_MAX));
    const ssize_t n = ::writev(*file, &iov[next], count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ioError("write", relative, errno);
    }
    auto written = static_cast<std::size_t>(n);
    while (next < iov.size() && written >= iov[next].iov_len) {
      written -= iov[next].iov_len;
      ++next;
    }
    if (written > 0) {
      iov[next].iov_base = static_cast<char*>(iov[next].iov_base) + written;
      iov[next].iov_len -= written;
    }
  }
  return size_before + total;
}

common::Status DayFiles::syncDirectory() {
  if (!fsync_) return common::Ok{};
  return syncDirectoryAt(data_dir_ / directory_);
}

void DayFiles::startWriteback(const std::string& relative) {
  if (!fsync_) return;
  if (auto it = open_.find(relative); it != open_.end()) {
    // Only a hint: sync() below is what guarantees durability, so an error here is ignored.
    (void)::sync_file_range(it->second, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
}

common::Status DayFiles::sync(const std::string& relative) {
  if (!fsync_) return common::Ok{};
  auto file = fd(relative);
  if (!file) return file.error();
  // The data and the size, which is all an appended file needs (not its times).
  if (::fdatasync(*file) != 0) return ioError("fdatasync", relative, errno);
  if (created_.erase(relative)) {
    return syncDirectoryAt((data_dir_ / relative).parent_path());
  }
  return common::Ok{};
}

common::Status DayFiles::truncate(const std::string& relative, std::int64_t length) {
  const auto path = data_dir_ / relative;
  if (::truncate(path.c_str(), length) != 0 && errno != ENOENT) {
    return ioError("truncate", path.string(), errno);
  }
  if (length == 0) return remove(relative);
  return common::Ok{};
}

common::Status DayFiles::remove(const std::string& relative) {
  if (auto it = open_.find(relative); it != open_.end()) {
    ::close(it->second);
    open_.erase(it);
    lru_.remove(relative);
  }
  created_.erase(relative);
  const auto path = data_dir_ / relative;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return ioError("unlink", path.string(), errno);
  return common::Ok{};
}

void DayFiles::closeAll() {
  for (auto& [path, fd] : open_) ::close(fd);
  open_.clear();
  lru_.clear();
}

}  // namespace vigia::server
