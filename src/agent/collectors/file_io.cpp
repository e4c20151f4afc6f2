#include "agent/collectors/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigia::agent {

using common::ErrorCode;
using common::makeError;

common::Result<std::string> readFile(const char* path, std::size_t max_bytes) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    // ESRCH: the process exited between readdir and open.
    const ErrorCode code = (err == ENOENT || err == ESRCH)   ? ErrorCode::kNotFound
                           : (err == EACCES || err == EPERM) ? ErrorCode::kPermissionDenied
                                                             : ErrorCode::kIo;
    return makeError(code, std::string(path) + ": " + std::strerror(err));
  }
  std::string out;
  // procfs files report size 0, so read in chunks until EOF rather than trusting st_size.
  std::size_t chunk = 4096;
  while (out.size() < max_bytes) {
    const std::size_t old = out.size();
    const std::size_t want = std::min(chunk, max_bytes - old);
    out.resize(old + want);
    const ssize_t n = ::read(fd, out.data() + old, want);
    if (n < 0) {
      if (errno == EINTR) {
        out.resize(old);
        continue;
      }
      const int err = errno;
      ::close(fd);
      return makeError(err == ESRCH ? ErrorCode::kNotFound : ErrorCode::kIo,
                       std::string(path) + ": " + std::strerror(err));
    }
    out.resize(old + static_cast<std::size_t>(n));
    // A short read is the end: procfs and sysfs hand out a whole small file in one read, and
    // skipping the confirming read that would return 0 saves a syscall per file (thousands
    // per collection).
    if (static_cast<std::size_t>(n) < want) break;
    chunk = std::min<std::size_t>(chunk * 2, 1 << 16);
  }
  ::close(fd);
  return out;
}

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace vigia::agent
