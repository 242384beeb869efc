#!/usr/bin/env bash
# Start-up benchmark: runs bench/minimal.json (one probe, one action, one rollback, all `echo`
# processes, a durable journal) N times and reports the median and p90 wall time and the peak RSS
# per run, against the floor (bench/floor.cc: the same four processes spawned and reaped and a
# journal of the same size written durably, nothing else), interleaved run by run so a change of
# load hits both alike. If the reference (`chaos`) is on the PATH it runs in the same loop too.
# Targets (docs/performance.md): chaosrun's own overhead above the floor at most 2 ms (median),
# and at most 1/100 of the reference's overhead above the same floor. Builds nothing of chaosrun: uses $CHAOSRUN or build/bin/chaosrun. Compiles the tiny
# measuring helper bench/measure.cc with g++ into a temporary directory.
#
#   bench/startup.sh [N]          N rounds (default 200)
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

cd "$work"
echo "experiment: $experiment"
echo "runs:       $runs per tool (after one warm-up run)"
echo "machine:    $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

have_chaos=0
command -v chaos > /dev/null 2>&1 && have_chaos=1
chaosrun_cmd=("$chaosrun" run --state-dir "$work/state" --journal-path "$work/journal-chaosrun.json"
  "$experiment")
floor_cmd=("$work/floor" "$work/journal-floor.json")
chaos_cmd=(chaos --no-version-check --no-log-file run --journal-path "$work/journal-chaos.json"
  "$experiment")

# One warm-up run each, then N rounds of one run each, interleaved; a run that does not exit 0
# stops the benchmark (a fast failure is not a result).
once() {
  local out="$1"
  shift
  if ! "$work/measure" "$@" >> "$out"; then
    echo "startup.sh: a run exited non-zero: $*" >&2
    exit 1
  fi
}
once /dev/null "${chaosrun_cmd[@]}"
once /dev/null "${floor_cmd[@]}"
(( have_chaos )) && once /dev/null "${chaos_cmd[@]}"
: > "$work/chaosrun.txt"
: > "$work/floor.txt"
: > "$work/chaos.txt"
for ((i = 0; i < runs; i++)); do
  once "$work/chaosrun.txt" "${chaosrun_cmd[@]}"
  once "$work/floor.txt" "${floor_cmd[@]}"
  (( have_chaos )) && once "$work/chaos.txt" "${chaos_cmd[@]}"
done

line() {
  printf '%-10s median %8s ms   p90 %8s ms   max RSS %7s MiB   median CPU %8s ms\n' "$@"
}
read -r c_med c_p90 c_rss c_cpu < <(summarize "$work/chaosrun.txt")
read -r f_med f_p90 f_rss f_cpu < <(summarize "$work/floor.txt")
line chaosrun "$c_med" "$c_p90" "$c_rss" "$c_cpu"
line floor "$f_med" "$f_p90" "$f_rss" "$f_cpu"
over="$(awk -v c="$c_med" -v f="$f_med" 'BEGIN { printf "%.2f", c - f }')"
awk -v o="$over" -v cc="$c_cpu" -v fc="$f_cpu" 'BEGIN {
  printf "chaosrun\x27s own overhead (chaosrun - floor): %.2f ms wall (median), %.2f ms CPU\n", o, cc - fc }'

verdict="$(awk -v o="$over" 'BEGIN { print (o <= 2 ? "met" : "MISSED") }')"
if (( have_chaos )); then
  read -r r_med r_p90 r_rss r_cpu < <(summarize "$work/chaos.txt")
  line chaos "$r_med" "$r_p90" "$r_rss" "$r_cpu"
  awk -v r="$r_med" -v f="$f_med" -v o="$over" 'BEGIN {
    printf "reference\x27s overhead %.2f ms; chaosrun\x27s is 1/%.0f of it (target: at most 1/100): %s\n",
           r - f, (o > 0 ? (r - f) / o : 0), (o <= (r - f) / 100 ? "met" : "MISSED") }'
else
  echo "chaos (the reference) is not on the PATH: no comparison"
fi
echo "target     overhead <= 2 ms (median): $verdict"
