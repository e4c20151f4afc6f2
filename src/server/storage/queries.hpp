#pragma once

// The read side of the storage (the GET API of docs/api.md): what a backend answers, from any
// thread, each call on a connection of its own. Every list is ordered and paged on the database, by
// a cursor that is the position of the last item given (keyset paging: a page costs the same
// however deep it is, and nothing is skipped or repeated when rows are added meanwhile).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/time_util.hpp"
#include "server/storage/compliance/compliance_queries.hpp"

namespace vigia::server {

struct ServerSummary {
  std::string ip;
  std::string hostname;
  std::string os_name;
  std::string os_version;
  std::string last_report_at;  // newest collected_at, RFC 3339 UTC
  std::int64_t reports = 0;
};

struct ReportSummary {
  std::string id;            // report_id (uuid)
  std::string collected_at;  // RFC 3339 UTC
  std::int64_t processes = 0;
  std::int64_t sessions = 0;
  std::int64_t collected_us = 0;  // with the row id below: the position, for the next page
  std::int64_t row_id = 0;
};

// Where a page ended: the sort key of its last item and the row id that breaks ties.
struct ListCursor {
  std::int64_t key = 0;
  std::int64_t id = 0;
};

// The filters of GET /api/v1/processes and /api/v1/sessions (docs/api.md). Those that do not
// apply to a kind are left empty.
struct RunQuery {
  std::optional<std::string> host;         // canonical IP
  std::optional<std::string> name;         // processes: exact
  std::optional<std::string> user;         // exact
  std::optional<std::string> command;      // processes: a substring
  std::optional<std::string> remote_host;  // sessions: exact
  std::optional<std::string> tty;          // sessions: exact
  std::optional<common::Timestamp> at;     // runs listed by each host's report in force then
  std::optional<common::Timestamp> since, until;
  int limit = 100;
  std::optional<ListCursor> after;  // newest first_seen_at first: the page after this
};

struct RunTimes {
  std::string host_ip;
  std::string hostname;
  std::string first_seen_at;
  std::string last_seen_at;
  bool current = false;  // listed by its host's newest report (running / open)
  ListCursor position;
};

struct ProcessRunItem : RunTimes {
  std::int64_t pid = 0;
  std::optional<std::int64_t> ppid;
  std::string name;
  std::string user;
  std::optional<std::int64_t> uid;
  std::optional<std::string> command;
  std::optional<std::string> started_at;
};

struct SessionRunItem : RunTimes {
  std::string user;
  std::string tty;
  std::optional<std::string> remote_host;
  std::optional<std::string> login_time;
  std::optional<std::int64_t> pid;
};

template <typename Item>
struct Page {
  std::vector<Item> items;
  std::optional<ListCursor> next;  // null: nothing after this page
};

class ReadQueries {
 public:
  virtual ~ReadQueries() = default;

  virtual common::Result<std::vector<ServerSummary>> listServers() = 0;
  // nullopt: no such server. Newest first, strictly before `before` when given, after
  // `after` (a previous page's last item) when given.
  virtual common::Result<std::optional<std::vector<ReportSummary>>> listReports(
      const std::string& ip, int limit, std::optional<common::Timestamp> before,
      std::optional<ListCursor> after = std::nullopt) = 0;
  // The stored document (the JSON Lines line without its line break); nullopt if unknown.
  virtual common::Result<std::optional<std::string>> reportDocument(const std::string& uuid) = 0;

  virtual common::Result<Page<ProcessRunItem>> searchProcesses(const RunQuery& query) = 0;
  virtual common::Result<Page<SessionRunItem>> searchSessions(const RunQuery& query) = 0;

  // Compliance (compliance_queries.hpp). nullopt: no such server.
  virtual common::Result<ComplianceSummary> complianceSummary(std::int64_t stale_cutoff_us) = 0;
  virtual common::Result<std::vector<HostComplianceItem>> complianceHosts(
      const HostComplianceQuery& query) = 0;
  virtual common::Result<std::optional<std::vector<VerdictItem>>> hostCompliance(
      const std::string& ip) = 0;
  virtual common::Result<std::optional<std::vector<VerdictRunItem>>> hostComplianceHistory(
      const std::string& ip, const VerdictRunQuery& query) = 0;
  // Per UTC day from `first_day` through the day of `now`, oldest first: host counts at the
  // end of each day (at `now` for its day).
  virtual common::Result<std::vector<TrendDay>> complianceTrend(
      common::Timestamp first_day, common::Timestamp now, std::chrono::seconds stale_after) = 0;
};

}  // namespace vigia::server
