#!/usr/bin/env bash
# Makes OUT_TAR, a tar of a `debootstrap --variant=minbase bookworm` root, unless it exists.
# The throwaway roots of the package test and the base image of the container test (`docker
# import`, a stand-in for debian:12-slim) both come from it: no container registry is
# reachable, Debian's archive is. Safe to run from two tests at once (a lock), and a half-made
# tar is never left under OUT_TAR. Needs root and debootstrap.
# Usage: bookworm_minbase.sh OUT_TAR. Env: DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
out="${1:?usage: bookworm_minbase.sh OUT_TAR}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "bookworm_minbase: needs root (debootstrap)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "bookworm_minbase: debootstrap missing" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
exec 9>"$out.lock"
flock 9
[ -s "$out" ] && exit 0

root="$(mktemp -d "$(dirname "$out")/minbase.XXXXXX")"
trap 'rm -rf "$root" "$root.log" "$out.partial"' EXIT
echo "bookworm_minbase: debootstrap into $root (once; then cached as $out)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"
# mktemp made it 0700, and the tar's "." entry gives its mode to every root unpacked from it.
chmod 0755 "$root"

# The same sources as debian:12-slim, so that security updates reach what is built on it.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# apt in the tree must judge the archive's Release files as this host's apt does (a host whose
# mirror serves dated snapshots turns the expiry checks off).
apt-config dump | grep -E '^Acquire::Check-(Valid-Until|Date) ' \
  >"$root/etc/apt/apt.conf.d/99host-archive-checks" || true
# Nothing cached: the tarball is a base, as small as debootstrap makes it.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

tar -C "$root" --numeric-owner -cf "$out.partial" .
mv "$out.partial" "$out"
echo "bookworm_minbase: $out ($(du -h "$out" | cut -f1))"
