#include "agent/delivery/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

std::string report(int n, std::size_t pad = 0) {
  return "{\"n\":" + std::to_string(n) + ",\"pad\":\"" + std::string(pad, 'x') + "\"}";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> ids(const std::vector<SpoolEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.report_id);
  return out;
}

TEST(Spool, KeepsReportsInArrivalOrderAndPrivate) {
  TempTree tree;
  auto spool = Spool::open(tree.root() / "spool", {});
  ASSERT_TRUE(spool) << spool.error().message;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->put(report(i), "id-" + std::to_string(i)));
  const auto pending = spool->pending();
  EXPECT_EQ(ids(pending), (std::vector<std::string>{"id-0", "id-1", "id-2", "id-3", "id-4"}));
  EXPECT_EQ(*spool->read(pending[2]), report(2));

  struct stat st {};
  ASSERT_EQ(::stat((tree.root() / "spool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat(pending[0].path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_TRUE(spool->remove(pending[0]));
  EXPECT_EQ(spool->pending().size(), 4u);
}

TEST(Spool, CountBoundDropsTheOldestButNeverTheNewReport) {
  TempTree tree;
  auto spool = Spool::open(tree.root(), SpoolLimits{3, 1 << 20});
  ASSERT_TRUE(spool);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(spool->put(report(i), "id-" + std::to_string(i)));
  EXPECT_EQ(ids(spool->pending()), (std::vector<std::string>{"id-3", "id-4", "id-5"}));
}

TEST(Spool, ByteBoundDropsTheOldest) {
  TempTree tree;
  const std::size_t one = report(0, 1000).size();
  auto spool = Spool::open(tree.root(), SpoolLimits{1000, 2 * one + one / 2});
  ASSERT_TRUE(spool);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(spool->put(report(i, 1000), "id-" + std::to_string(i)));
  EXPECT_EQ(ids(spool->pending()), (std::vector<std::string>{"id-2", "id-3"}));

  // A single report larger than the bound is still kept: dropping it would lose it for sure.
  ASSERT_TRUE(spool->put(report(9, 5000), "big"));
  EXPECT_EQ(ids(spool->pending()), (std::vector<std::string>{"big"}));
}

TEST(Spool, CorruptFilesAreMovedAsideNotRetried) {
  TempTree tree;
  auto spool = Spool::open(tree.root(), {});
  ASSERT_TRUE(spool);
  tree.write("00000000000000000001-torn.json", "{\"n\": 1, \"pad\": \"xx");
  tree.write("00000000000000000002-empty.json", "");
  tree.write("00000000000000000003-array.json", "[1,2]");
  ASSERT_TRUE(spool->put(report(4), "good"));
  int good = 0;
  for (const auto& e : spool->pending()) {
    if (spool->read(e)) ++good;
  }
  EXPECT_EQ(good, 1);
  EXPECT_EQ(ids(spool->pending()), (std::vector<std::string>{"good"}));
  EXPECT_TRUE(fs::exists(spool->corruptDir() / "00000000000000000001-torn.json"));
  EXPECT_TRUE(fs::exists(spool->corruptDir() / "00000000000000000003-array.json"));
}

TEST(Spool, RejectedReportsKeepTheServersAnswer) {
  TempTree tree;
  auto spool = Spool::open(tree.root(), {});
  ASSERT_TRUE(spool);
  auto entry = spool->put(report(1), "bad-one");
  ASSERT_TRUE(entry);
  ASSERT_TRUE(spool->reject(*entry, 400, R"({"error":"invalid_report","detail":"x"})"));
  EXPECT_TRUE(spool->pending().empty());
  const fs::path moved = spool->rejectedDir() / entry->path.filename();
  EXPECT_EQ(slurp(moved), report(1));
  EXPECT_EQ(slurp(fs::path(moved).concat(".response")),
            "HTTP 400\n{\"error\":\"invalid_report\",\"detail\":\"x\"}\n");
}

TEST(Spool, LeftoverTempFilesOfACrashAreRemovedAtOpen) {
  TempTree tree;
  tree.write(".00000000000000000001-x.json.tmp", "{\"half");
  tree.write("00000000000000000002-y.json", report(2));
  auto spool = Spool::open(tree.root(), {});
  ASSERT_TRUE(spool);
  EXPECT_FALSE(fs::exists(tree.root() / ".00000000000000000001-x.json.tmp"));
  EXPECT_EQ(ids(spool->pending()), (std::vector<std::string>{"y"}));
}

TEST(Spool, AnUnusableDirectoryIsAnError) {
  TempTree tree;
  tree.write("file", "x");
  auto spool = Spool::open(tree.root() / "file" / "spool", {});
  ASSERT_FALSE(spool);
  EXPECT_NE(spool.error().message.find("cannot create"), std::string::npos);
}

}  // namespace
}  // namespace vigia::agent
