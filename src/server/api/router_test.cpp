// The router on a table of its own: path splitting, pattern matching and parameters, the first
// matching row winning, the Allow list of a path, and the access of requests no row has. The
// API's own table is tested in routes_test.cpp.

#include "server/api/router.hpp"

#include <gtest/gtest.h>

namespace vigia::server {
namespace {

using Segments = std::vector<std::string>;

void noop(const ApiContext&, Call) {}
void other(const ApiContext&, Call) {}

// Shaped like the dashboard and compliance rows the API is to grow.
const Router& table() {
  static const Router router({
      {"GET", "/", Access::kPublic, noop},
      {"GET", "/assets/{file}", Access::kPublic, noop},
      {"GET", "/api/v1/compliance/hosts", Access::kRead, noop},
      {"GET", "/api/v1/compliance/{anything}", Access::kRead, other},
      {"GET", "/api/v1/servers/{ip}/compliance/history", Access::kRead, noop},
      {"GET", "/api/v1/items", Access::kRead, noop},
      {"POST", "/api/v1/items", Access::kIngest, other},
      {"PUT", "/api/v1/items", Access::kIngest, other},
  });
  return router;
}

TEST(SplitPath, DropsEmptySegmentsAndTheQueryAndDecodesEachSegment) {
  const std::pair<const char*, Segments> cases[] = {
      {"", {}},
      {"/", {}},
      {"///", {}},
      {"/healthz", {"healthz"}},
      {"//healthz/", {"healthz"}},
      {"/%68ealthz", {"healthz"}},
      {"/healthz?probe=1/2", {"healthz"}},
      {"/api/v1/servers/fe80%3A%3A1/reports", {"api", "v1", "servers", "fe80::1", "reports"}},
      {"/a%2Fb/c", {"a/b", "c"}},  // an encoded slash stays inside its segment
      {"/a+b", {"a+b"}},           // '+' is a space only in a query
  };
  for (const auto& [target, expected] : cases) EXPECT_EQ(splitPath(target), expected) << target;
}

TEST(Router, MatchesLiteralsExactlyAndCapturesParametersByName) {
  PathParams params;
  const Route* r =
      table().find("GET", {"api", "v1", "servers", "10.0.0.5", "compliance", "history"}, &params);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->pattern, "/api/v1/servers/{ip}/compliance/history");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params["ip"], "10.0.0.5");

  EXPECT_EQ(table().find("GET", {"api", "v1", "servers", "10.0.0.5", "compliance"}), nullptr);
  EXPECT_EQ(table().find("GET", {"api", "v1", "Items"}), nullptr);  // case matters, as in HTTP
  EXPECT_EQ(table().find("get", {"api", "v1", "items"}), nullptr);
  EXPECT_EQ(table().find("GET", {"assets"}), nullptr);  // a parameter is never empty

  const Route* root = table().find("GET", {}, &params);
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->pattern, "/");
  EXPECT_EQ(params.size(), 0u);
  const Route* asset = table().find("GET", {"assets", "app.js"}, &params);
  ASSERT_NE(asset, nullptr);
  EXPECT_EQ(params["file"], "app.js");
}

TEST(Router, TheFirstMatchingRowWins) {
  const Route* hosts = table().find("GET", {"api", "v1", "compliance", "hosts"});
  ASSERT_NE(hosts, nullptr);
  EXPECT_EQ(hosts->pattern, "/api/v1/compliance/hosts");
  PathParams params;
  const Route* trend = table().find("GET", {"api", "v1", "compliance", "trend"}, &params);
  ASSERT_NE(trend, nullptr);
  EXPECT_EQ(trend->handler, &other);
  EXPECT_EQ(params["anything"], "trend");

  const Route* post = table().find("POST", {"api", "v1", "items"});
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->method, "POST");
  EXPECT_EQ(post->handler, &other);
}

TEST(Router, AllowListsTheMethodsOfEveryRowOfThePathOnceInTableOrder) {
  EXPECT_EQ(table().allowedMethods({"api", "v1", "items"}), "GET, POST, PUT");
  EXPECT_EQ(table().allowedMethods({"api", "v1", "compliance", "hosts"}), "GET");
  EXPECT_EQ(table().allowedMethods({}), "GET");
  EXPECT_EQ(table().allowedMethods({"nope"}), "");
  EXPECT_EQ(table().allowedMethods({"api", "v1"}), "");
}

TEST(Router, AccessOfARowElseOfAPublicPathElseByMethod) {
  struct Case {
    const char* method;
    Segments path;
    Access expected;
  };
  const Case cases[] = {
      // A row with this method and path: its access.
      {"GET", {}, Access::kPublic},
      {"GET", {"assets", "app.js"}, Access::kPublic},
      {"GET", {"api", "v1", "items"}, Access::kRead},
      {"POST", {"api", "v1", "items"}, Access::kIngest},
      {"PUT", {"api", "v1", "items"}, Access::kIngest},
      // Other methods on a public path: public (the 405 reveals nothing).
      {"POST", {}, Access::kPublic},
      {"DELETE", {"assets", "app.js"}, Access::kPublic},
      // Anything else by its method, whether the path is known or not.
      {"DELETE", {"api", "v1", "items"}, Access::kRead},
      {"POST", {"api", "v1", "compliance", "hosts"}, Access::kIngest},
      {"POST", {"nope"}, Access::kIngest},
      {"GET", {"nope"}, Access::kRead},
      {"GET", {"assets"}, Access::kRead},
      {"PATCH", {"assets", "a", "b"}, Access::kRead},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(table().access(c.method, c.path), c.expected)
        << c.method << " /" << (c.path.empty() ? "" : c.path.front());
  }
}

}  // namespace
}  // namespace vigia::server
