#!/usr/bin/env bash
# Installs what is needed, builds, and runs every test twice: an optimized g++ build, then a
# clang AddressSanitizer + UndefinedBehaviorSanitizer build that also runs the fuzz targets
# briefly. Between the two: the deploy tests (the Debian packages in a throwaway root, the
# container image with a dockerd of its own), and the programs built the way a user without
# the presets builds them. Ends with CTest's summary line.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

echo "== release build (g++, -Werror) =="
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release

# The Debian packages (tests/packaging/debian_packages_test.sh): their build is also the
# no-preset g++ build (cmake -DCMAKE_BUILD_TYPE=Release, dpkg-buildflags, no -Werror).
echo "== deploy tests (packages in a throwaway root; the image and compose.yaml with dockerd) =="
ctest --preset deploy

# What a user types without a preset must build with clang too; only the two programs.
echo "== plain Release build, no preset (clang, warnings not fatal) =="
cmake -S . -B build/plain-clang -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=clang++ -DVIGIA_BUILD_TESTS=OFF >/dev/null
cmake --build build/plain-clang --target vigia-agent vigia-server
build/plain-clang/src/agent/vigia-agent --version
build/plain-clang/src/server/vigia-server --version

echo "== sanitizer build (clang, ASan+UBSan, fuzz smoke) =="
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan
