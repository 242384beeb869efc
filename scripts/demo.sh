#!/usr/bin/env bash
# The demo: sets the machine up, builds chaosrun, starts a small local target (a web server and
# its replica, python3 -m http.server, behind chaosrun's fault proxy), and runs
# experiments/demo/web-under-faults.json against it: a steady-state hypothesis, 300 ms of latency
# through the proxy (network driver) and a frozen replica (process driver), both recorded in the
# undo ledger before they are applied and both undone at the end. Then it shows the blast radius
# refusing a fault outside it (experiments/demo/out-of-bounds.json: that run is aborted), proves
# that nothing is left behind, and stops the target. Everything listens on 127.0.0.1 only.
#
#   scripts/demo.sh               set up, build, run
#   DEMO_SKIP_SETUP=1 scripts/demo.sh   only run (build/bin/chaosrun, or $CHAOSRUN, exists)
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${DEMO_SKIP_SETUP:-0}" != 1 ]]; then
  bash scripts/setup.sh
  bash scripts/build.sh
fi
chaosrun="${CHAOSRUN:-$PWD/build/bin/chaosrun}"

work="$(mktemp -d /tmp/chaosrun-demo.XXXXXX)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do
    kill -CONT "$p" 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
read -r web_port replica_port proxy_port api_port < <(free_ports 4)

wait_for_port() {
  for _ in $(seq 1 200); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 0.2)" 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  echo "demo: nothing listens on 127.0.0.1:$1" >&2
  exit 1
}

mkdir -p "$work/site"
echo "hello from the demo's web server" > "$work/site/index.html"
python3 -m http.server "$web_port" --bind 127.0.0.1 --directory "$work/site" \
  > "$work/web.log" 2>&1 &
pids+=($!)
python3 -m http.server "$replica_port" --bind 127.0.0.1 --directory "$work/site" \
  > "$work/replica.log" 2>&1 &
replica_pid=$!
pids+=("$replica_pid")
echo "$replica_pid" > "$work/replica.pid"
sleep 600 &  # a bystander: outside the blast radius
pids+=($!)
echo "$!" > "$work/bystander.pid"
cat > "$work/proxies.json" <<EOF
[{"name": "web", "listen": "127.0.0.1:$proxy_port", "upstream": "127.0.0.1:$web_port"}]
EOF
"$chaosrun" proxy serve --api "127.0.0.1:$api_port" --config "$work/proxies.json" \
  > "$work/proxy.log" 2>&1 &
pids+=($!)
for p in "$web_port" "$replica_port" "$api_port" "$proxy_port"; do wait_for_port "$p"; done

started=$(date +%s%N)
echo "== target: web server 127.0.0.1:$web_port behind the fault proxy 127.0.0.1:$proxy_port" \
  "(chaosrun proxy serve, API 127.0.0.1:$api_port); replica pid $replica_pid"
echo "== run: experiments/demo/web-under-faults.json (each fault's undo goes to the ledger in" \
  "$work/state before the fault is applied)"
status=0
DEMO_PROXY_API="http://127.0.0.1:$api_port" DEMO_PAGE_URL="http://127.0.0.1:$proxy_port/" \
  DEMO_REPLICA_PIDFILE="$work/replica.pid" \
  "$chaosrun" run --state-dir "$work/state" --journal-path "$work/journal.json" \
  experiments/demo/web-under-faults.json || status=$?

echo
echo "== the blast radius: experiments/demo/out-of-bounds.json asks to freeze a 'sleep' process"
refusal=0
DEMO_BYSTANDER_PIDFILE="$work/bystander.pid" \
  "$chaosrun" run --state-dir "$work/state" --journal-path "$work/refused.json" \
  experiments/demo/out-of-bounds.json > "$work/refusal.log" 2>&1 || refusal=$?
line="$(grep -m1 -E '^\[[^]]*\] +refused: ' "$work/refusal.log" | sed -E 's/^\[[^]]*\] +//' || true)"
if [[ "$refusal" == 0 || -z "$line" ]]; then
  echo "demo: the out-of-bounds fault was NOT refused (exit code $refusal)" >&2
  cat "$work/refusal.log" >&2
  exit 1
fi
echo "   $line"
echo "   (that run is aborted, exit code $refusal, nothing injected: $work/refusal.log)"

echo
echo "== nothing left behind"
toxics="$(python3 -c "import json,urllib.request; print(json.load(urllib.request.urlopen('http://127.0.0.1:$api_port/proxies/web/toxics', timeout=2)))")"
echo "   toxics on proxy 'web': $toxics"
echo "   replica pid $replica_pid state: $(awk '{print $3}' "/proc/$replica_pid/stat") (T would be frozen)"
"$chaosrun" recover --list --state-dir "$work/state" 2>&1 | sed 's/^/   ledger: /'
elapsed=$(( ($(date +%s%N) - started) / 1000000 ))
echo
echo "== journal: $work/journal.json (exit code $status, ${elapsed} ms)"
exit "$status"
