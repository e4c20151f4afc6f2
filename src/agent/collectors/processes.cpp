#include "agent/collectors/processes.hpp"

#include <dirent.h>
#include <unistd.h>

#include <charconv>

#include "agent/collectors/file_io.hpp"
#include "agent/collectors/proc_stat.hpp"
#include "common/time_util.hpp"
#include "common/utf8.hpp"

namespace vigia::agent {
namespace {

bool isPidName(std::string_view name) {
  return !name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<uid_t> parseStatusEffectiveUid(std::string_view status) {
  const std::size_t at = status.find("\nUid:");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view line = status.substr(at + 5);
  line = line.substr(0, line.find('\n'));
  // Skip the real uid, then read the effective one.
  for (int i = 0; i < 2; ++i) {
    line = line.substr(std::min(line.find_first_not_of(" \t"), line.size()));
    const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
    if (i == 1) {
      uid_t uid = 0;
      auto [ptr, ec] = std::from_chars(line.data(), line.data() + end, uid);
      if (ec != std::errc() || ptr != line.data() + end) return std::nullopt;
      return uid;
    }
    line.remove_prefix(end);
  }
  return std::nullopt;
}

std::string formatCommand(std::string_view raw, std::string_view name) {
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  if (raw.empty()) {
    // Built with append: GCC 12 warns falsely (-Wrestrict, bug 105329) on "[" + s + "]".
    std::string bracketed;
    bracketed.reserve(name.size() + 2);
    bracketed.append(1, '[').append(common::sanitizeUtf8(name)).append(1, ']');
    return bracketed;
  }
  std::string joined(raw);
  for (char& c : joined) {
    if (c == '\0') c = ' ';
  }
  return common::truncateUtf8(common::sanitizeUtf8(joined), kMaxCommandBytes);
}

std::vector<common::Process> readProcesses(const SystemPaths& paths, UserNames& users,
                                           const ProcessScanOptions& options) {
  std::vector<common::Process> out;
  DIR* dir = ::opendir(paths.proc.c_str());
  if (!dir) return out;
  out.reserve(512);
  const std::string proc_prefix = paths.proc.string() + "/";
  std::string path;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view pid_name = entry->d_name;
    if (!isPidName(pid_name)) continue;
    path.assign(proc_prefix).append(pid_name);
    const std::size_t base = path.size();

    auto stat_text = readFile(path.append("/stat").c_str(), 4096);
    if (!stat_text) continue;  // exited since readdir, or not a process directory
    const auto st = parsePidStat(*stat_text);
    if (!st) continue;

    common::Process p;
    std::from_chars(pid_name.data(), pid_name.data() + pid_name.size(), p.pid);
    p.ppid = st->ppid;
    p.name = common::sanitizeUtf8(st->comm);
    p.state = std::string(1, st->state);
    const double ticks = static_cast<double>(options.clock_ticks);
    p.cpu_seconds = static_cast<double>(st->utime_ticks + st->stime_ticks) / ticks;
    p.rss_bytes = st->rss_pages * options.page_size;
    if (options.boot_time > 0) {
      const auto started = common::Timestamp{std::chrono::seconds{options.boot_time}} +
                           std::chrono::milliseconds{static_cast<std::int64_t>(
                               static_cast<double>(st->start_ticks) * 1000.0 / ticks)};
      p.started_at = common::formatRfc3339Utc(started);
    }

    if (st->flags & kPfKthread) {
      // Kernel threads have no command line and always run as root: two reads saved for
      // what is often half the process table.
      p.uid = 0;
      p.user = users.nameOf(0);
      p.command = formatCommand({}, st->comm);
      out.push_back(std::move(p));
      continue;
    }

    path.resize(base);
    auto status = readFile(path.append("/status").c_str(), 8192);
    if (!status && status.error().code == common::ErrorCode::kNotFound) continue;  // exited
    if (status) {
      if (const auto uid = parseStatusEffectiveUid(*status)) {
        p.uid = *uid;
        p.user = users.nameOf(*uid);
      }
    }
    if (p.user.empty()) p.user = "?";  // status refused: "user" is required, the uid stays absent

    path.resize(base);
    auto cmdline = readFile(path.append("/cmdline").c_str(), kMaxCommandBytes);
    if (!cmdline && cmdline.error().code == common::ErrorCode::kNotFound) continue;  // exited
    if (cmdline) p.command = formatCommand(*cmdline, st->comm);
    out.push_back(std::move(p));
  }
  ::closedir(dir);
  return out;
}

common::Status ProcessCollector::collect(const CollectContext& context, common::Report& report) {
  UserNames users = context.paths.passwd_file ? UserNames(*context.paths.passwd_file) : UserNames();
  ProcessScanOptions options;
  options.boot_time = readBootTime(context.paths).value_or(0);
  options.clock_ticks = ::sysconf(_SC_CLK_TCK);
  options.page_size = ::sysconf(_SC_PAGESIZE);
  report.processes = readProcesses(context.paths, users, options);
  if (report.processes.empty()) {
    return common::makeError(common::ErrorCode::kNotFound,
                             "no process readable under " + context.paths.proc.string());
  }
  return common::Ok{};
}

}  // namespace vigia::agent
