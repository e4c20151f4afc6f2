#!/usr/bin/env bash
# Installs every Debian 12 package vigia needs to build, test and benchmark. Idempotent and
# non-interactive: packages already present are not touched, and apt-get update runs only when
# something is missing.
set -euo pipefail

packages=(
  # toolchain and build
  build-essential cmake ninja-build pkg-config git ca-certificates
  g++ clang libclang-rt-14-dev clang-format
  # libraries (see docs/decisions.md for why each)
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev
  libboost1.81-dev libssl-dev zlib1g-dev libzstd-dev libxxhash-dev libre2-dev libcurl4-openssl-dev libsystemd-dev
  libsqlite3-dev sqlite3
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-psutil procps util-linux hyperfine wrk bc curl time linux-perf openssl zstd gzip
  # tests of what crosses a network: clients in a network namespace of their own
  iproute2
  # the systemd units are checked with systemd-analyze verify
  systemd
  # the Debian packages (tests/packaging): built with debhelper, man pages from --help,
  # checked by lintian and hardening-check (devscripts), installed, upgraded and purged in a
  # debootstrap chroot
  debhelper dpkg-dev fakeroot help2man lintian devscripts debootstrap
)

# More packages for a local need (a debugger, an editor), installed the same way.
# shellcheck disable=SC2206
packages+=(${VIGIA_EXTRA_PACKAGES:-})

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  # Say what to do, rather than let the shell say "sudo: command not found".
  if ! command -v sudo >/dev/null; then
    echo "install-deps: installing packages needs root: run as root or install sudo" >&2
    exit 1
  fi
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
