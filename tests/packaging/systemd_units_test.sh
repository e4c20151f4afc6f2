#!/usr/bin/env bash
# The systemd units of packaging/ must load cleanly (systemd-analyze verify prints nothing),
# and the agent must do its whole job without privilege, as the unit's DynamicUser= runs it.
# Usage: systemd_units_test.sh SOURCE_DIR AGENT_BIN SERVER_BIN. Exit 77: skipped.
set -euo pipefail
src="$1" agent="$2" server="$3"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: skipped"; exit 77; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
# verify checks that ExecStart= exists: point the units at the binaries just built.
sed "s|/usr/local/bin/vigia-agent|$agent|" "$src/packaging/systemd/vigia-agent.service" \
  >"$work/vigia-agent.service"
sed "s|/usr/local/bin/vigia-server|$server|" "$src/packaging/systemd/vigia-server.service" \
  >"$work/vigia-server.service"
out="$(cd "$work" && systemd-analyze verify --man=no ./vigia-agent.service ./vigia-server.service 2>&1)"
if [ -n "$out" ]; then
  echo "systemd-analyze verify complained:"
  echo "$out"
  exit 1
fi
for key in DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes StateDirectory= \
  CapabilityBoundingSet= 'ExecStart=.* run '; do
  grep -q "^$key" "$src/packaging/systemd/vigia-agent.service" || {
    echo "vigia-agent.service lacks $key"
    exit 1
  }
done
echo "units verified"

# Without privilege (what DynamicUser= gives), the agent still sees every process of the
# host and writes a complete report. Needs root to drop to nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  cp "$agent" "$work/vigia-agent"
  chmod 0755 "$work/vigia-agent"
  report="$(setpriv --reuid=65534 --regid=65534 --clear-groups "$work/vigia-agent" collect)"
  printf '%s' "$report" | python3 -c '
import json, sys
r = json.load(sys.stdin)
users = {p["user"] for p in r["processes"]}
assert len(r["processes"]) > 1, "no processes"
assert "root" in users, "root processes invisible to an unprivileged agent: %s" % users
assert r["os"]["name"] and r["cpu"]["model"], "os or cpu missing"
print("unprivileged agent: %d processes, users %s" % (len(r["processes"]), sorted(users)[:5]))
'
else
  echo "not root: the unprivileged collection check was skipped"
fi
