#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR/bin for RUNS inputs each, starting from the seeds
# (tests/fuzz/seeds/<target>/ plus the bundled experiments). Fails on the first crash, leak or
# sanitizer report. Usage: scripts/fuzz.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build-san}"
runs="${2:-20000}"
found=0
for bin in "$build_dir"/bin/fuzz_*; do
  [ -x "$bin" ] || continue
  found=1
  name="$(basename "$bin")"
  work="$(mktemp -d)"
  seeds="tests/fuzz/seeds/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  case "$name" in
    fuzz_parse_json|fuzz_validate) cp experiments/demo/*.json "$work"/ ;;
  esac
  echo "-- $name: $runs runs"
  "$bin" -runs="$runs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" "$work" \
    >"$work/log" 2>&1 || { tail -n 40 "$work/log"; echo "FUZZ FAILURE in $name (artifacts in $work)"; exit 1; }
  tail -n 1 "$work/log"
  rm -rf "$work"
done
[ "$found" = 1 ] || { echo "no fuzz targets found in $build_dir/bin"; exit 1; }
