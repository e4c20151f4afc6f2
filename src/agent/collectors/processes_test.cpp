#include "agent/collectors/processes.hpp"

#include <dirent.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <fstream>

#include "common/utf8.hpp"
#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

std::string stat(int pid, const std::string& comm, char state, int ppid, unsigned long flags,
                 unsigned long start_ticks, long rss_pages) {
  return std::to_string(pid) + " (" + comm + ") " + state + " " + std::to_string(ppid) +
         " 0 0 0 -1 " + std::to_string(flags) + " 0 0 0 0 150 50 0 0 20 0 1 0 " +
         std::to_string(start_ticks) + " 0 " + std::to_string(rss_pages) +
         " 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n";
}

std::string status(uid_t euid) {
  return "Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1\nPid:\t1\nPPid:\t0\n"
         "Uid:\t0\t" +
         std::to_string(euid) + "\t0\t0\nGid:\t0\t0\t0\t0\n";
}

class FakeProc : public ::testing::Test {
 protected:
  test::TempTree tree;
  SystemPaths paths;
  void SetUp() override {
    paths.proc = tree.root() / "proc";
    tree.write("passwd",
               "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n");
  }
  void process(int pid, const std::string& comm, uid_t euid, std::string_view cmdline,
               unsigned long flags = 0x400100) {
    const std::string dir = "proc/" + std::to_string(pid) + "/";
    tree.write(dir + "stat", stat(pid, comm, 'S', 1, flags, 500, 10));
    tree.write(dir + "status", status(euid));
    tree.write(dir + "cmdline", cmdline);
  }
  std::vector<common::Process> scan() {
    UserNames users(tree.root() / "passwd");
    return readProcesses(paths, users,
                         {.boot_time = 1763800000, .clock_ticks = 100, .page_size = 4096});
  }
  static const common::Process* find(const std::vector<common::Process>& ps, std::int64_t pid) {
    for (const auto& p : ps) {
      if (p.pid == pid) return &p;
    }
    return nullptr;
  }
};

TEST_F(FakeProc, ReadsEveryFieldOfAProcess) {
  process(1, "systemd", 0, std::string("/sbin/init\0splash\0", 18));
  const auto ps = scan();
  ASSERT_EQ(ps.size(), 1u);
  const auto& p = ps[0];
  EXPECT_EQ(p.pid, 1);
  EXPECT_EQ(p.ppid, 1);
  EXPECT_EQ(p.name, "systemd");
  EXPECT_EQ(p.user, "root");
  EXPECT_EQ(p.uid, 0);
  EXPECT_EQ(p.state, "S");
  EXPECT_EQ(p.command, "/sbin/init splash");
  EXPECT_EQ(p.started_at, "2025-11-22T08:26:45Z");  // btime + 500 ticks / 100
  EXPECT_EQ(p.rss_bytes, 10 * 4096);
  EXPECT_DOUBLE_EQ(*p.cpu_seconds, 2.0);  // (150 + 50) / 100
}

TEST_F(FakeProc, OddNamesKernelThreadsUnknownUsersAndVanishedPids) {
  process(10, "my (odd) name", 1000, std::string("python3\0-c\0print(1)\0", 21));
  process(11, "new\nline", 1000, std::string("x", 1));
  process(2, "kthreadd", 0, "", 0x00208040);  // PF_KTHREAD set
  process(12, "zombie", 1000, "");            // no command line, not a kernel thread
  process(13, "ghost-user", 4242, std::string("sleep\0", 6));
  tree.write("proc/14/stat", stat(14, "vanished", 'S', 1, 0, 1, 1));  // exited after stat
  tree.mkdir("proc/self");
  tree.mkdir("proc/sys");
  tree.write("proc/15/stat", "garbage");
  const auto ps = scan();
  EXPECT_EQ(ps.size(), 5u);
  ASSERT_NE(find(ps, 10), nullptr);
  EXPECT_EQ(find(ps, 10)->name, "my (odd) name");
  EXPECT_EQ(find(ps, 10)->user, "alice");
  EXPECT_EQ(find(ps, 10)->command, "python3 -c print(1)");
  EXPECT_EQ(find(ps, 11)->name, "new\nline");
  EXPECT_EQ(find(ps, 2)->command, "[kthreadd]");
  EXPECT_EQ(find(ps, 2)->user, "root");
  EXPECT_EQ(find(ps, 12)->command, "[zombie]");
  EXPECT_EQ(find(ps, 13)->user, "4242") << "unknown uids are shown in decimal, as ps does";
  EXPECT_EQ(find(ps, 13)->uid, 4242);
  EXPECT_EQ(find(ps, 14), nullptr);
  EXPECT_EQ(find(ps, 15), nullptr);
}

TEST_F(FakeProc, CommandLinesAreValidUtf8AndBounded) {
  std::string long_cmdline;
  while (long_cmdline.size() < 5000) long_cmdline += "\xC3\xA9";  // é, 2 bytes
  process(20, "long", 0, long_cmdline);
  process(21, "bytes", 0, std::string("a\xFF\0b\0", 5));
  const auto ps = scan();
  const auto& cut = *find(ps, 20)->command;
  EXPECT_LE(cut.size(), kMaxCommandBytes);
  EXPECT_EQ(cut.size() % 2, 0u) << "no character split";
  EXPECT_TRUE(common::isValidUtf8(cut));
  EXPECT_EQ(find(ps, 21)->command, "a\xEF\xBF\xBD b");
}

TEST(FormatCommand, Table) {
  EXPECT_EQ(formatCommand(std::string_view("a\0b\0c\0", 6), "x"), "a b c");
  EXPECT_EQ(formatCommand(std::string_view("a\0\0b\0", 5), "x"), "a  b");
  EXPECT_EQ(formatCommand(std::string_view("\0\0", 2), "kworker/0:1"), "[kworker/0:1]");
  EXPECT_EQ(formatCommand("nginx: worker process", "nginx"), "nginx: worker process");
}

TEST(ParseStatusEffectiveUid, Table) {
  EXPECT_EQ(parseStatusEffectiveUid("Name:\tx\nUid:\t1000\t0\t0\t0\n"), 0u);
  EXPECT_EQ(parseStatusEffectiveUid("Name:\tx\nUid:\t0\t1000\t1000\t1000\n"), 1000u);
  EXPECT_EQ(parseStatusEffectiveUid("Name:\tx\n"), std::nullopt);
  EXPECT_EQ(parseStatusEffectiveUid("Name:\tx\nUid:\t5\n"), std::nullopt);
}

std::size_t countPidDirs() {
  std::size_t n = 0;
  DIR* d = ::opendir("/proc");
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string_view::npos) ++n;
  }
  ::closedir(d);
  return n;
}

TEST(LiveProc, OwnProcessAppearsWithItsTrueNameAndUser) {
  UserNames users;
  const auto before = countPidDirs();
  const auto ps =
      readProcesses(SystemPaths{}, users,
                    {.boot_time = 1, .clock_ticks = ::sysconf(_SC_CLK_TCK), .page_size = 4096});
  const auto after = countPidDirs();
  std::ifstream comm_file("/proc/self/comm");
  std::string comm;
  std::getline(comm_file, comm);
  const passwd* pw = ::getpwuid(::geteuid());
  ASSERT_NE(pw, nullptr);
  bool found = false;
  for (const auto& p : ps) {
    if (p.pid != ::getpid()) continue;
    found = true;
    EXPECT_EQ(p.name, comm);
    EXPECT_EQ(p.user, pw->pw_name);
    EXPECT_EQ(p.uid, ::geteuid());
    EXPECT_EQ(p.ppid, ::getppid());
  }
  EXPECT_TRUE(found);
  // Processes may start or exit between the counts; a few either way is the machine, not us.
  EXPECT_GE(ps.size() + 5, std::min(before, after));
  EXPECT_LE(ps.size(), std::max(before, after) + 5);
}

}  // namespace
}  // namespace vigia::agent
