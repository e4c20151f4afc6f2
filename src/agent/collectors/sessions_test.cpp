#include "agent/collectors/sessions.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <utmp.h>

#include <chrono>
#include <cstring>

#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

utmp record(short type, pid_t pid, const std::string& user, const std::string& line,
            const std::string& host, std::int64_t login_seconds) {
  utmp u{};
  u.ut_type = type;
  u.ut_pid = pid;
  std::strncpy(u.ut_user, user.c_str(), sizeof u.ut_user);  // full width: no terminator
  std::strncpy(u.ut_line, line.c_str(), sizeof u.ut_line);
  std::strncpy(u.ut_host, host.c_str(), sizeof u.ut_host);
  u.ut_tv.tv_sec = static_cast<std::int32_t>(login_seconds);
  return u;
}

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class UtmpFile : public ::testing::Test {
 protected:
  test::TempTree tree;
  SystemPaths paths;
  std::string bytes;
  void SetUp() override {
    paths.utmp = tree.root() / "utmp";
    paths.use_logind = false;  // the host's logind must not leak into fixture tests
  }
  void add(const utmp& u) { bytes.append(reinterpret_cast<const char*>(&u), sizeof u); }
  void save() { tree.write("utmp", bytes); }
};

TEST_F(UtmpFile, OnlyLiveUserProcessRecordsCount) {
  const pid_t me = ::getpid();  // alive, and started before "now"
  add(record(BOOT_TIME, 0, "reboot", "~", "6.1.0", now() - 3600));
  add(record(INIT_PROCESS, 1, "", "tty1", "", now() - 3600));
  add(record(LOGIN_PROCESS, me, "LOGIN", "tty1", "", now()));
  add(record(USER_PROCESS, me, "alice", "pts/0", "192.168.1.10", now()));
  add(record(DEAD_PROCESS, me, "", "pts/1", "", now()));
  add(record(USER_PROCESS, 0x3FFFFFFF, "ghost", "pts/2", "10.0.0.9", now()));  // crashed sshd
  add(record(USER_PROCESS, me, "reused", "pts/3", "", now() - 86400 * 365));   // pid reused since
  add(record(USER_PROCESS, me, std::string(40, 'u'), "pts/4", "", now()));     // full-width user
  save();
  const auto scan = readUtmpSessions(paths.utmp, paths);
  EXPECT_TRUE(scan.file_present);
  EXPECT_EQ(scan.user_records, 4u);
  ASSERT_EQ(scan.live.size(), 2u);
  const auto& alice = scan.live[0];
  EXPECT_EQ(alice.user, "alice");
  EXPECT_EQ(alice.tty, "pts/0");
  EXPECT_EQ(alice.remote_host, "192.168.1.10");
  EXPECT_EQ(alice.pid, me);
  ASSERT_TRUE(alice.login_time.has_value());
  EXPECT_EQ(scan.live[1].user, std::string(sizeof(utmp{}.ut_user), 'u'));
  EXPECT_FALSE(scan.live[1].remote_host.has_value()) << "local login: no remote host";
}

TEST_F(UtmpFile, TornLastRecordIsIgnored) {
  add(record(USER_PROCESS, ::getpid(), "alice", "pts/0", "", now()));
  bytes.append(100, 'x');
  save();
  const auto scan = readUtmpSessions(paths.utmp, paths);
  EXPECT_EQ(scan.live.size(), 1u);
}

TEST_F(UtmpFile, MissingOrEmptyFileMeansNoSessions) {
  auto missing = readUtmpSessions(paths.utmp, paths);
  EXPECT_FALSE(missing.file_present);
  EXPECT_TRUE(missing.live.empty());
  save();
  auto empty = readUtmpSessions(paths.utmp, paths);
  EXPECT_TRUE(empty.file_present);
  EXPECT_EQ(empty.user_records, 0u);
  EXPECT_TRUE(readSessions(paths, {}).empty());
}

}  // namespace
}  // namespace vigia::agent
