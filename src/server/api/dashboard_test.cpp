// The dashboard's page and assets through the API, in-process against a real store: every
// view's URL serves the same shell with no token, every answer carries the strict headers,
// the shell has no inline script or style, assets come gzipped only to a client accepting it,
// and an unknown asset is a 404. (The browser test drives the same answers in Chromium.)

#include <gtest/gtest.h>

#include <future>

#include "server/api/api.hpp"
#include "server/api/gzip.hpp"
#include "temp_tree.hpp"

namespace vigia::server {
namespace {

class Dashboard : public ::testing::Test {
 protected:
  test::TempTree tree_;
  std::unique_ptr<ReportStore> store_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;

  void SetUp() override {
#ifdef VIGIA_DASHBOARD_OFF
    GTEST_SKIP() << "built with VIGIA_DASHBOARD=OFF";
#endif
    StoreOptions options;
    options.data_dir = tree_.root() / "data";
    options.fsync = false;
    options.compress = "none";
    auto opened = ReportStore::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
    ApiOptions api;
    api.auth.read.push_back(sha256("read-token"));
    api_ = std::make_unique<Api>(*store_, metrics_, std::move(api));
  }
  void TearDown() override {
    api_.reset();
    if (store_) store_->stop();
  }

  ApiResponse get(std::string target, std::string accept_encoding = {}) {
    ApiRequest r;
    r.method = "GET";
    r.target = std::move(target);
    r.accept_encoding = std::move(accept_encoding);
    r.peer_ip = "10.1.2.3";
    std::promise<ApiResponse> answer;
    api_->handle(std::move(r), [&](ApiResponse a) { answer.set_value(std::move(a)); });
    return answer.get_future().get();
  }

  static std::string header(const ApiResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "<absent>";
  }

  static void expectStrictHeaders(const ApiResponse& r, const std::string& what) {
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << what;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << what;
    EXPECT_NE(csp.find("style-src 'self';"), std::string::npos) << what;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << what;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer") << what;
  }
};

TEST_F(Dashboard, EveryViewsUrlServesTheSameShellWithoutAToken) {
  const ApiResponse root = get("/");
  ASSERT_EQ(root.status, 200u);
  EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
  expectStrictHeaders(root, "/");
  for (const char* path :
       {"/hosts", "/hosts?status=failing&rule=x", "/hosts/10.0.0.5", "/hosts/%3A%3A1", "/rules",
        "/rules/sshd-running", "/search?kind=sessions"}) {
    const ApiResponse page = get(path);
    EXPECT_EQ(page.status, 200u) << path;
    EXPECT_EQ(page.body, root.body) << path;
    expectStrictHeaders(page, path);
  }
  // The data stays behind the token.
  EXPECT_EQ(get("/api/v1/compliance").status, 401u);
}

TEST_F(Dashboard, TheShellHasNoInlineScriptOrStyle) {
  const std::string shell = get("/").body;
  EXPECT_NE(shell.find("<script type=\"module\" src=\"/assets/app.js\"></script>"),
            std::string::npos);
  std::size_t scripts = 0;
  for (std::size_t at = shell.find("<script"); at != std::string::npos;
       at = shell.find("<script", at + 1)) {
    ++scripts;
  }
  EXPECT_EQ(scripts, 1u);
  EXPECT_EQ(shell.find("<style"), std::string::npos);
  EXPECT_EQ(shell.find("style="), std::string::npos);
  EXPECT_EQ(shell.find(" on"), std::string::npos);  // no onload= and the like
}

TEST_F(Dashboard, AssetsComeGzippedOnlyToAClientThatAcceptsIt) {
  for (const char* name : {"app.js", "style.css", "licenses.txt"}) {
    const std::string path = std::string("/assets/") + name;
    const ApiResponse plain = get(path);
    ASSERT_EQ(plain.status, 200u) << path;
    EXPECT_EQ(header(plain, "Content-Encoding"), "<absent>") << path;
    EXPECT_EQ(header(plain, "Vary"), "Accept-Encoding") << path;
    expectStrictHeaders(plain, path);
    const ApiResponse zipped = get(path, "br, gzip;q=0.9, deflate");
    ASSERT_EQ(zipped.status, 200u) << path;
    EXPECT_EQ(header(zipped, "Content-Encoding"), "gzip") << path;
    EXPECT_LT(zipped.body.size(), plain.body.size()) << path;
    auto inflated = gunzip(zipped.body, 16 << 20);
    ASSERT_TRUE(inflated.ok()) << path;
    EXPECT_EQ(*inflated, plain.body) << path;
    EXPECT_EQ(header(get(path, "gzip;q=0, identity"), "Content-Encoding"), "<absent>") << path;
  }
  EXPECT_EQ(get("/assets/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get("/assets/style.css").content_type, "text/css; charset=utf-8");
  EXPECT_NE(get("/assets/licenses.txt").body.find("uPlot"), std::string::npos);
}

TEST_F(Dashboard, AnUnknownAssetIsA404) {
  for (const char* path : {"/assets/nope.js", "/assets/index.html", "/assets/..%2Fapp.js"}) {
    const ApiResponse a = get(path);
    EXPECT_EQ(a.status, 404u) << path;
    EXPECT_NE(a.body.find("\"error\":\"not_found\""), std::string::npos) << path;
  }
}

}  // namespace
}  // namespace vigia::server
