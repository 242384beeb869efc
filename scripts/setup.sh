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

# node and npm for the real Toxiproxy Node client (below), from Debian unless some npm is there
# already (NodeSource's nodejs bundles npm and conflicts with Debian's npm package).
command -v npm > /dev/null 2>&1 || packages+=(nodejs npm)

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

# The real Toxiproxy Node client for tests/integration/toxiproxy_clients, from npm, outside the
# checkout (the test reads the same path). Needs node >= 18 and npm; without them the test
# skips, unless CHAOSRUN_REQUIRE_TOXIPROXY_CLIENTS=1.
node_prefix="${CHAOSRUN_NODE_PREFIX:-$HOME/.cache/chaosrun/node}"
node_client="$node_prefix/node_modules/toxiproxy-node-client/package.json"
if ! grep -qs '"version": "4.1.0"' "$node_client"; then
  if command -v npm > /dev/null 2>&1; then
    npm install --no-save --no-audit --no-fund --prefix "$node_prefix" toxiproxy-node-client@4.1.0
  else
    echo "setup: no npm: $node_client not installed (the Node-client test will skip)"
  fi
fi
echo "setup: all build and test dependencies are installed"
