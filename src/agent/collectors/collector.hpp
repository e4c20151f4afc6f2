#pragma once

// A collector fills one part of the report from the kernel's interfaces. Every collector takes
// its root paths from SystemPaths so tests can point it at a fixture tree instead of the host.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/redaction.hpp"
#include "common/report.hpp"
#include "common/result.hpp"

namespace vigia::agent {

struct SystemPaths {
  std::filesystem::path proc = "/proc";
  std::filesystem::path sys = "/sys";
  std::filesystem::path etc = "/etc";
  std::filesystem::path usr_lib = "/usr/lib";
  std::filesystem::path utmp = "/run/utmp";
  // Unset: the running kernel's hostname and NSS. Set under a host root (the agent in a
  // container), where uname() and NSS would answer for the container.
  std::optional<std::filesystem::path> hostname_file;
  std::optional<std::filesystem::path> passwd_file;
  // Use sd-login when utmp has no live session. Off for fixture tests, where the host's
  // logind must not leak into the result.
  bool use_logind = true;
};

// Things a collector may need that do not come from its own files.
struct CollectContext {
  SystemPaths paths;
  std::optional<std::string> server_host;  // to pick the source address towards the server
  // Masks secrets in command lines; null: the default patterns.
  const common::CommandRedactor* redactor = nullptr;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual const char* name() const = 0;
  // Fills its part of `report`. A failure leaves the rest of the report intact.
  virtual common::Status collect(const CollectContext& context, common::Report& report) = 0;
};

// The explicit list of collectors `vigia-agent collect` runs, in order.
std::vector<std::unique_ptr<Collector>> makeBuiltinCollectors();

}  // namespace vigia::agent
