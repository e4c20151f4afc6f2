#!/usr/bin/env bash
# bookworm_minbase.sh OUT_TAR: a Debian 12 root file system, `debootstrap --variant=minbase`,
# as a tarball at OUT_TAR. Made once: an existing OUT_TAR is kept, so callers cache it in their
# build dir. Tests use it where no registry is reachable: `docker import` makes it a stand-in
# for debian:12-slim, and a chroot made from it is a throwaway Debian for package tests.
# Needs root and debootstrap; only Debian's archive is reached.
set -euo pipefail

out="${1:?usage: bookworm_minbase.sh OUT_TAR}"
[ -s "$out" ] && exit 0
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" = 0 ] || { echo "bookworm_minbase: needs root (debootstrap)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "bookworm_minbase: debootstrap missing" >&2; exit 1; }

mkdir -p "$(dirname "$out")"
root="$(mktemp -d "$(dirname "$out")/minbase.XXXXXX")"
trap 'rm -rf "$root" "$out.partial"' EXIT

debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
  cat "$root.log" >&2
  rm -f "$root.log"
  exit 1
}
rm -f "$root.log"

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

tar --numeric-owner -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
