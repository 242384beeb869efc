#!/usr/bin/env bash
# The python bridge's benchmark: N runs each, in one loop, of
#   1. the interpreter's own start, `python3 -c 'import json'` (the floor any bridge pays);
#   2. the bridge's start and end alone (share/chaosrun/bridge.py with no requests);
#   3. `chaosrun run --no-validation` of one-probe.json (one python probe: bridge + call);
#   4. `chaosrun run` of it with validation (a second bridge imports and checks the probe);
#   5. the reference (`chaos run one-probe.json`), when `chaos` is on the PATH.
# Median and p90 wall time, max RSS, median CPU (bench/measure.cc). Uses $CHAOSRUN or
# build/bin/chaosrun and $PYTHON or python3.
#
#   bench/python/run.sh [N]      N runs per row (default 50)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
runs="${1:-50}"
chaosrun="${CHAOSRUN:-$root/build/bin/chaosrun}"
python="${PYTHON:-$(command -v python3)}"
bridge="$(dirname "$(dirname "$chaosrun")")/share/chaosrun/bridge.py"
[[ -r "$bridge" ]] || bridge="$root/share/chaosrun/bridge.py"
[[ -x "$chaosrun" ]] || { echo "run.sh: no chaosrun at $chaosrun (build it, or set CHAOSRUN)" >&2; exit 1; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: N must be a positive integer" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++17 -o "$work/measure" "$root/bench/measure.cc"
export PYTHONPATH="$here" CHAOSRUN_PYTHON="$python"

summarize() {  # "median p90 maxrss_mib median_cpu" of "wall-ms rss-kib cpu-ms" lines
  local cpu
  cpu="$(cut -d' ' -f3 "$1" | sort -n | awk '{ c[NR] = $1 } END { n = NR; printf "%.2f", (n % 2) ? c[(n + 1) / 2] : (c[n / 2] + c[n / 2 + 1]) / 2 }')"
  sort -n -k1,1 "$1" | awk -v cpu="$cpu" '{ ms[NR] = $1; if ($2 > rss) rss = $2 }
    END { n = NR; med = (n % 2) ? ms[(n + 1) / 2] : (ms[n / 2] + ms[n / 2 + 1]) / 2
          i = int(0.9 * n + 0.999999); if (i < 1) i = 1; if (i > n) i = n
          printf "%.2f %.2f %.2f %s\n", med, ms[i], rss / 1024, cpu }'
}

names=(floor bridge chaosrun chaosrun-validated)
commands=(
  "$python -c 'import json'"
  "$python $bridge /dev/null /dev/null"
  "$chaosrun run --no-validation --state-dir $work/state --journal-path $work/j1.json $here/one-probe.json"
  "$chaosrun run --state-dir $work/state --journal-path $work/j2.json $here/one-probe.json"
)
if command -v chaos > /dev/null; then
  names+=(reference)
  commands+=("chaos --no-version-check run --journal-path $work/j3.json $here/one-probe.json")
fi
for name in "${names[@]}"; do : > "$work/$name.txt"; done
cd "$work"
for ((i = 0; i <= runs; i++)); do  # run 0 warms up; the rows alternate within each round
  for k in "${!names[@]}"; do
    if [[ $i -eq 0 ]]; then
      eval "$work/measure ${commands[$k]}" > /dev/null 2>&1 || { echo "run.sh: ${names[$k]} failed" >&2; exit 1; }
    else
      eval "$work/measure ${commands[$k]}" >> "$work/${names[$k]}.txt" 2> /dev/null
    fi
  done
done
echo "python:  $python ($("$python" --version 2>&1)); runs: $runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
command -v chaos > /dev/null || echo "reference: not installed (\`chaos\` is not on the PATH)"
for name in "${names[@]}"; do
  read -r med p90 rss cpu < <(summarize "$work/$name.txt")
  printf '%-20s median %8s ms   p90 %8s ms   max RSS %7s MiB   median CPU %8s ms\n' "$name" "$med" "$p90" "$rss" "$cpu"
done
