#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test twice: an optimized g++ build, then a
# clang AddressSanitizer + UndefinedBehaviorSanitizer build that also runs the fuzz targets
# briefly. Between the two, the deploy tests (heavy machinery: dockerd, debootstrap) run once
# on the optimized build. Ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== release build (g++, -Werror) =="
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

echo "== deploy tests (label deploy: the container image and compose.yaml, with dockerd) =="
ctest --preset deploy

echo "== sanitizer build (clang, ASan+UBSan, fuzz smoke) =="
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
