#!/usr/bin/env bash
# Makes OUT_TAR, a tar of a `debootstrap --variant=minbase bookworm` root, unless it exists.
# The throwaway roots of the package test and the base image of the container test both
# come from it: no container registry is reachable, Debian's archive is. Safe to run from
# two tests at once (a lock), and a half-made tar is never left under OUT_TAR.
# Usage: bookworm_minbase.sh OUT_TAR. Env: DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail
out="${1:?usage: bookworm_minbase.sh OUT_TAR}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
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
# apt in the root must find the archive the same way.
echo "deb $mirror bookworm main" >"$root/etc/apt/sources.list"
tar -C "$root" --numeric-owner -cf "$out.partial" .
mv "$out.partial" "$out"
echo "bookworm_minbase: $out ($(du -h "$out" | cut -f1))"
