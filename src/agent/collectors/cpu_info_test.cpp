#include "agent/collectors/cpu_info.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "temp_tree.hpp"

namespace vigia::agent {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(VIGIA_FIXTURES_DIR) + "/cpuinfo/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ParseCpuInfo, X86TwoSocketsHyperthreaded) {
  const auto cpu = parseCpuInfo(fixture("x86_2socket.txt"));
  EXPECT_EQ(cpu.vendor, "GenuineIntel");
  EXPECT_EQ(cpu.model, "Intel(R) Xeon(R) Gold 6138 CPU @ 2.00GHz");
  EXPECT_DOUBLE_EQ(*cpu.mhz, 2000.0) << "first processor's";
  EXPECT_EQ(cpu.processors, 8);
  EXPECT_EQ(cpu.physical_ids.size(), 2u);
  EXPECT_EQ(cpu.cores.size(), 4u);
}

TEST(ParseCpuInfo, Arm64HasNoModelNameSoItIsBuiltFromTheCodes) {
  const auto cpu = parseCpuInfo(fixture("arm64_neoverse_n1.txt"));
  EXPECT_EQ(cpu.vendor, "ARM");
  EXPECT_EQ(cpu.model, "ARM Neoverse-N1");
  EXPECT_FALSE(cpu.mhz.has_value());
  EXPECT_EQ(cpu.processors, 4);
}

TEST(ParseCpuInfo, Arm64UnknownCodesStayVisible) {
  const auto cpu = parseCpuInfo(fixture("arm64_unknown.txt"));
  EXPECT_EQ(cpu.vendor, "0x99");
  EXPECT_EQ(cpu.model, "implementer 0x99 part 0x123");
}

TEST(ParseCpuInfo, EmptyOrGarbage) {
  EXPECT_FALSE(parseCpuInfo("").model.has_value());
  EXPECT_FALSE(parseCpuInfo("no colons here\n\n").model.has_value());
  EXPECT_EQ(parseCpuInfo("cpu MHz : fast\n").mhz, std::nullopt);
}

TEST(ReadCpuInfo, TopologyFromSysfs) {
  test::TempTree tree;
  tree.write("proc/cpuinfo", fixture("x86_2socket.txt"));
  // sysfs says 1 socket, 2 cores, 4 threads (cpu4 is offline: no topology directory).
  const int packages[] = {0, 0, 0, 0}, cores[] = {0, 0, 1, 1};
  for (int i = 0; i < 4; ++i) {
    const std::string base = "sys/devices/system/cpu/cpu" + std::to_string(i) + "/topology/";
    tree.write(base + "physical_package_id", std::to_string(packages[i]) + "\n");
    tree.write(base + "core_id", std::to_string(cores[i]) + "\n");
  }
  tree.mkdir("sys/devices/system/cpu/cpu4");
  tree.mkdir("sys/devices/system/cpu/cpufreq");
  SystemPaths paths;
  paths.proc = tree.root() / "proc";
  paths.sys = tree.root() / "sys";
  const auto cpu = readCpuInfo(paths, "x86_64");
  EXPECT_EQ(cpu.sockets, 1);
  EXPECT_EQ(cpu.cores, 2);
  EXPECT_EQ(cpu.threads, 4);
  EXPECT_EQ(cpu.arch, "x86_64");
}

TEST(ReadCpuInfo, FallsBackToCpuinfoIdsAndCpufreq) {
  test::TempTree tree;
  tree.write("proc/cpuinfo", fixture("x86_2socket.txt"));
  SystemPaths paths;
  paths.proc = tree.root() / "proc";
  paths.sys = tree.root() / "sys";  // absent
  const auto cpu = readCpuInfo(paths, "x86_64");
  EXPECT_EQ(cpu.sockets, 2);
  EXPECT_EQ(cpu.cores, 4);
  EXPECT_EQ(cpu.threads, 8);

  test::TempTree arm;
  arm.write("proc/cpuinfo", fixture("arm64_neoverse_n1.txt"));
  arm.write("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "2800000\n");
  paths.proc = arm.root() / "proc";
  paths.sys = arm.root() / "sys";
  const auto a = readCpuInfo(paths, "aarch64");
  EXPECT_DOUBLE_EQ(*a.mhz, 2800.0);
  EXPECT_EQ(a.model, "ARM Neoverse-N1");
  EXPECT_EQ(a.threads, 4);
}

TEST(ReadCpuInfo, MissingCpuinfoGivesUnknownModel) {
  test::TempTree tree;
  SystemPaths paths;
  paths.proc = tree.root();
  paths.sys = tree.root();
  EXPECT_EQ(readCpuInfo(paths, "").model, "unknown");
}

TEST(ReadCpuInfo, LiveMachine) {
  const auto cpu = readCpuInfo(SystemPaths{}, "x86_64");
  EXPECT_NE(cpu.model, "unknown");
  EXPECT_EQ(cpu.threads, ::sysconf(_SC_NPROCESSORS_ONLN));
  EXPECT_GE(cpu.cores.value_or(0), 1);
  EXPECT_GE(cpu.sockets.value_or(0), 1);
}

}  // namespace
}  // namespace vigia::agent
