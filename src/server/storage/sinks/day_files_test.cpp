#include "server/storage/sinks/day_files.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <vector>

#include "read_file.hpp"

namespace vigia::server {
namespace {

class DayFilesTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-export-test-" + std::to_string(std::random_device{}()));
  void TearDown() override { std::filesystem::remove_all(dir_); }
};

TEST_F(DayFilesTest, AppendWritesEveryPieceInOrderHeaderOnlyOnANewFile) {
  DayFiles files(dir_, "csv", true);
  ASSERT_TRUE(files.prepareDirectory());
  const std::string relative = files.relativePath("10.0.0.1_2026-11-22.csv");

  // More pieces than one writev takes (IOV_MAX is 1024 on Linux), some of them empty.
  std::vector<std::string> owned;
  for (int i = 0; i < 3000; ++i)
    owned.push_back(i % 7 == 0 ? "" : "row " + std::to_string(i) + "\n");
  const std::vector<std::string_view> pieces(owned.begin(), owned.end());
  std::string expected = "header\n";
  for (const auto& p : owned) expected += p;

  auto after = files.append(relative, 0, "header\n", pieces);
  ASSERT_TRUE(after) << after.error().message;
  ASSERT_TRUE(files.sync(relative));
  EXPECT_EQ(*after, static_cast<std::int64_t>(expected.size()));
  EXPECT_EQ(vigia::test::readWholeFile(dir_ / relative), expected);

  // An existing file gets no second header.
  auto more = files.append(relative, *after, "header\n", std::string_view("last\n"));
  ASSERT_TRUE(more);
  EXPECT_EQ(*more, *after + 5);
  EXPECT_EQ(vigia::test::readWholeFile(dir_ / relative), expected + "last\n");
  EXPECT_EQ(*files.size(relative), *more);
}

}  // namespace
}  // namespace vigia::server
