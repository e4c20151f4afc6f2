#include "server/api/queries.hpp"

#include <charconv>

#include "common/identifiers.hpp"
#include "server/api/csv_answer.hpp"
#include "server/api/list_answer.hpp"
#include "server/api/query_params.hpp"

namespace vigia::server {
namespace {

Json serverJson(const ServerSummary& s) {
  return {{"ip", s.ip},
          {"hostname", s.hostname},
          {"os_name", s.os_name},
          {"os_version", s.os_version},
          {"last_report_at", s.last_report_at},
          {"reports", s.reports}};
}

Json reportJson(const ReportSummary& r) {
  return {{"id", r.id},
          {"collected_at", r.collected_at},
          {"processes", r.processes},
          {"sessions", r.sessions}};
}

Json processJson(const ProcessRunItem& p) {
  return {{"host_ip", p.host_ip},
          {"hostname", p.hostname},
          {"pid", p.pid},
          {"ppid", optionalJson(p.ppid)},
          {"name", p.name},
          {"user", p.user},
          {"uid", optionalJson(p.uid)},
          {"command", optionalJson(p.command)},
          {"started_at", optionalJson(p.started_at)},
          {"first_seen_at", p.first_seen_at},
          {"last_seen_at", p.last_seen_at},
          {"running", p.current}};
}

Json sessionJson(const SessionRunItem& s) {
  return {{"host_ip", s.host_ip},
          {"hostname", s.hostname},
          {"user", s.user},
          {"tty", s.tty},
          {"remote_host", optionalJson(s.remote_host)},
          {"login_time", optionalJson(s.login_time)},
          {"pid", optionalJson(s.pid)},
          {"first_seen_at", s.first_seen_at},
          {"last_seen_at", s.last_seen_at},
          {"open", s.current}};
}

// The common part of the process and session searches.
common::Result<RunQuery> runQuery(const QueryParams& params) {
  RunQuery q;
  auto host = params.ip("host");
  if (!host) return host.error();
  q.host = *host;
  for (auto [key, field] : {std::pair{"at", &RunQuery::at}, std::pair{"since", &RunQuery::since},
                            std::pair{"until", &RunQuery::until}}) {
    auto t = params.time(key);
    if (!t) return t.error();
    q.*field = *t;
  }
  auto limit = params.integer("limit", 1, kMaxLimit);
  if (!limit) return limit.error();
  q.limit = static_cast<int>(limit->value_or(100));
  auto cursor = cursorOf(params);
  if (!cursor) return cursor.error();
  q.after = *cursor;
  return q;
}

}  // namespace

ApiResponse listServers(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"format"});
  if (!params) return badQuery(params.error());
  auto servers = api.store.queries().listServers();
  if (!servers) return unavailable(servers.error());
  Json items = Json::array();
  for (const auto& s : *servers) items.push_back(serverJson(s));
  if (!params->csv()) return jsonItems(std::move(items), std::nullopt, false);
  auto rows = std::make_shared<Json>(std::move(items));
  return csvAnswer(
      keysOf(serverJson({})), api.options.csv_formula_guard,
      [rows]() -> common::Result<CsvPage> {
        return CsvPage{std::vector<Json>(rows->begin(), rows->end()), false};
      },
      "servers.csv");
}

ApiResponse listReports(const ApiContext& api, const Call& call) {
  auto ip = common::canonicalIp(call.params["ip"]);
  if (!ip) return errorResponse(404, "not_found", "unknown server: not an IP address");
  auto params = QueryParams::parse(call.query(), {"limit", "before", "format"});
  if (!params) return badQuery(params.error());
  auto limit = params->integer("limit", 1, kMaxLimit);
  if (!limit) return badQuery(limit.error());
  auto before = params->time("before");
  if (!before) return badQuery(before.error());
  auto reports = api.store.queries().listReports(
      *ip, params->csv() ? kMaxLimit : static_cast<int>(limit->value_or(100)), *before);
  if (!reports) return unavailable(reports.error());
  if (!*reports) return errorResponse(404, "not_found", "unknown server " + *ip);
  if (!params->csv()) {
    Json items = Json::array();
    for (const auto& r : **reports) items.push_back(reportJson(r));
    return jsonItems(std::move(items), std::nullopt, false);
  }
  // Every report of the server (no paging), page by page from the database.
  struct State {
    std::optional<std::vector<ReportSummary>> first;
    std::optional<ListCursor> after;
  };
  auto state = std::make_shared<State>(State{std::move(**reports), std::nullopt});
  ReadQueries& queries = api.store.queries();
  const std::optional<common::Timestamp> until = *before;
  return csvAnswer(
      keysOf(reportJson({})), api.options.csv_formula_guard,
      [state, &queries, ip = *ip, until]() -> common::Result<CsvPage> {
        std::vector<ReportSummary> page;
        if (state->first) {
          page = std::move(*state->first);
          state->first.reset();
        } else {
          auto more = queries.listReports(ip, kMaxLimit, until, state->after);
          if (!more) return more.error();
          if (!*more) return CsvPage{};  // the server went (retention) meanwhile
          page = std::move(**more);
        }
        CsvPage out;
        for (const auto& r : page) out.items.push_back(reportJson(r));
        out.more = page.size() == static_cast<std::size_t>(kMaxLimit);
        if (!page.empty()) state->after = ListCursor{page.back().collected_us, page.back().row_id};
        return out;
      },
      *ip + "_reports.csv");
}

ApiResponse getReport(const ApiContext& api, const Call& call) {
  auto id = common::canonicalUuid(call.params["report_id"]);
  if (!id) return errorResponse(404, "not_found", "unknown report: not a UUID");
  auto params = QueryParams::parse(call.query(), {});
  if (!params) return badQuery(params.error());
  auto document = api.store.queries().reportDocument(*id);
  if (!document) return unavailable(document.error());
  if (!*document) return errorResponse(404, "not_found", "unknown report " + *id);
  return jsonResponse(200, std::move(**document));
}

namespace {

// One search endpoint: `search` runs a query of `Item`s, `toJson` makes an item.
template <typename Item, typename Search, typename ToJson>
ApiResponse searchAnswer(const QueryParams& params, RunQuery q, bool guard, Search search,
                         ToJson toJson, const char* filename) {
  if (!params.csv()) {
    auto page = search(q);
    if (!page) return unavailable(page.error());
    Json items = Json::array();
    for (const auto& item : page->items) items.push_back(toJson(item));
    return jsonItems(
        std::move(items),
        page->next ? std::optional<std::string>(cursorText(*page->next)) : std::nullopt, true);
  }
  q.limit = kMaxLimit;  // every matching item, a page at a time
  auto query = std::make_shared<RunQuery>(std::move(q));
  return csvAnswer(
      keysOf(toJson(Item{})), guard,
      [query, search, toJson]() -> common::Result<CsvPage> {
        auto page = search(*query);
        if (!page) return page.error();
        CsvPage out;
        for (const auto& item : page->items) out.items.push_back(toJson(item));
        out.more = page->next.has_value();
        query->after = page->next;
        return out;
      },
      filename);
}

}  // namespace

ApiResponse searchProcesses(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"name", "user", "command", "host", "at", "since",
                                                  "until", "limit", "cursor", "format"});
  if (!params) return badQuery(params.error());
  auto q = runQuery(*params);
  if (!q) return badQuery(q.error());
  q->name = params->text("name");
  q->user = params->text("user");
  q->command = params->text("command");
  ReadQueries& queries = api.store.queries();
  return searchAnswer<ProcessRunItem>(
      *params, std::move(*q), api.options.csv_formula_guard,
      [&queries](const RunQuery& rq) { return queries.searchProcesses(rq); }, processJson,
      "processes.csv");
}

ApiResponse searchSessions(const ApiContext& api, const Call& call) {
  auto params = QueryParams::parse(call.query(), {"user", "remote_host", "tty", "host", "at",
                                                  "since", "until", "limit", "cursor", "format"});
  if (!params) return badQuery(params.error());
  auto q = runQuery(*params);
  if (!q) return badQuery(q.error());
  q->user = params->text("user");
  q->remote_host = params->text("remote_host");
  q->tty = params->text("tty");
  ReadQueries& queries = api.store.queries();
  return searchAnswer<SessionRunItem>(
      *params, std::move(*q), api.options.csv_formula_guard,
      [&queries](const RunQuery& rq) { return queries.searchSessions(rq); }, sessionJson,
      "sessions.csv");
}

}  // namespace vigia::server
