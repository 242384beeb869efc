#!/usr/bin/env bash
# chaosrund's benchmark (issue 13). In one run:
#   0. the idle floors: floor_server.cc and floor_daemon.cc (RSS right after they serve);
#   1. idle: chaosrund with two schedules far in the future; VmRSS (and RssAnon, PSS) after start, CPU over a
#      WINDOW-second idle window (sum of /proc/PID/task/*/schedstat: ns resolution; utime+stime
#      ticks shown too) and the threads' wake-ups (voluntary context switches) in that window;
#   2. the same with 1,000 schedules (cron on 1 January at varied times, and `@every 7d`);
#   3. the API under load: 4 runs of sleep.json executing (limits.max_concurrent_runs: 4), then
#      ROUNDS rounds of N sequential GET /v1/runs (with the token), N GET /healthz, and N GETs of
#      the floor (floor_server.cc: a cpp-httplib server with a fixed body, one request per
#      connection as chaosrund answers), all with the same client (load.cc); requests/s, p50,
#      p99, max; then the 4 runs are aborted and chaosrund gets SIGTERM (it must exit 0).
# Uses $CHAOSRUND or build/bin/chaosrund.
#
#   bench/daemon/run.sh [N [ROUNDS [WINDOW]]]    defaults 2000 requests, 3 rounds, 10 s
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
n="${1:-2000}"
rounds="${2:-3}"
window="${3:-10}"
chaosrund="${CHAOSRUND:-$root/build/bin/chaosrund}"
[[ -x "$chaosrund" ]] || { echo "run.sh: no chaosrund at $chaosrund (build it, or set CHAOSRUND)" >&2; exit 1; }
for v in "$n" "$rounds" "$window"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: N, ROUNDS and WINDOW must be positive integers" >&2; exit 2; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do [[ -n "$p" ]] && kill "$p" 2> /dev/null; done; true
  rm -rf "$work"
}
trap cleanup EXIT
g++ -O2 -std=c++17 -o "$work/load" "$here/load.cc"
read -ra httplib < <(pkg-config --cflags --libs cpp-httplib)
g++ -O2 -std=c++17 -o "$work/floor" "$here/floor_server.cc" "${httplib[@]}" -lpthread
read -ra daemonlibs < <(pkg-config --cflags --libs cpp-httplib libsystemd yaml-cpp spdlog)
g++ -O2 -std=c++17 -o "$work/floor_daemon" "$here/floor_daemon.cc" "${daemonlibs[@]}" -lcctz -lpthread
mkdir -p "$work/experiments"
cp "$here/sleep.json" "$work/experiments/sleep.json"
token="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
(umask 077 && printf '%s\n' "$token" > "$work/token")
hz="$(getconf CLK_TCK)"
api() { python3 "$here/api.py" "$port" "$token" "$@"; }

write_config() {  # FILE SCHEDULES
  {
    echo "listen: 127.0.0.1:0"
    echo "token_file: $work/token"
    echo "state_dir: $work/state-$2"
    echo "experiments_dir: $work/experiments"
    echo "installed_drivers: false"
    echo "limits: {max_concurrent_runs: 4, queue_size: 16}"
    echo "schedules:"
    for ((i = 0; i < $2; i++)); do
      if ((i % 2)); then
        echo "  - {name: drill-$i, experiment: sleep, cron: \"$((i % 60)) $((i / 60 % 24)) 1 1 *\"}"
      else
        echo "  - {name: drill-$i, experiment: sleep, cron: \"@every 7d\", paused: false}"
      fi
    done
  } > "$1"
}

start_daemon() {  # CONFIG: sets pid, port
  "$chaosrund" --config "$1" > "$work/out" 2> "$work/err" &
  pid=$!
  pids+=("$pid")
  local i
  for ((i = 0; i < 300; i++)); do  # poll for the address line, capped at 30 s
    if grep -q '^listening on ' "$work/out" 2> /dev/null; then break; fi
    kill -0 "$pid" 2> /dev/null || { echo "run.sh: chaosrund exited:" >&2; cat "$work/err" >&2; exit 1; }
    sleep 0.1
  done
  port="$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/out")"
  [[ -n "$port" ]] || { echo "run.sh: chaosrund printed no address" >&2; exit 1; }
  api GET /healthz > /dev/null
}

stop_daemon() {  # SIGTERM, wait, check exit 0
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pids=("${pids[@]/$pid/}")
  [[ $rc -eq 0 ]] || { echo "run.sh: chaosrund exited $rc after SIGTERM" >&2; cat "$work/err" >&2; exit 1; }
  echo "  SIGTERM: chaosrund exited 0"
}

cpu_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }'; }
ticks() { awk '{ print $14 + $15 }' /proc/"$pid"/stat; }
wakeups() { cat /proc/"$pid"/task/*/status | awk '/^voluntary_ctxt_switches/ { s += $2 } END { print s }'; }

idle() {  # LABEL
  local rss anon pss threads c0 t0 w0 c1 t1 w1
  rss="$(awk '/^VmRSS/ { printf "%.2f", $2 / 1024 }' /proc/"$pid"/status)"
  anon="$(awk '/^RssAnon/ { printf "%.2f", $2 / 1024 }' /proc/"$pid"/status)"
  pss="$(awk '/^Pss:/ { printf "%.2f", $2 / 1024 }' /proc/"$pid"/smaps_rollup)"
  threads="$(awk '/^Threads/ { print $2 }' /proc/"$pid"/status)"
  c0="$(cpu_ns)"; t0="$(ticks)"; w0="$(wakeups)"
  sleep "$window"
  c1="$(cpu_ns)"; t1="$(ticks)"; w1="$(wakeups)"
  awk -v l="$1" -v r="$rss" -v th="$threads" -v c="$((c1 - c0))" -v t="$((t1 - t0))" \
      -v w="$((w1 - w0))" -v a="$anon" -v p="$pss" -v s="$window" -v hz="$hz" 'BEGIN {
    printf "%-16s RSS %6s MiB (anon %s, PSS %s)   threads %3s   CPU %.4f %% (%.2f ms in %d s; %d ticks)   wake-ups %.1f/s\n",
      l, r, a, p, th, c / 1e9 / s * 100, c / 1e6, s, t, w / s }'
}

echo "chaosrund: $chaosrund; N $n, rounds $rounds, idle window $window s; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# 0: the idle floors, same libraries, same machine, same moment: floor_server.cc (a bare cpp-httplib
# server on Debian's .so) and floor_daemon.cc (that server + a YAML config read + a time zone +
# spdlog + sd_notify + a waiting scheduler thread: what an idle chaosrund cannot avoid).
floor_rss() {  # LABEL PROGRAM ARGS...: the program prints its port when it serves
  local label="$1" out="$work/floor-rss.out" fpid rss anon
  shift
  : > "$out"
  "$@" > "$out" 2> /dev/null &
  fpid=$!
  pids+=("$fpid")
  for ((i = 0; i < 100; i++)); do [[ -s "$out" ]] && break; sleep 0.1; done
  [[ -s "$out" ]] || { echo "run.sh: $label did not start" >&2; exit 1; }
  rss="$(awk '/^VmRSS/ { printf "%.2f", $2 / 1024 }' /proc/"$fpid"/status)"
  anon="$(awk '/^RssAnon/ { printf "%.2f", $2 / 1024 }' /proc/"$fpid"/status)"
  kill "$fpid"; wait "$fpid" 2> /dev/null || true
  pids=("${pids[@]/$fpid/}")
  printf '%-16s RSS %6s MiB (anon %s)\n' "$label" "$rss" "$anon"
  floor_mib="$rss"
}
write_config "$work/config-floor.yaml" 2
floor_rss "floor (httplib)" "$work/floor"
floor_rss "floor (daemon)" "$work/floor_daemon" "$work/config-floor.yaml"
daemon_floor_mib="$floor_mib"

# 1 and 2: idle with 2, then 1,000 schedules
for count in 2 1000; do
  write_config "$work/config-$count.yaml" "$count"
  start_daemon "$work/config-$count.yaml"
  idle "$count schedules"
  awk -v r="$(awk '/^VmRSS/ { print $2 / 1024 }' /proc/"$pid"/status)" -v f="$daemon_floor_mib" \
    'BEGIN { printf "  %.2f x the daemon floor (%.2f MiB)\n", r / f, f }'
  [[ $count -eq 1000 ]] && echo "  $(api GET /v1/schedules | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["schedules"]))') schedules listed"
  stop_daemon
done

# 3: the API while 4 runs execute
start_daemon "$work/config-2.yaml"
ids=()
for ((i = 0; i < 4; i++)); do
  ids+=("$(api POST /v1/runs '{"experiment": "sleep"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')")
done
running() { api GET '/v1/runs?outcome=running' | python3 -c 'import json, sys; print(json.load(sys.stdin)["total"])'; }
for ((i = 0; i < 300; i++)); do  # capped at about 30 s
  [[ "$(running)" -eq 4 ]] && break
  sleep 0.1
done
[[ "$(running)" -eq 4 ]] || { echo "run.sh: 4 runs never ran at once" >&2; exit 1; }
"$work/floor" > "$work/floor.port" &
pids+=("$!")
for ((i = 0; i < 100; i++)); do [[ -s "$work/floor.port" ]] && break; sleep 0.1; done
fport="$(cat "$work/floor.port")"
"$work/load" "$port" /healthz 200 > /dev/null  # warm-up
"$work/load" "$fport" / 200 > /dev/null
: > "$work/runs.txt"; : > "$work/healthz.txt"; : > "$work/floorlat.txt"
for ((r = 0; r < rounds; r++)); do
  "$work/load" "$fport" / "$n" >> "$work/floorlat.txt"
  "$work/load" "$port" /v1/runs "$n" "$token" >> "$work/runs.txt"
  "$work/load" "$port" /healthz "$n" >> "$work/healthz.txt"
done
still="$(running)"
echo "API, $n sequential requests x $rounds rounds, while $still runs execute (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
for name in floorlat runs healthz; do
  case $name in
    floorlat) label="floor (cpp-httplib)" ;;
    runs) label="GET /v1/runs" ;;
    healthz) label="GET /healthz" ;;
  esac
  while read -r rps p50 p99 max; do
    printf '  %-20s %7s req/s   p50 %7s ms   p99 %7s ms   max %8s ms\n' "$label" "$rps" "$p50" "$p99" "$max"
  done < "$work/$name.txt"
done
[[ "$still" -eq 4 ]] || { echo "run.sh: only $still runs were still running after the load" >&2; exit 1; }
for id in "${ids[@]}"; do api POST "/v1/runs/$id/abort" > /dev/null; done
stop_daemon
