#include "server/storage/sqlite/wal_checkpointer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

namespace vigia::server {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("vigia-ckpt-test-" + std::to_string(std::random_device{}()));
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
};

TEST_F(WalCheckpointerTest, TheLogIsCopiedIntoTheDatabaseOffTheWritersThread) {
  const auto db_path = dir_ / "t.db";
  auto writer = SqliteConnection::open(db_path, SqliteConnection::Mode::kReadWrite, true);
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->exec("CREATE TABLE t (x BLOB)"));
  const auto db_size_before = std::filesystem::file_size(db_path);
  {
    auto checkpointer = WalCheckpointer::start(db_path, true, **writer, 16);
    ASSERT_TRUE(checkpointer) << checkpointer.error().message;
    auto insert = (*writer)->prepare("INSERT INTO t VALUES (?)");
    ASSERT_TRUE(insert);
    const std::string blob(8000, 'x');  // two or three pages a row
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE((*insert)->bindBlob(1, blob).run());
      (*insert)->reset();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while ((*checkpointer)->checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT((*checkpointer)->checkpoints(), 0u);
  }
  // The rows reached the database file itself, not only the log.
  EXPECT_GT(std::filesystem::file_size(db_path), db_size_before + 16 * 4096);
  // The writer goes on committing after the checkpointer is gone (SQLite's own hook is not
  // restored, so nothing checkpoints until the connection closes, which does it).
  ASSERT_TRUE((*writer)->exec("INSERT INTO t VALUES (x'00')"));
  writer->reset();
  EXPECT_FALSE(std::filesystem::exists(dir_ / "t.db-wal"));
}

}  // namespace
}  // namespace vigia::server
