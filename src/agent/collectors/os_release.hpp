#pragma once

// OS name and version from os-release(5), kernel release and machine from uname(2).

#include <map>
#include <string>
#include <string_view>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

// KEY=VALUE lines with shell-style quoting: "…" (with \" \\ \$ \` escapes), '…', or bare words
// with backslash escapes. Comments and malformed lines are skipped.
std::map<std::string, std::string> parseOsRelease(std::string_view text);

struct KernelIdentity {
  std::string release;  // uname -r
  std::string machine;  // uname -m
};
KernelIdentity currentKernel();

// NAME (default "Linux"), VERSION, else VERSION_ID, else the kernel release
// (docs/report-schema.md).
common::OsInfo osInfoFrom(const std::map<std::string, std::string>& os_release,
                          const KernelIdentity& kernel);

// /etc/os-release, falling back to /usr/lib/os-release as os-release(5) says.
common::OsInfo readOsInfo(const SystemPaths& paths, const KernelIdentity& kernel);

class OsCollector final : public Collector {
 public:
  const char* name() const override { return "os"; }
  common::Status collect(const CollectContext& context, common::Report& report) override;
};

}  // namespace vigia::agent
