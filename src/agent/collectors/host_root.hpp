#pragma once

// `--host-root DIR` (docs/cli.md): the agent runs in a container with the host's root file system
// mounted at DIR, and reports on the host rather than on its container.
//
// Every file the collectors read comes from under DIR: proc, sys, etc (os-release, machine-id,
// hostname, passwd), usr/lib/os-release and run/utmp. What is not a file cannot be redirected,
// so the container must share it with the host:
//  - DIR/proc lists the host's processes only when the container shares the host's PID
//    namespace (`pid: host`); pids and /proc/<pid>/... then agree with the host's.
//  - host.ip is chosen by the agent's own routing table: share the host's network namespace
//    (`network_mode: host`), or the container's address is reported.
// The hostname is DIR/etc/hostname, since uname() answers with the container's UTS namespace;
// user names come from DIR/etc/passwd only (the host's NSS modules, LDAP or sssd, are out of
// reach; their users show as uids); sessions from DIR/run/utmp only (sd-login would ask the
// container's /run).

#include <filesystem>

#include "agent/collectors/collector.hpp"

namespace vigia::agent {

// The paths of the host whose root is `host_root`; the defaults when it is empty.
SystemPaths systemPathsUnder(const std::filesystem::path& host_root);

}  // namespace vigia::agent
