#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test twice: an optimized g++ build, then a
# clang AddressSanitizer + UndefinedBehaviorSanitizer build that also runs the fuzz targets
# briefly. Between the two, side by side: the deploy tests (the Debian packages in a throwaway
# root, the container image with a dockerd of its own), and the programs built the way a user
# without the presets builds them. Ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== release build (g++, -Werror) =="
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

# The deploy tests (tests/packaging/): the Debian packages, whose build is also the no-preset g++
# build (cmake -DCMAKE_BUILD_TYPE=Release, dpkg-buildflags, no -Werror), and the container image.
# Much of their time is spent waiting on Debian's archive (debootstrap, apt in the root and in the
# image), so they run side by side, and beside them the build a user without the presets types,
# with clang (only the two programs): the CPU works while the network is waited on.
echo "== deploy tests (packages in a throwaway root; the image and compose.yaml with dockerd)," \
  "beside the plain Release build, no preset (clang, warnings not fatal) =="
plain_clang() {
  cmake -S . -B build/plain-clang -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++ -DVIGIA_BUILD_TESTS=OFF >/dev/null &&
    cmake --build build/plain-clang --target vigia-agent vigia-server &&
    build/plain-clang/src/agent/vigia-agent --version &&
    build/plain-clang/src/server/vigia-server --version
}
mkdir -p build
# In a process group of its own (set -m), so that stopping this script stops the whole build.
set -m
plain_clang >build/plain-clang.log 2>&1 &
plain_pid=$!
set +m
trap 'kill -- "-$plain_pid" 2>/dev/null || true' EXIT
deploy_rc=0
ctest --preset deploy || deploy_rc=$?
plain_rc=0
wait "$plain_pid" || plain_rc=$?
trap - EXIT
echo "== plain Release build, no preset (clang): exit $plain_rc (log: build/plain-clang.log) =="
if [ "$plain_rc" != 0 ]; then tail -n 60 build/plain-clang.log; else tail -n 2 build/plain-clang.log; fi
[ "$deploy_rc" = 0 ] && [ "$plain_rc" = 0 ] || exit 1

echo "== sanitizer build (clang, ASan+UBSan, fuzz smoke) =="
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
