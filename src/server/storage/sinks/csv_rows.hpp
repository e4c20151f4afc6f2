#pragma once

// The CSV rows of docs/storage.md for one report: RFC 4180, "\n" line ends, formula guard.

#include <string>
#include <string_view>

#include "common/report.hpp"

namespace vigia::server {

inline constexpr std::string_view kCsvHeader =
    "report_id,collected_at,server_ip,hostname,record,pid,ppid,user,name,command,tty,"
    "remote_host,login_time,os_name,os_version,kernel,arch,cpu_vendor,cpu_model,cpu_cores,"
    "cpu_threads\n";

// Appends 1 + processes + sessions rows to `out`. The report must be validated (canonical
// report_id, IP and times).
void appendCsvRows(const common::Report& report, bool formula_guard, std::string& out);

// One cell: `'` prefix for formula starters when guarded, then RFC 4180 quoting if needed.
void appendCsvCell(std::string_view value, bool formula_guard, std::string& out);

}  // namespace vigia::server
