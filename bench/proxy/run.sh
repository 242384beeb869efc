#!/usr/bin/env bash
# Fault proxy benchmark: chaosrun's TCP proxy (`chaosrun proxy serve`, configured through its
# Toxiproxy-compatible API) against direct loopback, socat, haproxy and, when a toxiproxy-server
# binary is at hand, Toxiproxy itself, all in the same run, all in front of the same nginx
# upstream. Prints a Markdown table with the issue's targets and the ratios to Toxiproxy (measured
# in the run, or the issue's quoted figures when there is no Toxiproxy binary).
#
#   bench/proxy/run.sh            full run (~4-5 minutes on 2 vCPUs, ~6 with Toxiproxy)
#   bench/proxy/run.sh --quick    smaller sizes, a smoke check (~1 minute)
#   CHAOSRUN=/path/to/chaosrun bench/proxy/run.sh
#   KEEP=1 bench/proxy/run.sh     keep the work directory (configs, raw tool output, logs)
#   CHAOSRUN_SERVE_ARGS='...'     extra arguments for `chaosrun proxy serve`
#   TOXIPROXY=/path/to/toxiproxy-server   (default: toxiproxy-server on the PATH, if any;
#                                 bench/proxy/build-toxiproxy.sh builds one from its source)
#
# Installs nothing: it checks for its tools and says how to install them. Builds nothing of
# chaosrun (uses $CHAOSRUN or build/bin/chaosrun; without it the chaosrun column says why).
# Compiles its measuring client (bench/proxy/*.cc) with g++ -O2 into a temporary directory.
# See bench/proxy/README.md for what each number means.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$(dirname "$here")")"
chaosrun="${CHAOSRUN:-$root/build/bin/chaosrun}"
toxiproxy="$(command -v "${TOXIPROXY:-toxiproxy-server}" || true)" # a path, or a name on the PATH
quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg' (--quick, --help)" >&2; exit 2 ;;
  esac
done

missing=()
for tool in wrk nginx socat haproxy curl taskset g++; do
  command -v "$tool" > /dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "run.sh: missing: ${missing[*]}" >&2
  echo "  install with: scripts/setup.sh --bench (or apt-get install -y wrk nginx-light socat haproxy curl util-linux g++)" >&2
  echo "  (nginx-light or nginx; the benchmark starts its own instances, not the services)" >&2
  exit 1
fi

if ((quick)); then
  lat1_n=2000 lat64_n=6400 setup_n=200 bulk_mib=128 bulk_rounds=1 idle_n=1000 toxic_n=20 wrk_s=1
else
  lat1_n=20000 lat64_n=64000 setup_n=2000 bulk_mib=1024 bulk_rounds=3 idle_n=10000 toxic_n=200 wrk_s=5
fi
toxic_ms=100

# Idle connections: a proxy holds two descriptors per connection; raise the soft limit to the
# hard one and hold as many as fit (results are scaled to 10,000 and say so).
ulimit -n "$(ulimit -Hn)" 2> /dev/null || true
fd_limit="$(ulimit -n)"
if [[ "$fd_limit" != unlimited ]] && ((idle_n > (fd_limit - 300) / 2)); then
  idle_n=$(((fd_limit - 300) / 2))
fi
idle_socat_n=$((idle_n < 1000 ? idle_n : 1000)) # socat forks a process per connection

work="$(mktemp -d /tmp/proxybench.XXXXXX)"
chmod 755 "$work"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
  if [[ "${KEEP:-0}" == 1 ]]; then echo "run.sh: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "compiling the client"
pb="$work/proxybench"
g++ -O2 -std=c++20 -pthread -o "$pb" "$here"/main.cc "$here"/latency.cc "$here"/setup.cc \
  "$here"/bulk.cc "$here"/idle.cc "$here"/relay.cc
client=(taskset -c 0 "$pb") # the measuring client is pinned to CPU 0

port_up() { # port_up PORT: true once something accepts on 127.0.0.1:PORT (up to 5 s)
  local i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
    sleep 0.05
  done
  return 1
}
wait_port() { # wait_port PORT NAME: port_up, or the run stops here
  port_up "$1" && return 0
  echo "run.sh: $2 is not listening on port $1 (logs in $work)" >&2
  KEEP=1
  exit 1
}

# --- upstream: nginx, one process, a small answer and a large file --------------------------
p_nginx="$("$pb" freeport)"
mkdir -p "$work/www" "$work/nginx-tmp"
chmod 755 "$work/www"
truncate -s "${bulk_mib}M" "$work/www/big"
chmod 644 "$work/www/big"
cat "$work/www/big" > /dev/null # into the page cache, so that no target pays for the first read
cat > "$work/nginx.conf" << EOF
daemon off;
master_process off;
worker_rlimit_nofile $fd_limit;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections $((fd_limit - 100)); multi_accept on; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  keepalive_timeout 600s;
  client_header_timeout 600s;
  client_body_temp_path $work/nginx-tmp/body;
  proxy_temp_path $work/nginx-tmp/proxy;
  fastcgi_temp_path $work/nginx-tmp/fastcgi;
  uwsgi_temp_path $work/nginx-tmp/uwsgi;
  scgi_temp_path $work/nginx-tmp/scgi;
  server {
    listen 127.0.0.1:$p_nginx backlog=4096;
    root $work/www;
    location = /s { default_type text/plain; return 200 "chaosrun proxy benchmark: a small answer of about one hundred bytes......\n"; }
  }
}
EOF
nginx -e "$work/nginx-error.log" -p "$work" -c "$work/nginx.conf" &
pid_nginx=$!
pids+=("$pid_nginx")
wait_port "$p_nginx" nginx

# --- socat: fork per connection, TCP_NODELAY both ways --------------------------------------
p_socat="$("$pb" freeport)"
socat "TCP-LISTEN:$p_socat,bind=127.0.0.1,reuseaddr,fork,backlog=4096,nodelay" \
  "TCP:127.0.0.1:$p_nginx,nodelay" 2> "$work/socat.log" &
pid_socat=$!
pids+=("$pid_socat")
wait_port "$p_socat" socat

# --- haproxy: tcp mode, one thread (like chaosrun's default event loop) ----------------------
p_haproxy="$("$pb" freeport)"
hap_maxconn=$((idle_n + 50)) # above maxconn haproxy stops accepting: the idle test would stall
cat > "$work/haproxy.cfg" << EOF
global
  maxconn $hap_maxconn
  nbthread 1
defaults
  mode tcp
  maxconn $hap_maxconn
  timeout connect 5s
  timeout client 600s
  timeout server 600s
frontend bench
  bind 127.0.0.1:$p_haproxy
  default_backend nginx
backend nginx
  server nginx 127.0.0.1:$p_nginx
EOF
haproxy -db -f "$work/haproxy.cfg" > "$work/haproxy.log" 2>&1 &
pid_haproxy=$!
pids+=("$pid_haproxy")
wait_port "$p_haproxy" haproxy

# --- the two Toxiproxy API servers: proxy `bench` and proxy `bench_toxic` (100 ms latency) ---
api_post() { # api_post PATH JSON
  curl -sS -f -m 5 -X POST -H 'Content-Type: application/json' -d "$2" "$api$1" \
    >> "$work/api.log" 2>&1
}
add_bench_proxies() { # add_bench_proxies PORT TOXIC_PORT: the same two proxies on either server
  api_post /proxies "{\"name\":\"bench\",\"listen\":\"127.0.0.1:$1\",\"upstream\":\"127.0.0.1:$p_nginx\",\"enabled\":true}" &&
    api_post /proxies "{\"name\":\"bench_toxic\",\"listen\":\"127.0.0.1:$2\",\"upstream\":\"127.0.0.1:$p_nginx\",\"enabled\":true}" &&
    api_post /proxies/bench_toxic/toxics "{\"type\":\"latency\",\"stream\":\"downstream\",\"attributes\":{\"latency\":$toxic_ms,\"jitter\":0}}"
}

# Toxiproxy, when there is a binary: measured like the others (its own defaults, one process).
toxiproxy_note="no toxiproxy-server binary (TOXIPROXY=…; bench/proxy/build-toxiproxy.sh builds one)"
p_toxiproxy="" p_ttoxic="" pid_toxiproxy=""
if [[ -n "$toxiproxy" && -x "$toxiproxy" ]]; then
  p_tapi="$("$pb" freeport)"
  "$toxiproxy" -host 127.0.0.1 -port "$p_tapi" > "$work/toxiproxy.log" 2>&1 &
  pid_toxiproxy=$!
  pids+=("$pid_toxiproxy")
  wait_port "$p_tapi" "toxiproxy-server (API)"
  api="http://127.0.0.1:$p_tapi"
  p_toxiproxy="$("$pb" freeport)" p_ttoxic="$("$pb" freeport)"
  if add_bench_proxies "$p_toxiproxy" "$p_ttoxic"; then
    wait_port "$p_toxiproxy" "toxiproxy proxy"
    toxiproxy_note=""
  else
    toxiproxy_note="toxiproxy-server refused the set-up: $(tail -c 300 "$work/api.log" | tr '\n' ' ')"
    p_toxiproxy="" p_ttoxic=""
  fi
fi

# --- chaosrun proxy serve, configured through its API ----------------------------------------
chaosrun_note=""
p_chaosrun="" p_toxic="" pid_chaosrun=""
start_chaosrun() {
  if [[ ! -x "$chaosrun" ]]; then
    chaosrun_note="no chaosrun binary at $chaosrun"
    return 1
  fi
  local p_api i
  p_api="$("$pb" freeport)"
  # shellcheck disable=SC2086 # CHAOSRUN_SERVE_ARGS is a list of words
  "$chaosrun" proxy serve --api "127.0.0.1:$p_api" ${CHAOSRUN_SERVE_ARGS:-} \
    > "$work/chaosrun.out" 2> "$work/chaosrun.err" &
  pid_chaosrun=$!
  pids+=("$pid_chaosrun")
  for ((i = 0; i < 100; i++)); do
    grep -q 'API listening' "$work/chaosrun.out" 2> /dev/null && break
    if ! kill -0 "$pid_chaosrun" 2> /dev/null; then break; fi
    sleep 0.05
  done
  if ! grep -q 'API listening' "$work/chaosrun.out" 2> /dev/null; then
    chaosrun_note="'chaosrun proxy serve' did not start: $(head -c 200 "$work/chaosrun.err" | tr '\n' ' ')"
    return 1
  fi
  api="http://127.0.0.1:$p_api"
  p_chaosrun="$("$pb" freeport)"
  p_toxic="$("$pb" freeport)"
  if ! add_bench_proxies "$p_chaosrun" "$p_toxic"; then
    chaosrun_note="the proxy API refused the set-up: $(tail -c 300 "$work/api.log" | tr '\n' ' ')"
    return 1
  fi
  wait_port "$p_chaosrun" "chaosrun proxy"
  wait_port "$p_toxic" "chaosrun proxy (toxic)"
}
names=(direct socat haproxy)
[[ -n "$p_toxiproxy" ]] && names+=(toxiproxy)
if start_chaosrun; then names+=(chaosrun); else log "chaosrun: $chaosrun_note"; fi

# Two more chaosrun instances, measured in the latency runs only, next to the default
# configuration (--busy-poll auto: it polls 50 µs after work while no task waits for a CPU):
# --busy-poll $busy_us (polls always) and --busy-poll 0 (never polls).
busy_us="${BUSY_POLL_US:-50}"
start_variant() { # start_variant TAG BUSY-POLL: sets v_port and v_pid (v_port empty: failed)
  local p_api p_proxy pid_v
  v_port="" v_pid=""
  p_api="$("$pb" freeport)" p_proxy="$("$pb" freeport)"
  # shellcheck disable=SC2086 # CHAOSRUN_SERVE_ARGS is a list of words
  "$chaosrun" proxy serve --api "127.0.0.1:$p_api" ${CHAOSRUN_SERVE_ARGS:-} --busy-poll "$2" \
    > "$work/chaosrun-$1.out" 2> "$work/chaosrun-$1.err" &
  pid_v=$!
  pids+=("$pid_v")
  port_up "$p_api" || { log "chaosrun --busy-poll $2 did not start (rows left empty)"; return 0; }
  curl -sS -f -m 5 -X POST -H 'Content-Type: application/json' \
    -d "{\"name\":\"bench\",\"listen\":\"127.0.0.1:$p_proxy\",\"upstream\":\"127.0.0.1:$p_nginx\"}" \
    "http://127.0.0.1:$p_api/proxies" >> "$work/api.log" 2>&1 || return 0
  port_up "$p_proxy" || return 0
  v_port="$p_proxy" v_pid="$pid_v"
}
p_bp="" pid_bp="" p_np="" pid_np=""
if [[ -n "$p_chaosrun" ]]; then
  start_variant bp "$busy_us"
  p_bp="$v_port" pid_bp="$v_pid"
  start_variant np 0
  p_np="$v_port" pid_np="$v_pid"
fi

# The floor of any user-space relay (relay.cc): measured in the latency runs only, both ways.
p_relay="$("$pb" freeport)" p_relay_bp="$("$pb" freeport)"
"$pb" relay --listen "$p_relay" --upstream "$p_nginx" &
pid_relay=$!
pids+=("$pid_relay")
"$pb" relay --listen "$p_relay_bp" --upstream "$p_nginx" --busy-poll-us "$busy_us" &
pid_relay_bp=$!
pids+=("$pid_relay_bp")
wait_port "$p_relay" relay
wait_port "$p_relay_bp" "relay (busy-poll)"

declare -A port=([direct]=$p_nginx [socat]=$p_socat [haproxy]=$p_haproxy [chaosrun]=$p_chaosrun
  [toxiproxy]=$p_toxiproxy)
declare -A pid=([direct]=0 [socat]=$pid_socat [haproxy]=$pid_haproxy [chaosrun]=$pid_chaosrun
  [toxiproxy]=$pid_toxiproxy)
targets=()
for n in "${names[@]}"; do targets+=("$n=${port[$n]}:${pid[$n]}"); done

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
started_at=$SECONDS

# --- measurements: each writes "target=NAME key=value..." lines into $work/<measurement> ------
log "latency, 1 connection, $lat1_n round trips per target (interleaved)"
lat_targets=("${targets[@]}")
[[ -n "$p_bp" ]] && lat_targets+=("chaosrun_bp=$p_bp:$pid_bp")
[[ -n "$p_np" ]] && lat_targets+=("chaosrun_np=$p_np:$pid_np")
lat_targets+=("relay=$p_relay:$pid_relay" "relay_bp=$p_relay_bp:$pid_relay_bp")
"${client[@]}" latency --conns 1 --requests "$lat1_n" "${lat_targets[@]}" > "$work/lat1"
log "latency, 64 connections, $lat64_n requests per target (interleaved)"
"${client[@]}" latency --conns 64 --requests "$lat64_n" "${lat_targets[@]}" > "$work/lat64"
log "connection set-up, $setup_n connections per target (interleaved)"
"${client[@]}" setup --connections "$setup_n" "${targets[@]}" > "$work/setup"

log "wrk, ${wrk_s}s per target and connection count"
: > "$work/wrk"
for n in "${names[@]}"; do
  for c in 1 64; do
    cpu0="$("$pb" cpu "${pid[$n]}")"
    taskset -c 0 wrk -t1 -c"$c" -d"${wrk_s}s" --latency "http://127.0.0.1:${port[$n]}/s" \
      > "$work/wrk-$n-$c.txt"
    cpu1="$("$pb" cpu "${pid[$n]}")"
    awk -v n="$n" -v c="$c" -v cpu="$((cpu1 - cpu0))" '
      function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; return v * 1e6 }
      $1 == "50%" { p50 = us($2) } $1 == "99%" { p99 = us($2) }
      / requests in / { reqs = $1 } /^Requests\/sec:/ { rps = $2 }
      END { printf "target=%s conns=%d p50_us=%.1f p99_us=%.1f rps=%.0f cpu_us_per_req=%.2f\n",
                   n, c, p50, p99, rps, (reqs > 0 ? cpu / 1000 / reqs : 0) }' \
      "$work/wrk-$n-$c.txt" >> "$work/wrk"
  done
done

log "bulk, ${bulk_mib} MiB per target, $bulk_rounds rounds (interleaved)"
"$pb" bulk --path /big --rounds "$bulk_rounds" "${targets[@]}" > "$work/bulk"

: > "$work/toxic"
: > "$work/toxicbulk"
: > "$work/cold"
: > "$work/toxic_rt"
: > "$work/cold_rt"
tox_targets=() cold_targets=("direct=$p_nginx:0") rt_pids=("$pid_nginx")
if [[ -n "$p_toxic" ]]; then
  tox_targets+=("toxic=$p_toxic:$pid_chaosrun")
  cold_targets+=("chaosrun=$p_chaosrun:$pid_chaosrun")
  rt_pids+=("$pid_chaosrun")
fi
if [[ -n "$p_ttoxic" ]]; then
  tox_targets+=("toxiproxy_toxic=$p_ttoxic:$pid_toxiproxy")
  cold_targets+=("toxiproxy=$p_toxiproxy:$pid_toxiproxy")
  rt_pids+=("$pid_toxiproxy")
fi
if ((${#tox_targets[@]})); then
  tox_block=$((${#tox_targets[@]} > 1 ? 20 : toxic_n)) # two proxies: interleaved, 20 at a time
  log "${toxic_ms} ms latency toxic, $toxic_n round trips per proxy"
  "${client[@]}" latency --conns 1 --requests "$toxic_n" --block "$tox_block" --warmup 2 \
    --timer-floor-ms "$toxic_ms" "${tox_targets[@]}" > "$work/toxic"
  log "round trips after ${toxic_ms} ms idle, no toxic, $((toxic_n / 2)) per target (interleaved)"
  "${client[@]}" latency --conns 1 --requests $((toxic_n / 2)) --block 10 --warmup 2 \
    --pause-ms "$toxic_ms" "${cold_targets[@]}" > "$work/cold"
  # The same two measurements with the client, nginx and the proxies at real-time priority, so
  # the other tenants' CPU load cannot delay a wake-up: what is left is the proxy's own accuracy.
  # (Little CPU is used: one request per 100 ms. Priorities are restored right after.)
  if [[ "$(id -u)" == 0 ]] && command -v chrt > /dev/null; then
    log "the same at SCHED_FIFO priority (client, nginx, proxies)"
    rt_ok=1
    for p in "${rt_pids[@]}"; do chrt -a -f -p 10 "$p" > /dev/null || rt_ok=0; done
    if ! ((rt_ok)) || ! { chrt -f 10 "${client[@]}" latency --conns 1 --requests "$toxic_n" \
      --block "$tox_block" --warmup 2 "${tox_targets[@]}" > "$work/toxic_rt" &&
      chrt -f 10 "${client[@]}" latency --conns 1 --requests $((toxic_n / 2)) --block 10 \
        --warmup 2 --pause-ms "$toxic_ms" "${cold_targets[@]}" > "$work/cold_rt"; }; then
      log "the real-time run failed (its rows stay empty)"
    fi
    for p in "${rt_pids[@]}"; do chrt -a -o -p 0 "$p" > /dev/null || true; done
  fi
  for t in "${tox_targets[@]}"; do
    log "bulk under the toxic, ${t%%=*} (at most 5 s)"
    "$pb" bulk --path /big --max-seconds 5 "$t" >> "$work/toxicbulk"
  done
fi

log "idle connections: $idle_n per proxy ($idle_socat_n for socat)"
: > "$work/idle"
for n in "${names[@]}"; do
  [[ "$n" == direct ]] && continue
  count=$idle_n
  [[ "$n" == socat ]] && count=$idle_socat_n
  "$pb" idle --conns "$count" "$n=${port[$n]}:${pid[$n]}" >> "$work/idle"
  sleep 1
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
elapsed=$((SECONDS - started_at))

# --- the table --------------------------------------------------------------------------------
# v FILE TARGET KEY [CONNS]: a value from a tool's output, or empty.
v() {
  awk -v t="$2" -v k="$3" -v c="${4:-}" '{
      ok = 0; val = ""
      for (i = 1; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "target" && kv[2] == t) ok = 1
        if (kv[1] == "conns" && c != "" && kv[2] != c) ok = -1000
        if (kv[1] == k) val = kv[2]
      }
      if (ok == 1 && val != "") { print val; exit }
    }' "$work/$1"
}
# calc EXPR with a b c...: awk arithmetic on the given values; empty when an input is empty.
calc() {
  local expr="$1" x
  shift
  for x in "$@"; do [[ -z "$x" ]] && return 0; done
  awk -v a="${1:-0}" -v b="${2:-0}" -v c="${3:-0}" -v d="${4:-0}" "BEGIN { $expr }"
}
cell() { [[ -n "$1" ]] && printf '%s' "$1" || printf 'n/a'; }
row() { # row LABEL KEY-FROM-FN REF RATIO TARGET STATUS
  local fn="$2" ref="$3" ratio="$4" tgt="$5" status="$6" n out="| $1 |"
  for n in direct socat haproxy toxiproxy chaosrun; do out+=" $(cell "$($fn "$n")") |"; done
  printf '%s %s | %s | %s | %s |\n' "$out" "$ref" "$(cell "$ratio")" "$tgt" "$status"
}
met() { # met CONDITION-EXPR a b...: "met" / "**missed**" / "n/a"
  local r
  r="$(calc "print ($1) ? \"met\" : \"**missed**\"" "${@:2}")"
  printf '%s' "${r:-n/a}"
}
f1() { calc 'printf "%.1f", a' "$1"; }
f2() { calc 'printf "%.2f", a' "$1"; }
mib() { calc 'printf "%.1f", a / 1024' "$1"; }

d1="$(v lat1 direct p50_us)"
d64="$(v lat64 direct p50_us)"
dw1="$(v wrk direct p50_us 1)"
lat1_p50() { f1 "$(v lat1 "$1" p50_us)"; }
lat1_p99() { f1 "$(v lat1 "$1" p99_us)"; }
lat1_add() { [[ "$1" == direct ]] || calc 'printf "%+.1f", a - b' "$(v lat1 "$1" p50_us)" "$d1"; }
lat64_p50() { f1 "$(v lat64 "$1" p50_us)"; }
lat64_p99() { f1 "$(v lat64 "$1" p99_us)"; }
lat64_add() { [[ "$1" == direct ]] || calc 'printf "%+.1f", a - b' "$(v lat64 "$1" p50_us)" "$d64"; }
wrk1_p50() { calc 'printf "%.3f", a / 1000' "$(v wrk "$1" p50_us 1)"; }
wrk1_add() { [[ "$1" == direct ]] || calc 'printf "%+.1f", a - b' "$(v wrk "$1" p50_us 1)" "$dw1"; }
wrk64_rps() { calc 'printf "%.0f", a' "$(v wrk "$1" rps 64)"; }
wrk64_p99() { calc 'printf "%.3f", a / 1000' "$(v wrk "$1" p99_us 64)"; }
cpu_req() { [[ "$1" == direct ]] || f2 "$(v lat64 "$1" cpu_us_per_req)"; }
cpu_req1() { [[ "$1" == direct ]] || f2 "$(v lat1 "$1" cpu_us_per_req)"; }
cpu_wrk() { [[ "$1" == direct ]] || f2 "$(v wrk "$1" cpu_us_per_req 64)"; }
bulk_mbs() { calc 'printf "%.0f", a' "$(v bulk "$1" mb_per_s)"; }
bulk_busy() { calc 'printf "%.0f", a' "$(v bulk "$1" machine_busy_pct)"; }
cpu_gb() { [[ "$1" == direct ]] || calc 'printf "%.0f", a' "$(v bulk "$1" cpu_ms_per_gb)"; }
setup_p50() { calc 'printf "%.3f", a / 1000' "$(v setup "$1" first_byte_p50_us)"; }
setup_cpu() { [[ "$1" == direct ]] || f2 "$(v setup "$1" cpu_us_per_conn)"; }
mem_load() { [[ "$1" == direct ]] || mib "$(v lat64 "$1" mem_kib)"; }
mem_bulk() { [[ "$1" == direct ]] || mib "$(v bulk "$1" mem_kib)"; }
idle_mem() { # memory scaled to 10,000 connections: before + growth per connection x 10,000
  [[ "$1" == direct ]] && return 0
  local failed
  failed="$(v idle "$1" failed)"
  if [[ -n "$failed" && "$failed" != none ]]; then
    printf '%s failed after %s conns' "$failed" "$(v idle "$1" conns)"
    return 0
  fi
  calc 'printf "%.1f", (a + (b - a) * 10000 / c) / 1024' \
    "$(v idle "$1" before_kib)" "$(v idle "$1" after_kib)" "$(v idle "$1" conns)"
}
idle_per() { [[ "$1" == direct ]] || calc 'printf "%.0f", a / 1024' "$(v idle "$1" bytes_per_conn)"; }

cr() { "$1" chaosrun; } # chaosrun's cell of a row, for the ratios and targets
hap() { "$1" haproxy; }
tp() { "$1" toxiproxy; } # Toxiproxy's cell when it was measured, else empty
# vs_tox FN QUOTED: chaosrun / Toxiproxy, against the measured figure, else the quoted one.
vs_tox() {
  local m
  m="$(tp "$1")"
  if [[ -n "$m" ]]; then
    calc 'if (b != 0) printf "%.2f×", a / b' "$(cr "$1")" "$m"
  else
    calc 'if (b != 0) printf "%.2f× (quoted)", a / b' "$(cr "$1")" "$2"
  fi
}
tox_ref() { local m; m="$(tp "$1")"; printf '%s' "${m:-$2}"; } # measured, else quoted
ms_err() { # ms_err FILE TARGET KEY: measured − requested (ms)
  calc 'printf "%+.2f", (a - b * 1000) / 1000' "$(v "$1" "$2" "$3")" "$toxic_ms"
}
own_err() { # own_err TOXIC-FILE COLD-FILE TOXIC-TARGET COLD-TARGET: minus the cold round trip
  calc 'printf "%+.2f", (a - b * 1000 - c) / 1000' "$(v "$1" "$3" p50_us)" "$toxic_ms" \
    "$(v "$2" "$4" p50_us)"
}
ms2() { calc 'printf "%.2f", a / 1000' "$1"; }
cold() { # cold FILE TARGET: p50 / p99 (ms) of a round trip after the idle pause
  local a b
  a="$(ms2 "$(v "$1" "$2" p50_us)")" b="$(ms2 "$(v "$1" "$2" p99_us)")"
  [[ -n "$a" ]] && printf '%s / %s' "$a" "$b"
}
tox_p99="$(ms_err toxic toxic p99_us)"
tox_min="$(ms_err toxic toxic min_us)"
tox_rt_p99="$(ms_err toxic_rt toxic p99_us)"
tox_rt_min="$(ms_err toxic_rt toxic min_us)"
tx_toxic() { # the Toxiproxy cell of a toxic row: "p50 / p99" of FILE, or empty
  local a b
  a="$(ms_err "$1" toxiproxy_toxic p50_us)" b="$(ms_err "$1" toxiproxy_toxic p99_us)"
  [[ -n "$a" ]] && printf '%s / %s' "$a" "$b"
}
tox_ratio() { # chaosrun / Toxiproxy of |error| at p99, measured or quoted
  local m
  m="$(ms_err "$1" toxiproxy_toxic p99_us)"
  if [[ -n "$m" ]]; then
    calc 'if (b != 0) printf "%.2f× at p99", (a < 0 ? -a : a) / (b < 0 ? -b : b)' \
      "$(ms_err "$1" toxic p99_us)" "$m"
  else
    calc 'printf "%.2f× at p99 (quoted)", (a < 0 ? -a : a) / 1.3' "$(ms_err "$1" toxic p99_us)"
  fi
}
floor_p50="$(ms2 "$(v toxic toxic floor_p50_us)")"
floor_p99="$(ms2 "$(v toxic toxic floor_p99_us)")"
[[ -z "$floor_p50" ]] && floor_p50="$(ms2 "$(v toxic toxiproxy_toxic floor_p50_us)")"
[[ -z "$floor_p99" ]] && floor_p99="$(ms2 "$(v toxic toxiproxy_toxic floor_p99_us)")"
tox_bulk() { calc 'printf "%.0f", a' "$(v toxicbulk "$1" mb_per_s)"; }
add_tox="$(tp lat1_add)" # Toxiproxy's added p50 (measured), else the quoted +25
add_ref="${add_tox:-25}"
add_target="< 30 µs and ≤ 0.7× Toxiproxy ($(calc 'printf "%.1f", a * 0.7' "$add_ref"))"

echo
echo "## Fault proxy benchmark ($(date -u +%Y-%m-%d), bench/proxy/run.sh$( ((quick)) && echo ' --quick'))"
echo
echo "Machine: $(nproc) vCPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r);" \
  "load average $load_start at the start, $load_end at the end; measurements took ${elapsed}s."
echo "Upstream nginx $(nginx -v 2>&1 | sed 's/.*\///'), one process; socat $(socat -V | sed -n 's/^socat version \([^ ]*\).*/\1/p') (fork," \
  "nodelay); haproxy $(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p') (mode tcp, nbthread 1); $("$chaosrun" --version 2> /dev/null | head -1 || true)."
if [[ -n "$toxiproxy_note" ]]; then
  echo "Toxiproxy not measured: $toxiproxy_note. Its column is empty and the ratios use the" \
    "figures quoted in issue 4 (same kind of machine, wrk and curl)."
else
  echo "Toxiproxy: $("$toxiproxy" --version 2>&1 | head -1) ($toxiproxy), its defaults, measured like the others."
fi
echo "Client pinned to CPU 0 (taskset)."
[[ -n "$chaosrun_note" ]] && echo "**chaosrun not measured:** $chaosrun_note"
echo
echo "| measurement | direct | socat | haproxy | Toxiproxy | chaosrun | Toxiproxy 2.12, issue 4 (quoted) | chaosrun / Toxiproxy | target | status |"
echo "|---|---|---|---|---|---|---|---|---|---|"
row "latency p50, 1 conn, ping-pong (µs)" lat1_p50 "" "" "" ""
row "added p50 vs direct, 1 conn, ping-pong (µs)" lat1_add "+25" "$(vs_tox lat1_add 25)" \
  "$add_target" "$(met 'a < 30 && a <= 0.7 * b' "$(cr lat1_add)" "$add_ref")"
row "latency p99, 1 conn, ping-pong (µs)" lat1_p99 "" "" "" ""
row "latency p50, 64 conns (µs)" lat64_p50 "" "" "" ""
row "added p50 vs direct, 64 conns (µs)" lat64_add "" "$(vs_tox lat64_add "")" "" ""
row "latency p99, 64 conns (µs)" lat64_p99 "" "" "" ""
row "wrk p50, 1 conn (ms) ⁴" wrk1_p50 "0.149 (direct 0.098)" "" "" ""
row "wrk added p50 vs direct, 1 conn (µs)" wrk1_add "+51" "$(vs_tox wrk1_add 51)" "" ""
row "wrk requests/s, 64 conns" wrk64_rps "" "$(vs_tox wrk64_rps "")" "" ""
row "wrk p99, 64 conns (ms)" wrk64_p99 "" "" "" ""
row "bulk ${bulk_mib} MiB (MB/s)" bulk_mbs "675 (direct 1659, haproxy 833, socat 631)" \
  "$(vs_tox bulk_mbs 675)" "≥ 1000, > haproxy, ≥ 1.5× Toxiproxy" \
  "$(met 'a >= 1000 && a > b && a >= 1.5 * c' "$(cr bulk_mbs)" "$(hap bulk_mbs)" "$(tox_ref bulk_mbs 675)")"
row "whole machine busy during bulk, all processes (%)" bulk_busy "" "" "" ""
row "proxy CPU per request, 64 conns (µs)" cpu_req "24 (haproxy 17)" "$(vs_tox cpu_req 24)" \
  "≤ haproxy" "$(met 'a <= b' "$(cr cpu_req)" "$(hap cpu_req)")"
row "proxy CPU per request, 1 conn (µs)" cpu_req1 "" "$(vs_tox cpu_req1 "")" "" ""
row "proxy CPU per request, wrk 64 conns (µs)" cpu_wrk "24 (haproxy 17)" "$(vs_tox cpu_wrk 24)" \
  "≤ haproxy" "$(met 'a <= b' "$(cr cpu_wrk)" "$(hap cpu_wrk)")"
row "proxy CPU per GB, bulk (ms)" cpu_gb "" "$(vs_tox cpu_gb "")" "" ""
row "new connection: connect to first byte, p50 (ms)" setup_p50 "0.34 (haproxy 0.23)" \
  "$(vs_tox setup_p50 0.34)" "" ""
row "proxy CPU per new connection (µs)" setup_cpu "" "$(vs_tox setup_cpu "")" "≤ haproxy" \
  "$(met 'a <= b' "$(cr setup_cpu)" "$(hap setup_cpu)")"
row "proxy memory, 64 busy conns (MiB)" mem_load "" "" "" ""
row "proxy memory, during bulk (MiB)" mem_bulk "" "" "" ""
row "proxy memory, 10,000 idle conns (MiB) ¹" idle_mem "" "" "< 64 MiB" \
  "$(met 'a < 64' "$(cr idle_mem)")"
row "memory per idle connection (KiB)" idle_per "" "" "" ""
bp_add="$(lat1_add chaosrun_bp)"
np_add="$(lat1_add chaosrun_np)"
echo "| chaosrun \`--busy-poll 0\` (never polls) ⁵: added p50 vs direct, 1 conn, ping-pong (µs) | | | | | $(cell "$np_add") | +25 | $(cell "$(calc 'printf "%.2f×", a / b' "$np_add" "$add_ref")") | $add_target | $(met 'a < 30 && a <= 0.7 * b' "$np_add" "$add_ref") |"
echo "| chaosrun \`--busy-poll 0\` (never polls) ⁵: proxy CPU per request, 1 conn; 64 conns (µs) | | | $(cell "$(cpu_req1 haproxy)"); $(cell "$(cpu_req haproxy)") | | $(cell "$(cpu_req1 chaosrun_np)"); $(cell "$(cpu_req chaosrun_np)") | | | ≤ haproxy (64 conns) | $(met 'a <= b' "$(cpu_req chaosrun_np)" "$(hap cpu_req)") |"
echo "| chaosrun \`--busy-poll $busy_us\` (always polls) ⁵: added p50 vs direct, 1 conn, ping-pong (µs) | | | | | $(cell "$bp_add") | +25 | $(cell "$(calc 'printf "%.2f×", a / b' "$bp_add" "$add_ref")") | $add_target | $(met 'a < 30 && a <= 0.7 * b' "$bp_add" "$add_ref") |"
echo "| chaosrun \`--busy-poll $busy_us\` (always polls) ⁵: latency p50 / p99, 1 conn; p50 / p99, 64 conns (µs) | | | | | $(cell "$(lat1_p50 chaosrun_bp)") / $(cell "$(lat1_p99 chaosrun_bp)"); $(cell "$(lat64_p50 chaosrun_bp)") / $(cell "$(lat64_p99 chaosrun_bp)") | | | | |"
echo "| chaosrun \`--busy-poll $busy_us\` (always polls) ⁵: proxy CPU per request, 1 conn; 64 conns (µs) | | | $(cell "$(cpu_req1 haproxy)"); $(cell "$(cpu_req haproxy)") | | $(cell "$(cpu_req1 chaosrun_bp)"); $(cell "$(cpu_req chaosrun_bp)") | | | | |"
echo "| the floor: a minimal relay ⁶, added p50 vs direct, 1 conn; 64 conns (µs) | | | | | $(cell "$(lat1_add relay)"); $(cell "$(lat64_add relay)") | | | | |"
echo "| the floor with \`busy-poll $busy_us\` ⁶: added p50 vs direct, 1 conn; 64 conns (µs) | | | | | $(cell "$(lat1_add relay_bp)"); $(cell "$(lat64_add relay_bp)") | | | | |"
echo "| ${toxic_ms} ms latency toxic: measured − requested, p50 / p99 (ms), 1 conn | | | | $(cell "$(tx_toxic toxic)") | $(cell "$(ms_err toxic toxic p50_us)") / $(cell "$tox_p99") | +0.56 / +1.3 | $(cell "$(tox_ratio toxic)") | ±0.5 ms at p99 | $(met 'a <= 0.5 && a >= -0.5 && b >= -0.5' "$tox_p99" "$tox_min") |"
echo "| ${toxic_ms} ms latency toxic: min / p90 / max of measured − requested (ms) | | | | $(cell "$(ms_err toxic toxiproxy_toxic min_us)") / $(cell "$(ms_err toxic toxiproxy_toxic p90_us)") / $(cell "$(ms_err toxic toxiproxy_toxic max_us)") | $(cell "$tox_min") / $(cell "$(ms_err toxic toxic p90_us)") / $(cell "$(ms_err toxic toxic max_us)") | | | | |"
echo "| round trip after ${toxic_ms} ms idle, no toxic: p50 / p99 (ms) ² | $(cell "$(cold cold direct)") | | | $(cell "$(cold cold toxiproxy)") | $(cell "$(cold cold chaosrun)") | | | | |"
echo "| the toxic's own error at p50: measured − requested − that round trip (ms) | | | | $(cell "$(own_err toxic cold toxiproxy_toxic toxiproxy)") | $(cell "$(own_err toxic cold toxic chaosrun)") | | | | |"
echo "| at SCHED_FIFO ³: ${toxic_ms} ms toxic, measured − requested, p50 / p99 (ms) | | | | $(cell "$(tx_toxic toxic_rt)") | $(cell "$(ms_err toxic_rt toxic p50_us)") / $(cell "$tox_rt_p99") | +0.56 / +1.3 | $(cell "$(tox_ratio toxic_rt)") | ±0.5 ms at p99 | $(met 'a <= 0.5 && a >= -0.5 && b >= -0.5' "$tox_rt_p99" "$tox_rt_min") |"
echo "| at SCHED_FIFO ³: round trip after ${toxic_ms} ms idle, no toxic, p50 / p99 (ms); the toxic's own error at p50 | $(cell "$(cold cold_rt direct)") | | | $(cell "$(cold cold_rt toxiproxy)"); $(cell "$(own_err toxic_rt cold_rt toxiproxy_toxic toxiproxy)") | $(cell "$(cold cold_rt chaosrun)"); $(cell "$(own_err toxic_rt cold_rt toxic chaosrun)") | | | | |"
echo "| this machine's timer floor: a ${toxic_ms} ms sleep wakes late by, p50 / p99 (ms) | $(cell "$floor_p50") / $(cell "$floor_p99") | | | | | | | | |"
echo "| bulk under the ${toxic_ms} ms toxic (MB/s, ≤ 5 s) | | | | $(cell "$(tox_bulk toxiproxy_toxic)") | $(cell "$(tox_bulk toxic)") | 326 | $(cell "$(calc 'printf "%.2f×", a / b' "$(tox_bulk toxic)" "$(tox_ref_bulk="$(tox_bulk toxiproxy_toxic)"; printf '%s' "${tox_ref_bulk:-326}")")") | | |"
echo
echo "¹ Measured with $idle_n idle connections ($idle_socat_n for socat, which forks a process per" \
  "connection) — the descriptor limit here is $fd_limit and a proxy needs two per connection —" \
  "and scaled to 10,000: memory before + growth per connection × 10,000. socat's memory is the" \
  "sum of its processes' Pss; the others' is VmRSS. CPU is the proxy process tree's on-CPU time" \
  "(schedstat) over the measured requests. Latency samples are one request's send to the last" \
  "byte of its answer; targets interleaved in blocks. MB = 10^6 bytes."
echo
echo "² Measured − requested includes one round trip through the proxy to nginx. After ${toxic_ms} ms" \
  "of idleness that round trip is far slower than a hot one (idle vCPUs must be woken: caches cold," \
  "a wake-up IPI per hop), so it is measured on its own, with the client pausing ${toxic_ms} ms" \
  "before each request and no toxic, and subtracted at p50 to show the toxic's own error."
echo
echo "³ The same two measurements with the client, nginx and the proxies at real-time priority" \
  "(SCHED_FIFO 10, restored afterwards), so that the other tenants' CPU load cannot delay a" \
  "wake-up: what remains is the proxy's own accuracy plus one cold round trip."
echo
echo "⁴ The wrk runs are sequential (${wrk_s} s per target), not interleaved: they move with the" \
  "machine's load more than the interleaved ping-pong rows."
echo
echo "⁵ The chaosrun column is its default, \`--busy-poll auto\`: after work its event loop keeps" \
  "polling for up to 50 µs before it sleeps, so an answer that comes back within that window needs" \
  "no wake-up, but only while no task on the machine waits for a CPU (the kernel's CPU pressure)." \
  "Two more instances are measured in the same interleaved latency runs: \`--busy-poll 0\` never" \
  "polls, \`--busy-poll $busy_us\` always does. haproxy's own \`busy-polling\` (which never sleeps)" \
  "is not measured."
echo
echo "⁶ \`proxybench relay\` (bench/proxy/relay.cc): one epoll loop that only relays — per hop one" \
  "recv and one send, no toxics, no buffering, no API — measured in the same interleaved latency" \
  "runs, sleeping when idle and (second row) polling $busy_us µs first. What it adds is what the" \
  "two extra loopback TCP hops and the wake-ups cost on this machine: the floor for any proxy" \
  "that relays through the kernel's sockets."
