#include "agent/collectors/host_root.hpp"

#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <utmp.h>

#include <cstring>
#include <map>

#include "agent/collect_report.hpp"
#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

constexpr std::int64_t kBootTime = 1763800000;

std::string pidStat(int pid, const std::string& comm, int ppid) {
  // Started 500 ticks (5 s at 100 Hz, or less at a faster clock) after boot.
  return std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) +
         " 0 0 0 -1 4194560 0 0 0 0 150 50 0 0 20 0 1 0 500 0 10 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 "
         "0 0\n";
}

std::string pidStatus(uid_t uid) {
  const std::string u = std::to_string(uid);
  return "Name:\tx\nUid:\t" + u + "\t" + u + "\t" + u + "\t" + u + "\nGid:\t0\t0\t0\t0\n";
}

// A host's root as a container would see it mounted at /host: its own /proc, /etc and /run.
class FakeHostRoot : public ::testing::Test {
 protected:
  test::TempTree tree;
  void SetUp() override {
    tree.write("proc/stat", "cpu  1 2 3 4\nbtime " + std::to_string(kBootTime) + "\n");
    tree.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: Fake Host CPU\n\n");
    process(1, "systemd", 0, 0, std::string("/sbin/init\0", 11));
    process(4242, "sshd", 4242, 1, std::string("sshd: hostonly@pts/3\0", 21));
    process(31337, "vigia-marker", 0, 1,
            std::string("sleep\0"
                        "31337\0",
                        12));
    tree.write("etc/os-release", "NAME=\"Fake Host OS\"\nVERSION=\"7 (test)\"\nID=fakeos\n");
    tree.write("etc/hostname", "# set by the installer\n  fake-host  \n");
    tree.write("etc/machine-id", "0123456789abcdef0123456789abcdef\n");
    // A user this machine does not have: proof that names come from the host's passwd.
    tree.write("etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\nhostonly:x:4242:4242::/home/h:/bin/sh\n");
    utmp u{};
    u.ut_type = USER_PROCESS;
    u.ut_pid = 4242;
    std::strncpy(u.ut_user, "hostonly", sizeof u.ut_user);
    std::strncpy(u.ut_line, "pts/3", sizeof u.ut_line);
    std::strncpy(u.ut_host, "198.51.100.7", sizeof u.ut_host);
    u.ut_tv.tv_sec = static_cast<std::int32_t>(kBootTime + 100);
    tree.write("run/utmp", std::string_view(reinterpret_cast<const char*>(&u), sizeof u));
  }
  void process(int pid, const std::string& comm, uid_t uid, int ppid, std::string_view cmdline) {
    const std::string dir = "proc/" + std::to_string(pid) + "/";
    tree.write(dir + "stat", pidStat(pid, comm, ppid));
    tree.write(dir + "status", pidStatus(uid));
    tree.write(dir + "cmdline", cmdline);
  }
};

TEST_F(FakeHostRoot, EveryPartOfTheReportComesFromTheHostRoot) {
  CollectContext context;
  context.paths = systemPathsUnder(tree.root());
  const auto outcome = collectReport(context);
  const auto& r = outcome.report;

  EXPECT_EQ(r.host.hostname, "fake-host");
  EXPECT_EQ(r.host.machine_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(r.host.boot_time, "2025-11-22T08:26:40Z");
  EXPECT_EQ(r.os.name, "Fake Host OS");
  EXPECT_EQ(r.os.version, "7 (test)");
  EXPECT_EQ(r.os.id, "fakeos");
  EXPECT_EQ(r.cpu.model, "Fake Host CPU");

  ASSERT_EQ(r.processes.size(), 3u);
  std::map<std::int64_t, const common::Process*> by_pid;
  for (const auto& p : r.processes) by_pid[p.pid] = &p;
  ASSERT_TRUE(by_pid.count(31337));
  EXPECT_EQ(by_pid[31337]->name, "vigia-marker");
  EXPECT_EQ(by_pid[31337]->command, "sleep 31337");
  ASSERT_TRUE(by_pid.count(4242));
  EXPECT_EQ(by_pid[4242]->user, "hostonly");

  ASSERT_EQ(r.sessions.size(), 1u);
  EXPECT_EQ(r.sessions[0].user, "hostonly");
  EXPECT_EQ(r.sessions[0].tty, "pts/3");
  EXPECT_EQ(r.sessions[0].remote_host, "198.51.100.7");
}

TEST_F(FakeHostRoot, WithoutAHostnameFileTheKernelsNameIsKept) {
  std::filesystem::remove(tree.root() / "etc/hostname");
  CollectContext context;
  context.paths = systemPathsUnder(tree.root());
  utsname u{};
  ASSERT_EQ(::uname(&u), 0);
  EXPECT_EQ(collectReport(context).report.host.hostname, u.nodename);

  tree.write("etc/hostname", "# only a comment\n\n");
  EXPECT_EQ(collectReport(context).report.host.hostname, u.nodename);
}

TEST(SystemPathsUnder, NoHostRootIsThisMachine) {
  const SystemPaths paths = systemPathsUnder({});
  EXPECT_EQ(paths.proc, "/proc");
  EXPECT_EQ(paths.etc, "/etc");
  EXPECT_EQ(paths.utmp, "/run/utmp");
  EXPECT_FALSE(paths.hostname_file.has_value());
  EXPECT_FALSE(paths.passwd_file.has_value());
  EXPECT_TRUE(paths.use_logind);

  const SystemPaths host = systemPathsUnder("/host");
  EXPECT_EQ(host.proc, "/host/proc");
  EXPECT_EQ(host.sys, "/host/sys");
  EXPECT_EQ(host.usr_lib, "/host/usr/lib");
  EXPECT_EQ(host.utmp, "/host/run/utmp");
  EXPECT_EQ(host.hostname_file, "/host/etc/hostname");
  EXPECT_EQ(host.passwd_file, "/host/etc/passwd");
  EXPECT_FALSE(host.use_logind);
}

}  // namespace
}  // namespace vigia::agent
