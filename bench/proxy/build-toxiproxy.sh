#!/usr/bin/env bash
# Builds toxiproxy-server from a Toxiproxy source tree with Debian's Go and Debian's Go
# libraries, for machines where neither a Toxiproxy package nor the Go module proxy is reachable,
# so that bench/proxy/run.sh can measure it in the same run as the other proxies.
#
#   bench/proxy/build-toxiproxy.sh SOURCE_DIR OUTPUT [VERSION]
#     SOURCE_DIR  a checkout of https://github.com/Shopify/toxiproxy at a release tag (v2.12.0)
#     OUTPUT      where to write the binary, e.g. /usr/local/bin/toxiproxy-server
#     VERSION     what `toxiproxy-server --version` prints (default: the tree's git describe, or
#                 "unknown")
#   TOXIPROXY=/usr/local/bin/toxiproxy-server bench/proxy/run.sh
#
# On a machine that reaches the Go module proxy, `go install
# github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0` is simpler and uses the Go that release
# was built with; this script exists because Debian 12 ships Go 1.19 (Toxiproxy 2.12 asks for
# 1.23) and its libraries at older versions, so it builds in GOPATH mode against them. Its one
# adaptation is compile-time only: Debian's zerolog has the older signature of
# `zerolog.CallerMarshalFunc` (no program counter), which the server's logger set-up assigns.
# It copies the tree first and never writes to SOURCE_DIR. Nothing of Toxiproxy is part of
# chaosrun or its repository.
set -euo pipefail

if (($# < 2)); then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
src="$(cd "$1" && pwd)"
out="$2"
version="${3:-$(git -C "$src" describe --tags 2> /dev/null || echo unknown)}"
[[ -f "$src/cmd/server/server.go" && -f "$src/go.mod" ]] ||
  { echo "build-toxiproxy.sh: $src is not a Toxiproxy source tree (no cmd/server/server.go)" >&2; exit 1; }

debs=(golang-go golang-github-gorilla-mux-dev golang-github-prometheus-client-golang-dev
  golang-github-rs-zerolog-dev golang-github-urfave-cli-v2-dev golang-golang-x-term-dev
  golang-gopkg-tomb.v1-dev)
missing=()
for d in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$d" 2> /dev/null | grep -q 'install ok installed' || missing+=("$d")
done
if ((${#missing[@]})); then
  echo "build-toxiproxy.sh: missing Debian packages: ${missing[*]}" >&2
  echo "  install with: apt-get install -y ${missing[*]}" >&2
  exit 1
fi

gopath="$(mktemp -d /tmp/toxiproxy-build.XXXXXX)"
trap 'rm -rf "$gopath"' EXIT
module="$(sed -n 's/^module //p' "$src/go.mod")" # github.com/Shopify/toxiproxy/v2
mkdir -p "$gopath/src/$module"
cp -a "$src/." "$gopath/src/$module/"
rm -f "$gopath/src/$module/go.mod" "$gopath/src/$module/go.sum"
server="$gopath/src/$module/cmd/server/server.go"
if grep -q 'CallerMarshalFunc = func(file string, line int) string' \
  /usr/share/gocode/src/github.com/rs/zerolog/globals.go 2> /dev/null; then
  sed -i 's/CallerMarshalFunc = func(pc uintptr, file string, line int) string/CallerMarshalFunc = func(file string, line int) string/' \
    "$server"
fi
(
  cd "$gopath/src/$module"
  GOPATH="$gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS='' GOCACHE="$gopath/cache" \
    go build -ldflags "-X $module.Version=$version" -o "$gopath/toxiproxy-server" ./cmd/server
)
install -m 755 "$gopath/toxiproxy-server" "$out"
echo "built $out: $("$out" --version 2>&1 | head -1) with $(go version | cut -d' ' -f3)"
