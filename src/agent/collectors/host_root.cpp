#include "agent/collectors/host_root.hpp"

namespace vigia::agent {

SystemPaths systemPathsUnder(const std::filesystem::path& host_root) {
  SystemPaths paths;
  if (host_root.empty()) return paths;
  paths.proc = host_root / "proc";
  paths.sys = host_root / "sys";
  paths.etc = host_root / "etc";
  paths.usr_lib = host_root / "usr/lib";
  // Not var/run/utmp: on Debian /var/run is a symbolic link to the absolute /run, which would
  // lead back into the container.
  paths.utmp = host_root / "run/utmp";
  paths.hostname_file = host_root / "etc/hostname";
  paths.passwd_file = host_root / "etc/passwd";
  paths.use_logind = false;
  return paths;
}

}  // namespace vigia::agent
