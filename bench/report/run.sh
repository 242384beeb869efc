#!/usr/bin/env bash
# bench/report: `chaosrun report` on a journal of 10,000 activities, against the floor of the
# same journal parsed and re-serialized by nlohmann::json, in the same run. Prints the best of
# REPEAT wall times, the peak RSS of each, and the ratios; the targets are < 1 s and < 50 MiB.
#   bench/report/run.sh [N activities, default 10000] [REPEAT, default 5]
# Needs a build (scripts/build.sh; BUILD_DIR to use another one).
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-10000}"
repeat="${2:-5}"
bin="${BUILD_DIR:-build}/bin/chaosrun"
work="$(mktemp -d /tmp/chaosrun-bench-report.XXXXXX)"
trap 'rm -rf "$work"' EXIT
python3 bench/report/make_journal.py "$work/journal.json" "$n"
g++ -std=c++20 -O2 -o "$work/json_floor" bench/report/json_floor.cc
read -r floor_s floor_mib < <(python3 bench/report/measure.py "$repeat" "$work/json_floor" "$work/journal.json" "$work/floor.json")
read -r rep_s rep_mib < <(python3 bench/report/measure.py "$repeat" "$bin" report "$work/journal.json" --output "$work/report.html")
printf 'journal: %d activities, %s bytes; page: %s bytes\n' "$n" "$(stat -c %s "$work/journal.json")" "$(stat -c %s "$work/report.html")"
printf '%-34s %8s %10s\n' "" "time s" "peak MiB"
printf '%-34s %8s %10s\n' "nlohmann parse + dump (floor)" "$floor_s" "$floor_mib"
printf '%-34s %8s %10s\n' "chaosrun report" "$rep_s" "$rep_mib"
python3 -c "import sys; f,fm,r,rm=map(float,sys.argv[1:]); print(f'ratio report/floor: time {r/f:.2f}x, memory {rm/fm:.2f}x'); print('targets (< 1 s, < 50 MiB):', 'met' if r < 1 and rm < 50 else 'NOT met')" "$floor_s" "$floor_mib" "$rep_s" "$rep_mib"
