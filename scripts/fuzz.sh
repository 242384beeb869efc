#!/usr/bin/env bash
# Runs every fuzz target in BUILD_DIR/bin for RUNS inputs each, starting from the seeds
# (tests/fuzz/seeds/<target>/ plus the bundled experiments), FUZZ_JOBS (default 2) targets at a
# time. Fails on the first crash, leak or sanitizer report: no further target starts, the running
# ones finish. Usage: scripts/fuzz.sh [BUILD_DIR] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build-san}"
runs="${2:-20000}"
jobs_max="${FUZZ_JOBS:-2}"

# One target; its report is printed in one piece when it ends, so parallel runs do not interleave.
fuzz_one() {
  local bin="$1" name work seeds n="$runs"
  name="$(basename "$bin")"
  # fuzz_engine runs a whole experiment (threads, a synced ledger, driver calls) per input: a
  # twentieth of the runs keeps it near the other targets' time.
  [ "$name" = fuzz_engine ] && n=$(( runs >= 20 ? runs / 20 : 1 ))
  # fuzz_python_bridge talks to a real python3 bridge process per input (~10 ms each): a fifth of
  # the runs keeps it near the others too (it was two thirds of CI's fuzz phase).
  [ "$name" = fuzz_python_bridge ] && n=$(( runs >= 5 ? runs / 5 : 1 ))
  work="$(mktemp -d)"
  seeds="tests/fuzz/seeds/${name#fuzz_}"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  case "$name" in
    fuzz_parse_json|fuzz_validate) cp experiments/demo/*.json "$work"/ ;;
  esac
  if "$bin" -runs="$n" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/" "$work" >"$work/log" 2>&1; then
    printf -- '-- %s: %s runs\n%s\n' "$name" "$n" "$(tail -n 1 "$work/log")"
    rm -rf "$work"
  else
    printf -- '-- %s: %s runs\n%s\nFUZZ FAILURE in %s (artifacts in %s)\n' \
      "$name" "$n" "$(tail -n 40 "$work/log")" "$name" "$work"
    return 1
  fi
}

found=0
running=0
failed=0
for bin in "$build_dir"/bin/fuzz_*; do
  [ -x "$bin" ] || continue
  found=1
  if (( running >= jobs_max )); then
    wait -n || failed=1
    running=$((running - 1))
    (( failed == 0 )) || break
  fi
  fuzz_one "$bin" &
  running=$((running + 1))
done
while (( running > 0 )); do
  wait -n || failed=1
  running=$((running - 1))
done
[ "$found" = 1 ] || { echo "no fuzz targets found in $build_dir/bin"; exit 1; }
(( failed == 0 )) || exit 1
