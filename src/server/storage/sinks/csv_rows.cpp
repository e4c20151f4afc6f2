#include "server/storage/sinks/csv_rows.hpp"

#include <charconv>

namespace vigia::server {
namespace {

constexpr int kColumns = 21;
enum Column {
  kReportId,
  kCollectedAt,
  kServerIp,
  kHostname,
  kRecord,
  kPid,
  kPpid,
  kUser,
  kName,
  kCommand,
  kTty,
  kRemoteHost,
  kLoginTime,
  kOsName,
  kOsVersion,
  kKernel,
  kArch,
  kCpuVendor,
  kCpuModel,
  kCpuCores,
  kCpuThreads
};

// A row is built cell by cell; unset cells stay empty. The four cells every row of a report
// repeats (report_id, collected_at, server_ip, hostname) are rendered once per report, as the
// `shared` prefix: quoting them again for each of 300 process rows was a third of the work.
class Row {
 public:
  void set(Column c, std::string_view v) { cells_[c] = v; }
  void setOptional(Column c, const std::optional<std::string>& v) {
    if (v) cells_[c] = *v;
  }
  void setNumber(Column c, std::optional<std::int64_t> v) {
    if (!v) return;
    auto [end, ec] = std::to_chars(numbers_[c], numbers_[c] + sizeof numbers_[c], *v);
    cells_[c] = std::string_view(numbers_[c], static_cast<std::size_t>(end - numbers_[c]));
  }
  void appendTo(std::string& out, std::string_view shared, bool guard) const {
    out.append(shared);
    for (int i = kRecord; i < kColumns; ++i) {
      if (i != kRecord) out.push_back(',');
      appendCsvCell(cells_[i], guard, out);
    }
    out.push_back('\n');
  }

 private:
  std::string_view cells_[kColumns];
  char numbers_[kColumns][24];  // only the cells set by setNumber are read
};

// "report_id,collected_at,server_ip,hostname," as CSV cells.
std::string sharedCells(const common::Report& r, bool guard) {
  std::string shared;
  for (const std::string* cell : {&r.report_id, &r.collected_at, &r.host.ip, &r.host.hostname}) {
    appendCsvCell(*cell, guard, shared);
    shared.push_back(',');
  }
  return shared;
}

}  // namespace

void appendCsvCell(std::string_view value, bool formula_guard, std::string& out) {
  if (value.empty()) return;  // most cells of a process row
  // One pass with plain comparisons: cells are short, and find_first_of would scan the cell
  // once per special character (it was a tenth of the server's ingest CPU).
  bool quote = false;
  for (const char c : value) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      quote = true;
      break;
    }
  }
  const char first = value.front();
  const bool guard = formula_guard && (first == '=' || first == '+' || first == '-' ||
                                       first == '@' || first == '\t' || first == '\r');
  if (!quote) {
    if (guard) out.push_back('\'');
    out.append(value);
    return;
  }
  out.push_back('"');
  if (guard) out.push_back('\'');
  std::size_t from = 0;
  for (std::size_t at = value.find('"'); at != std::string_view::npos;
       at = value.find('"', at + 1)) {
    out.append(value.substr(from, at + 1 - from)).push_back('"');
    from = at + 1;
  }
  out.append(value.substr(from));
  out.push_back('"');
}

void appendCsvRows(const common::Report& r, bool guard, std::string& out) {
  const std::string shared = sharedCells(r, guard);
  {
    Row host;
    host.set(kRecord, "host");
    host.set(kOsName, r.os.name);
    host.set(kOsVersion, r.os.version);
    host.setOptional(kKernel, r.os.kernel);
    host.setOptional(kArch, r.os.arch);
    host.setOptional(kCpuVendor, r.cpu.vendor);
    host.set(kCpuModel, r.cpu.model);
    host.setNumber(kCpuCores, r.cpu.cores);
    host.setNumber(kCpuThreads, r.cpu.threads);
    host.appendTo(out, shared, guard);
  }
  for (const auto& p : r.processes) {
    Row row;
    row.set(kRecord, "process");
    row.setNumber(kPid, p.pid);
    row.setNumber(kPpid, p.ppid);
    row.set(kUser, p.user);
    row.set(kName, p.name);
    row.setOptional(kCommand, p.command);
    row.appendTo(out, shared, guard);
  }
  for (const auto& s : r.sessions) {
    Row row;
    row.set(kRecord, "session");
    row.set(kUser, s.user);
    row.set(kTty, s.tty);
    row.setOptional(kRemoteHost, s.remote_host);
    row.setOptional(kLoginTime, s.login_time);
    row.setNumber(kPid, s.pid);
    row.appendTo(out, shared, guard);
  }
}

}  // namespace vigia::server
