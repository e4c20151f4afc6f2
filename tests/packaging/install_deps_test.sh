#!/usr/bin/env bash
# scripts/install-deps.sh run by a user who is not root, on a machine without sudo, while a
# package is missing: it must say what to do and fail, not die on "sudo: command not found".
# A package that exists nowhere (VIGIA_EXTRA_PACKAGES) is what makes one missing here.
# Usage: install_deps_test.sh SOURCE_DIR
set -euo pipefail
src="$1"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 0755 "$work"
# A copy the unprivileged user can read wherever the checkout lives (/root is 0700).
install -m 0755 "$src/scripts/install-deps.sh" "$work/install-deps.sh"
# The tools the script runs before it needs root, and no sudo among them.
mkdir "$work/bin"
for tool in dpkg-query grep id; do ln -s "$(command -v "$tool")" "$work/bin/$tool"; done

run=(env -i PATH="$work/bin" VIGIA_EXTRA_PACKAGES=vigia-no-such-package
  "$(command -v bash)" "$work/install-deps.sh")
if [ "$(id -u)" = 0 ]; then
  run=(setpriv --reuid=65534 --regid=65534 --clear-groups "${run[@]}")
fi

set +e
"${run[@]}" >"$work/out" 2>"$work/err"
rc=$?
set -e
cat "$work/out" "$work/err"
if [ "$rc" -eq 0 ]; then
  echo "FAIL: install-deps.sh succeeded without root and without sudo"
  exit 1
fi
grep -q "run as root or install sudo" "$work/err" || {
  echo "FAIL: no \"run as root or install sudo\" on stderr"
  exit 1
}
grep -q "vigia-no-such-package" "$work/out" || {
  echo "FAIL: the missing package was not named"
  exit 1
}
if grep -q "command not found" "$work/err"; then
  echo "FAIL: the shell's own error leaked"
  exit 1
fi
echo "install-deps without root or sudo: exit $rc, told to run as root or install sudo"
