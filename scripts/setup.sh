#!/usr/bin/env bash
# Idempotent set-up of a Debian 12 machine for building and testing chaosrun.
# Installs only Debian packages; nothing is downloaded at build time.
#   scripts/setup.sh           what the build, the tests and the demo need
#   scripts/setup.sh --bench   also the peers the benchmarks measure against (bench/proxy)
set -euo pipefail

packages=(
  build-essential g++ cmake ninja-build pkg-config git ccache
  libboost-dev libboost-system-dev
  nlohmann-json3-dev libcurl4-openssl-dev libcpp-httplib-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev googletest
  libyaml-cpp-dev libpcre2-dev libssl-dev libvalijson-dev
  libcli11-dev groff-base  # the command line (CLI11) and its man page's test
  redis-server redis-tools
  clang-16 libclang-rt-16-dev
  procps iproute2 curl python3
  chromium fonts-dejavu-core  # the report's real-browser test (tests/integration/report)
  libsystemd-dev libcctz-dev tzdata  # chaosrund: sd_notify, schedules in IANA time zones
  nginx-light prometheus prometheus-alertmanager  # the fire-drill lab (scripts/lab.sh)
  python3-requests  # python providers through the bridge (tests, corpus)
)

if [[ "${1:-}" == "--bench" ]]; then
  packages+=(wrk nginx-light socat haproxy util-linux)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all build and test dependencies are installed"
