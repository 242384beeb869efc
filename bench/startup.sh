#!/usr/bin/env bash
# Start-up benchmark: runs bench/minimal.json (one probe, one action, one rollback, all `echo`
# processes) N times and reports the median and p90 wall time and the peak RSS per run. If the
# reference (`chaos`) is on the PATH it runs the same experiment in the same loop and prints the
# ratio. Builds nothing of chaosrun: uses $CHAOSRUN or build/bin/chaosrun. Compiles the tiny
# measuring helper bench/measure.cc with g++ into a temporary directory.
#
#   bench/startup.sh [N]          N runs per tool (default 200)
#   CHAOSRUN=/path/to/chaosrun bench/startup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
runs="${1:-200}"
chaosrun="${CHAOSRUN:-$root/build/bin/chaosrun}"
experiment="$here/minimal.json"

if [[ ! -x "$chaosrun" ]]; then
  echo "startup.sh: no chaosrun binary at $chaosrun (build it, or set CHAOSRUN)" >&2
  exit 1
fi
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "startup.sh: N must be a positive integer, not '$runs'" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++17 -o "$work/measure" "$here/measure.cc"
g++ -O2 -std=c++17 -o "$work/floor" "$here/floor.cc"

# Prints "median_ms p90_ms max_rss_mib median_cpu_ms" for the samples in file $1
# ("wall-ms rss-kib cpu-ms" lines).
summarize() {
  local cpu
  cpu="$(cut -d' ' -f3 "$1" | sort -n | awk '{ c[NR] = $1 }
    END { n = NR; printf "%.2f", (n % 2) ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2 }')"
  sort -n -k1,1 "$1" | awk -v cpu="$cpu" '
    { ms[NR] = $1; if ($2 > rss) rss = $2 }
    END {
      n = NR
      med = (n % 2) ? ms[(n + 1) / 2] : (ms[n / 2] + ms[n / 2 + 1]) / 2
      i = int(0.9 * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n
      printf "%.2f %.2f %.2f %s\n", med, ms[i], rss / 1024, cpu
    }'
}

# bench NAME SAMPLES-FILE COMMAND...: one warm-up run, then N measured runs; a run that does not
# exit 0 stops the benchmark (a fast failure is not a result).
bench() {
  local name="$1" out="$2"
  shift 2
  : > "$out"
  "$work/measure" "$@" > /dev/null || {
    echo "startup.sh: $name failed on the warm-up run: $*" >&2
    exit 1
  }
  for ((i = 0; i < runs; i++)); do
    if ! "$work/measure" "$@" >> "$out"; then
      echo "startup.sh: $name run $i exited non-zero: $*" >&2
      exit 1
    fi
  done
}

cd "$work"
echo "experiment: $experiment"
echo "runs:       $runs per tool (after one warm-up run)"
echo "machine:    $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

bench chaosrun "$work/chaosrun.txt" "$chaosrun" run --state-dir "$work/state" \
  --journal-path "$work/journal-chaosrun.json" "$experiment"
read -r c_med c_p90 c_rss c_cpu < <(summarize "$work/chaosrun.txt")
printf '%-10s median %8s ms   p90 %8s ms   max RSS %7s MiB   median CPU %8s ms\n' \
  chaosrun "$c_med" "$c_p90" "$c_rss" "$c_cpu"

# The floor: the experiment's four echo processes spawned, captured and reaped by a tiny C++
# program (bench/floor.cc) — what any runner must spend. chaosrun's own cost is the difference.
bench floor "$work/floor.txt" "$work/floor"
read -r f_med f_p90 f_rss f_cpu < <(summarize "$work/floor.txt")
printf '%-10s median %8s ms   p90 %8s ms   max RSS %7s MiB   median CPU %8s ms\n' \
  floor "$f_med" "$f_p90" "$f_rss" "$f_cpu"
awk -v c="$c_med" -v f="$f_med" -v cc="$c_cpu" -v fc="$f_cpu" 'BEGIN {
  printf "chaosrun\x27s own cost (chaosrun - floor): %.2f ms wall (median), %.2f ms CPU\n", c - f, cc - fc }'

if command -v chaos > /dev/null 2>&1; then
  bench chaos "$work/chaos.txt" chaos --no-version-check --no-log-file run \
    --journal-path "$work/journal-chaos.json" "$experiment"
  read -r r_med r_p90 r_rss r_cpu < <(summarize "$work/chaos.txt")
  printf '%-10s median %8s ms   p90 %8s ms   max RSS %7s MiB   median CPU %8s ms\n' \
    chaos "$r_med" "$r_p90" "$r_rss" "$r_cpu"
  awk -v a="$r_med" -v b="$c_med" -v x="$r_rss" -v y="$c_rss" \
    'BEGIN { printf "ratio      chaos/chaosrun: %.1fx wall time (median), %.1fx peak RSS\n", a / b, x / y }'
else
  echo "chaos (the reference) is not on the PATH: no comparison"
fi

awk -v m="$c_med" -v r="$c_rss" 'BEGIN {
  printf "targets    median < 5 ms: %s   peak RSS < 8 MiB: %s\n",
         (m < 5 ? "met" : "MISSED"), (r < 8 ? "met" : "MISSED") }'
