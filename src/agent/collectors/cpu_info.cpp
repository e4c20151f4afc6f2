#include "agent/collectors/cpu_info.hpp"

#include <dirent.h>

#include <charconv>
#include <cstdlib>

#include "agent/collectors/file_io.hpp"
#include "agent/collectors/os_release.hpp"
#include "common/utf8.hpp"

namespace vigia::agent {
namespace {

struct Named {
  unsigned id;
  const char* name;
};

// ARM implementer and part codes (MIDR_EL1), for the processors found in servers and boards.
constexpr Named kArmImplementers[] = {
    {0x41, "ARM"},       {0x42, "Broadcom"}, {0x43, "Cavium"}, {0x46, "Fujitsu"},
    {0x48, "HiSilicon"}, {0x4e, "NVIDIA"},   {0x50, "APM"},    {0x51, "Qualcomm"},
    {0x53, "Samsung"},   {0x61, "Apple"},    {0xc0, "Ampere"},
};
constexpr Named kArmParts[] = {
    {0xd03, "Cortex-A53"},  {0xd04, "Cortex-A35"},  {0xd05, "Cortex-A55"},  {0xd07, "Cortex-A57"},
    {0xd08, "Cortex-A72"},  {0xd09, "Cortex-A73"},  {0xd0a, "Cortex-A75"},  {0xd0b, "Cortex-A76"},
    {0xd0c, "Neoverse-N1"}, {0xd0d, "Cortex-A77"},  {0xd40, "Neoverse-V1"}, {0xd41, "Cortex-A78"},
    {0xd44, "Cortex-X1"},   {0xd46, "Cortex-A510"}, {0xd47, "Cortex-A710"}, {0xd49, "Neoverse-N2"},
    {0xd4f, "Neoverse-V2"}, {0xd80, "Cortex-A520"}, {0xd81, "Cortex-A720"},
};

std::optional<unsigned> parseHex(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  unsigned v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

template <std::size_t N>
const char* lookup(const Named (&table)[N], unsigned id) {
  for (const auto& entry : table) {
    if (entry.id == id) return entry.name;
  }
  return nullptr;
}

std::string armModel(std::string_view implementer, std::string_view part) {
  const auto impl = parseHex(implementer);
  const auto p = parseHex(part);
  const char* impl_name = impl ? lookup(kArmImplementers, *impl) : nullptr;
  const char* part_name = (impl && *impl == 0x41 && p) ? lookup(kArmParts, *p) : nullptr;
  std::string model = impl_name ? impl_name : "implementer " + std::string(implementer);
  model += ' ';
  model += part_name ? part_name : "part " + std::string(part);
  return model;
}

std::optional<std::int64_t> readInt(const std::filesystem::path& path) {
  auto text = readFile(path, 64);
  if (!text) return std::nullopt;
  const std::string_view t = trim(*text);
  std::int64_t v = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || ptr != t.data() + t.size()) return std::nullopt;
  return v;
}

}  // namespace

CpuInfoText parseCpuInfo(std::string_view text) {
  CpuInfoText out;
  std::string implementer, part, physical_id;
  while (!text.empty()) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    // Vendor/model/MHz come from the first processor: mixed big.LITTLE parts are reported
    // by their first core, which is what lscpu shows first too.
    if (key == "processor") {
      ++out.processors;
      physical_id.clear();
    } else if (key == "vendor_id" && !out.vendor) {
      out.vendor = common::sanitizeUtf8(value);
    } else if ((key == "model name" || key == "Processor" || key == "cpu model") && !out.model) {
      out.model = common::sanitizeUtf8(value);
    } else if (key == "cpu MHz" && !out.mhz) {
      char* end = nullptr;
      const std::string v(value);
      const double mhz = std::strtod(v.c_str(), &end);
      if (end != v.c_str() && mhz > 0) out.mhz = mhz;
    } else if (key == "CPU implementer" && implementer.empty()) {
      implementer = value;
    } else if (key == "CPU part" && part.empty()) {
      part = value;
    } else if (key == "physical id") {
      physical_id = value;
      out.physical_ids.insert(physical_id);
    } else if (key == "core id") {
      out.cores.emplace(physical_id, std::string(value));
    }
  }
  if (!implementer.empty()) {
    if (!out.vendor) {
      const auto impl = parseHex(implementer);
      const char* name = impl ? lookup(kArmImplementers, *impl) : nullptr;
      out.vendor = name ? name : implementer;
    }
    if (!out.model) out.model = armModel(implementer, part);
  }
  return out;
}

std::optional<CpuTopology> readCpuTopology(const SystemPaths& paths) {
  const auto cpu_dir = paths.sys / "devices/system/cpu";
  DIR* dir = ::opendir(cpu_dir.c_str());
  if (!dir) return std::nullopt;
  std::set<std::int64_t> packages;
  std::set<std::pair<std::int64_t, std::int64_t>> cores;
  CpuTopology topology;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (!name.starts_with("cpu") || name.size() == 3 ||
        name.find_first_not_of("0123456789", 3) != std::string_view::npos) {
      continue;
    }
    // Offline processors have no topology directory, so this counts online ones only.
    const auto topo = cpu_dir / name / "topology";
    const auto package = readInt(topo / "physical_package_id");
    const auto core = readInt(topo / "core_id");
    if (!package || !core) continue;
    ++topology.threads;
    packages.insert(*package);
    cores.emplace(*package, *core);
  }
  ::closedir(dir);
  if (topology.threads == 0) return std::nullopt;
  topology.sockets = static_cast<std::int64_t>(packages.size());
  topology.cores = static_cast<std::int64_t>(cores.size());
  return topology;
}

common::CpuInfo readCpuInfo(const SystemPaths& paths, const std::string& machine) {
  common::CpuInfo cpu;
  const auto text = readFile(paths.proc / "cpuinfo", 4 << 20);
  const CpuInfoText parsed = text ? parseCpuInfo(*text) : CpuInfoText{};
  cpu.vendor = parsed.vendor;
  cpu.model = parsed.model.value_or("unknown");
  if (!machine.empty()) cpu.arch = machine;
  cpu.mhz = parsed.mhz;
  if (!cpu.mhz) {
    // arm64 cpuinfo has no MHz; cpufreq gives the maximum in kHz.
    if (auto khz = readInt(paths.sys / "devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq")) {
      cpu.mhz = static_cast<double>(*khz) / 1000.0;
    }
  }
  if (auto topology = readCpuTopology(paths)) {
    cpu.sockets = topology->sockets;
    cpu.cores = topology->cores;
    cpu.threads = topology->threads;
  } else if (parsed.processors > 0) {
    cpu.threads = parsed.processors;
    cpu.sockets =
        parsed.physical_ids.empty() ? 1 : static_cast<std::int64_t>(parsed.physical_ids.size());
    cpu.cores =
        parsed.cores.empty() ? parsed.processors : static_cast<std::int64_t>(parsed.cores.size());
  }
  return cpu;
}

common::Status CpuCollector::collect(const CollectContext& context, common::Report& report) {
  report.cpu = readCpuInfo(context.paths, currentKernel().machine);
  if (report.cpu.model == "unknown") {
    return common::makeError(common::ErrorCode::kNotFound, "no processor model in /proc/cpuinfo");
  }
  return common::Ok{};
}

}  // namespace vigia::agent
