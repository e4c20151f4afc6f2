// The API's route table, row by row, in-process against a real store: each row's method and
// path reach its own handler (told apart by what only that handler answers) with the access
// the row declares, and with no other token; unknown paths are 404 and other methods 405 with
// the path's Allow list, both only after the gate. A row added to routes.cpp without a line
// here fails the first test.

#include "server/api/routes.hpp"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>

#include "server/api/api.hpp"
#include "temp_tree.hpp"
#include "test_report.hpp"

namespace vigia::server {
namespace {

constexpr const char* kIngestToken = "Bearer ingest-token";
constexpr const char* kReadToken = "Bearer read-token";
constexpr const char* kIp = "10.0.0.5";

struct Row {
  const char* method;
  const char* pattern;
  Access access;
  unsigned status;       // with a token the row accepts
  const char* body_has;  // what only this row's handler answers
};

// One line per row of routes.cpp, in its order.
const Row kRows[] = {
    {"GET", "/healthz", Access::kPublic, 200, "ok"},
    {"GET", "/metrics", Access::kRead, 200, "# TYPE vigia_reports_stored_total counter"},
    {"POST", "/api/v1/reports", Access::kIngest, 201, "\"status\":\"stored\""},
    {"GET", "/api/v1/servers", Access::kRead, 200, "\"os_name\":\"Debian GNU/Linux\""},
    {"GET", "/api/v1/servers/{ip}/reports", Access::kRead, 200, "\"collected_at\""},
    {"GET", "/api/v1/reports/{report_id}", Access::kRead, 200, "\"schema_version\":1"},
    {"GET", "/api/v1/processes", Access::kRead, 200, "\"command\":\"/bin/p"},
    {"GET", "/api/v1/sessions", Access::kRead, 200, "\"tty\":\"pts/0\""},
    {"GET", "/api/v1/policy", Access::kRead, 200, "\"loaded_at\":null"},
    {"GET", "/api/v1/compliance", Access::kRead, 200, "\"hosts\":{\"total\":1"},
    {"GET", "/api/v1/compliance/hosts", Access::kRead, 200, "\"worst_severity\":null"},
    {"GET", "/api/v1/compliance/trend", Access::kRead, 200, "\"date\":\""},
    {"GET", "/api/v1/servers/{ip}/compliance", Access::kRead, 200, "{\"items\":[]}"},
    {"GET", "/api/v1/servers/{ip}/compliance/history", Access::kRead, 200,
     "{\"items\":[],\"next\":null}"},
    {"GET", "/", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/hosts", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/hosts/{ip}", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/rules", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/rules/{id}", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/search", Access::kPublic, 200, "<title>vigia</title>"},
    {"GET", "/assets/{name}", Access::kPublic, 200, "Third-party software in the vigia dashboard"},
};

const char* const kMethods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"};

class Routes : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<ReportStore> store_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::string report_id_ = common::newUuidV4();

  void SetUp() override {
    StoreOptions options;
    options.data_dir = tree_.root() / "data";
    options.fsync = false;
    options.compress = "none";
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    ApiOptions api;
    api.auth.ingest.push_back(sha256("ingest-token"));
    api.auth.read.push_back(sha256("read-token"));
    api.rate_limit.burst = 1e6;  // the limit has tests of its own
    api_ = std::make_unique<Api>(*store_, metrics_, std::move(api));
    // Something for every read row to find.
    const auto stored = call("POST", "/api/v1/reports", kIngestToken, report(report_id_));
    ASSERT_EQ(stored.status, 201u) << stored.body;
  }

  void TearDown() override {
    api_.reset();
    store_->stop();
  }

  static std::string report(const std::string& id) {
    test::TestReportSpec spec;
    spec.ip = kIp;
    spec.sessions = 1;
    spec.report_id = id;
    return test::testReport(spec).dump();
  }

  // The pattern with each {parameter} replaced by a value the store knows.
  std::string target(std::string_view pattern) const {
    const std::map<std::string, std::string, std::less<>> samples = {
        {"ip", kIp}, {"report_id", report_id_}, {"id", "sshd-running"}, {"name", "licenses.txt"}};
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] != '{') {
        out += pattern[i];
        continue;
      }
      const std::size_t end = pattern.find('}', i);
      const auto sample = samples.find(pattern.substr(i + 1, end - i - 1));
      if (sample == samples.end()) {
        ADD_FAILURE() << "no sample value for " << pattern.substr(i, end - i + 1);
        return out;
      }
      out += sample->second;
      i = end;
    }
    return out;
  }

  ApiResponse call(std::string method, std::string target, const char* authorization,
                   std::string body = {}) {
    ApiRequest r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.authorization = authorization;
    r.content_type = "application/json";
    r.body = std::move(body);
    r.peer_ip = "10.1.2.3";  // not loopback: the gate applies in full
    std::promise<ApiResponse> answer;
    api_->handle(std::move(r), [&](ApiResponse a) { answer.set_value(std::move(a)); });
    ApiResponse a = answer.get_future().get();
    if (a.stream) {  // drain a streamed body, as the HTTP layer would
      while (true) {
        auto more = a.stream->next(a.body);
        if (!more || !*more) break;
      }
    }
    return a;
  }

  static std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }

  // What each kind of token gets: the row's answer when its access allows it, else the gate's.
  static unsigned gateStatus(Access needed, const char* authorization) {
    if (needed == Access::kPublic) return 0;
    if (*authorization == '\0') return 401;
    const bool ingest = std::string_view(authorization) == kIngestToken;
    return (needed == Access::kIngest) == ingest ? 0 : 403;
  }
};

TEST_F(Routes, EveryRowOfTheTableHasItsLineHereAndNeedsWhatItsMethodWould) {
  const auto routes = apiRoutes().routes();
  ASSERT_EQ(routes.size(), std::size(kRows));
  for (std::size_t i = 0; i < routes.size(); ++i) {
    EXPECT_EQ(routes[i].method, kRows[i].method) << i;
    EXPECT_EQ(routes[i].pattern, kRows[i].pattern) << i;
    EXPECT_EQ(routes[i].access, kRows[i].access) << routes[i].pattern;
    // The gate decides unknown paths by method; a row needing otherwise would tell a client
    // holding the wrong token that its path exists.
    if (routes[i].access != Access::kPublic) {
      EXPECT_EQ(routes[i].access, accessByMethod(routes[i].method)) << routes[i].pattern;
    }
  }
}

TEST_F(Routes, EveryRowReachesItsHandlerWithTheRightTokenAndOnlyWithIt) {
  for (const Row& row : kRows) {
    for (const char* token : {"", kIngestToken, kReadToken}) {
      const std::string t = target(row.pattern);
      const std::string body =
          std::string_view(row.method) == "POST" ? report(common::newUuidV4()) : "";
      const ApiResponse a = call(row.method, t, token, body);
      const std::string what = std::string(row.method) + " " + t + " with \"" + token + "\"";
      if (const unsigned refused = gateStatus(row.access, token); refused != 0) {
        EXPECT_EQ(a.status, refused) << what;
        EXPECT_NE(header(a, "WWW-Authenticate"), "<absent>") << what;
        continue;
      }
      EXPECT_EQ(a.status, row.status) << what << ": " << a.body;
      EXPECT_NE(a.body.find(row.body_has), std::string::npos) << what << ": " << a.body;
    }
  }
  // Each stored once: the setup's report and the one accepted POST.
  EXPECT_EQ(store_->stats().known_servers, 1);
  const auto reports = call("GET", std::string("/api/v1/servers/") + kIp + "/reports", kReadToken);
  EXPECT_NE(reports.body.find(report_id_), std::string::npos);
  EXPECT_NE(metrics_.render(0).find("\nvigia_reports_stored_total 2\n"), std::string::npos);
}

TEST_F(Routes, UnknownPathsAre404OnlyPastTheGate) {
  const char* const unknown[] = {
      "/nope",
      "/api",
      "/api/v1",
      "/api/v2/servers",
      "/API/v1/servers",
      "/api/v1/servers/10.0.0.5",
      "/api/v1/servers/10.0.0.5/reports/extra",
      "/api/v1/reports/a/b",
      "/healthz/x",
      "/metrics/x",
  };
  for (const char* path : unknown) {
    const auto found = call("GET", path, kReadToken);
    EXPECT_EQ(found.status, 404u) << path;
    EXPECT_NE(found.body.find("\"error\":\"not_found\""), std::string::npos) << found.body;
    EXPECT_NE(found.body.find(std::string("no such endpoint: ") + path), std::string::npos)
        << found.body;
    // Without the token a method needs, nothing tells whether the path exists.
    EXPECT_EQ(call("GET", path, "").status, 401u) << path;
    EXPECT_EQ(call("GET", path, kIngestToken).status, 403u) << path;
    EXPECT_EQ(call("POST", path, kReadToken).status, 403u) << path;
    EXPECT_EQ(call("POST", path, kIngestToken).status, 404u) << path;
  }
}

TEST_F(Routes, OtherMethodsAre405WithThePathsAllowList) {
  // The methods of each path, in table order, as Allow must list them.
  std::vector<std::pair<std::string, std::string>> paths;
  for (const Row& row : kRows) {
    auto it = std::find_if(paths.begin(), paths.end(),
                           [&](const auto& p) { return p.first == row.pattern; });
    if (it == paths.end()) {
      paths.emplace_back(row.pattern, row.method);
    } else {
      it->second += std::string(", ") + row.method;
    }
  }
  for (const auto& path : paths) {
    // Named, not bound: clang 14 cannot capture a structured binding in a lambda.
    const std::string& pattern = path.first;
    const std::string& allow = path.second;
    const bool is_public = std::any_of(std::begin(kRows), std::end(kRows), [&](const Row& r) {
      return r.pattern == pattern && r.access == Access::kPublic;
    });
    std::set<std::string> listed;
    for (const Row& row : kRows) {
      if (row.pattern == pattern) listed.insert(row.method);
    }
    for (const char* method : kMethods) {
      if (listed.count(method) != 0) continue;
      const std::string t = target(pattern);
      const Access needed = is_public ? Access::kPublic : accessByMethod(method);
      const char* token = needed == Access::kPublic   ? ""
                          : needed == Access::kIngest ? kIngestToken
                                                      : kReadToken;
      const auto a = call(method, t, token);
      EXPECT_EQ(a.status, 405u) << method << " " << t;
      EXPECT_EQ(header(a, "Allow"), allow) << method << " " << t;
      EXPECT_NE(a.body.find("\"error\":\"method_not_allowed\""), std::string::npos) << a.body;
      if (!is_public) {
        EXPECT_EQ(call(method, t, "").status, 401u) << method << " " << t;
      }
    }
  }
}

}  // namespace
}  // namespace vigia::server
