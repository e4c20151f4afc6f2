#!/usr/bin/env bash
# The Debian packages, end to end: built the Debian way from a copy of the tree, lintian-clean,
# hardened; then, in a throwaway bookworm root, installed with their dependencies from the
# archive, run as their units run them, upgraded over the previous version with a locally
# edited conffile, and purged without leaving anything of theirs.
# Usage: debian_packages_test.sh SOURCE_DIR BUILD_DIR. Needs root (chroot, mounts).
# Exit 77: skipped (not root or a tool missing), only outside CI; in CI that is a failure.
set -euo pipefail
src="$(realpath "$1")" build="$(realpath "$2")"

skip() {
  echo "SKIP: $1"
  if [ "${CI:-}" = true ]; then
    echo "CI=true: a missing prerequisite is a failure"
    exit 1
  fi
  exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (chroot, mount)"
for tool in dpkg-buildpackage dh help2man lintian hardening-check debootstrap systemd-analyze \
  curl; do
  command -v "$tool" >/dev/null || skip "$tool missing (scripts/install-deps.sh installs it)"
done

work="$build/debian-packages"
root="$work/root"
mounted=()
cleanup() {
  local m
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" || true; done
  [ -z "${server_pid:-}" ] || kill "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT
# Stopped (Ctrl-C, a kill): exit, so that the cleanup runs.
trap 'exit 130' INT
trap 'exit 143' TERM
step() { printf '== %s (%ss)\n' "$1" "$SECONDS"; }
fail() {
  echo "FAIL: $*"
  exit 1
}

rm -rf "$work"
mkdir -p "$work/src"

step "copy of the tree (what git tracks, and new files not ignored)"
commit=unknown
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
    tar --null -T - -cf -) | tar -C "$work/src" -xf -
  commit="$(git -C "$src" rev-parse --short=7 HEAD)"
  git -C "$src" diff --quiet HEAD -- || commit="$commit-dirty"
else
  tar -C "$src" --exclude=./build -cf - . | tar -C "$work/src" -xf -
fi

step "dpkg-buildpackage (cmake -DCMAKE_BUILD_TYPE=Release with dpkg-buildflags, g++)"
(cd "$work/src" && VIGIA_COMMIT="$commit" dpkg-buildpackage -us -uc -b -j2) \
  >"$work/build.log" 2>&1 || {
  tail -n 60 "$work/build.log"
  fail "dpkg-buildpackage failed (log: $work/build.log)"
}
version="$(cd "$work/src" && dpkg-parsechangelog -S Version)"
arch="$(dpkg --print-architecture)"
agent_deb="$work/vigia-agent_${version}_${arch}.deb"
server_deb="$work/vigia-server_${version}_${arch}.deb"
[ -f "$agent_deb" ] && [ -f "$server_deb" ] || fail "packages missing: $(ls "$work")"
ls -l "$work"/*.deb

step "lintian"
lintian --fail-on error,warning --info "$work/vigia_${version}_${arch}.changes" ||
  fail "lintian found errors or warnings"

step "hardening-check"
mkdir -p "$work/x"
dpkg-deb -x "$agent_deb" "$work/x"
dpkg-deb -x "$server_deb" "$work/x"
# PIE, stack protector, fortify, full RELRO, bindnow. Not control-flow protection: bookworm's
# dpkg-buildflags do not give -fcf-protection (trixie's add it, as hardening=+branch).
hardening-check --nocfprotection "$work/x/usr/bin/vigia-agent" "$work/x/usr/bin/vigia-server" ||
  fail "hardening-check"

step "the previous version: the same packages repacked as $version~prev1"
# Honest limit: the upgrade runs over a repack of this build with a lower version, not over
# an older build, so it proves the maintainer scripts and conffile handling of an upgrade,
# not a data migration between two releases.
mkdir -p "$work/prev"
for deb in "$agent_deb" "$server_deb"; do
  unpacked="$work/prev/$(basename "$deb" .deb)"
  dpkg-deb -R "$deb" "$unpacked"
  sed -i "s/^Version: .*/Version: $version~prev1/" "$unpacked/DEBIAN/control"
  dpkg-deb --root-owner-group -b "$unpacked" "$work/prev/" >/dev/null
  rm -rf "$unpacked"
done

step "throwaway root: debootstrap --variant=minbase bookworm (cached)"
bash "$src/scripts/lib/bookworm_minbase.sh" "$build/deploy-cache/bookworm-minbase.tar"
mkdir -p "$root"
tar -C "$root" -xf "$build/deploy-cache/bookworm-minbase.tar"
for m in proc sys dev dev/pts; do
  mount --bind "/$m" "$root/$m"
  mounted+=("$root/$m")
done
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/debs"
cp "$agent_deb" "$server_deb" "$work/prev/"*.deb "$root/debs/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
apt_get() {
  in_root env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0 "$@" \
    >>"$work/apt.log" 2>&1 || {
    tail -n 40 "$work/apt.log"
    fail "apt-get $*"
  }
}
apt_get update
# What the units are for and need: systemd (minbase has no init) and procps (/bin/kill, the
# agent's ExecReload=), as on any Debian server.
apt_get install --no-install-recommends systemd procps

step "install the previous version with apt-get (dependencies from the archive)"
apt_get install --no-install-recommends "./debs/vigia-agent_${version}~prev1_${arch}.deb" \
  "./debs/vigia-server_${version}~prev1_${arch}.deb"
for f in /usr/bin/vigia-agent /usr/bin/vigia-server /etc/vigia/agent.toml /etc/vigia/server.toml \
  /lib/systemd/system/vigia-agent.service /lib/systemd/system/vigia-server.service \
  /usr/share/man/man1/vigia-agent.1.gz /usr/share/man/man1/vigia-server.1.gz \
  /usr/share/doc/vigia-agent/copyright /usr/share/doc/vigia-server/README.md.gz \
  /usr/share/doc/vigia-server/copyright; do
  [ -e "$root$f" ] || fail "$f not installed"
done
# The server embeds the dashboard's npm libraries: their licenses ship with it (dh_compress may
# have gzipped the file).
compgen -G "$root/usr/share/doc/vigia-server/dashboard-licenses.txt*" >/dev/null ||
  fail "the dashboard's third-party licenses are not installed"
for policy in "$src"/policies/*.toml; do
  [ -f "$root/usr/share/vigia/policies/$(basename "$policy")" ] || fail "$policy not shipped"
done
in_root dpkg-query -W -f='${Conffiles}\n' vigia-agent | grep -q ' /etc/vigia/agent.toml ' ||
  fail "agent.toml is not a conffile"
in_root dpkg-query -W -f='${Conffiles}\n' vigia-server | grep -q ' /etc/vigia/server.toml ' ||
  fail "server.toml is not a conffile"
for unit in vigia-agent vigia-server; do
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$unit.service" ] ||
    fail "$unit.service is not enabled"
done
# The units run a dynamic user: what they read must be readable by anyone.
for f in /etc/vigia /etc/vigia/agent.toml /etc/vigia/server.toml /usr/share/vigia/policies; do
  [ "$(stat -c %A "$root$f" | cut -c8)" = r ] || fail "$f is not world-readable"
done
echo "installed: files, conffiles, enabled units"

step "systemd-analyze verify on the installed units"
out="$(systemd-analyze verify --man=no --root="$root" \
  /lib/systemd/system/vigia-agent.service /lib/systemd/system/vigia-server.service 2>&1)" ||
  fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify complained: $out"

step "the installed programs, as their units' (unprivileged) user"
as_unit_user() { in_root setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
for p in vigia-agent vigia-server; do
  got="$(in_root "$p" --version)"
  [ "$got" = "$p $version (commit $commit)" ] || fail "$p --version: '$got'"
done
as_unit_user vigia-agent collect --config /etc/vigia/agent.toml >"$work/report.json" ||
  fail "vigia-agent collect as nobody"
python3 - "$work/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["processes"]) > 1 and r["os"]["name"], "incomplete report"
print("installed agent: %d processes, os %s" % (len(r["processes"]), r["os"]["name"]))
PY
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
install -d -m 0700 -o 65534 -g 65534 "$root/tmp/vigia-data"
# Not through a function: $! must be the server itself (chroot, env and setpriv exec it).
chroot "$root" env -i PATH=/usr/bin:/bin setpriv --reuid=65534 --regid=65534 --clear-groups \
  vigia-server --config /etc/vigia/server.toml --listen "127.0.0.1:$port" \
  --data-dir /tmp/vigia-data >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; fail "the server exited"; }
  sleep 0.1
done
[ "$(curl -fsS "http://127.0.0.1:$port/healthz")" = ok ] || fail "/healthz"
kill "$server_pid"
wait "$server_pid" || fail "the server did not stop cleanly: $(cat "$work/server.log")"
server_pid=
echo "installed server: /healthz ok, stopped cleanly"

step "upgrade to $version over $version~prev1, with an edited conffile"
echo '# edited by the operator' >>"$root/etc/vigia/agent.toml"
apt_get install --no-install-recommends "./debs/vigia-agent_${version}_${arch}.deb" \
  "./debs/vigia-server_${version}_${arch}.deb"
for p in vigia-agent vigia-server; do
  [ "$(in_root dpkg-query -W -f='${Version}' "$p")" = "$version" ] || fail "$p not upgraded"
  [ -L "$root/etc/systemd/system/multi-user.target.wants/$p.service" ] ||
    fail "$p.service no longer enabled after the upgrade"
done
grep -q '^# edited by the operator$' "$root/etc/vigia/agent.toml" ||
  fail "the edited agent.toml was replaced by the upgrade"
[ ! -e "$root/etc/vigia/agent.toml.dpkg-dist" ] || fail "the upgrade asked about agent.toml"
in_root vigia-agent --version >/dev/null || fail "upgraded agent does not run"

step "purge"
apt_get purge vigia-agent vigia-server
leftovers="$(cd "$root" && find etc usr lib var \( -path 'var/lib/dpkg' -o -path 'var/log' \
  -o -path 'var/cache' -o -path 'var/lib/apt' \) -prune -o -name '*vigia*' -print)"
[ -z "$leftovers" ] || fail "left after purge: $leftovers"
echo "purged: nothing named vigia left under /etc /usr /lib /var"
step "done"
