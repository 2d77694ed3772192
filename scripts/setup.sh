#!/usr/bin/env bash
# Installs the Debian packages siphon needs to build and test. Idempotent: packages that are
# already installed are not fetched again. Run as root (or with sudo available).
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build ccache pkg-config
            libre2-dev libluajit-5.1-dev nlohmann-json3-dev nettle-dev
            libgtest-dev libgmock-dev libbenchmark-dev)
test_pkgs=(python3 python3-pytest curl sip-tester chromium)

want=("${build_pkgs[@]}")
case "${1:-build}" in
  build) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" wrk nginx kamailio kamailio-lua-modules linux-perf) ;;
  fuzz) want+=(clang-14 libclang-rt-14-dev) ;;
  *) echo "usage: $0 [build|test|bench|fuzz]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
