#!/usr/bin/env bash
# Sets up the machine, builds chaosrun, starts a local web server as the target, runs the demo
# experiment against it (hypothesis, method, rollbacks, journal), and stops the target again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

workdir="$(mktemp -d /tmp/chaosrun-demo.XXXXXX)"
pidfile="$workdir/server.pid"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"

python3 -m http.server "$port" --bind 127.0.0.1 --directory "$workdir" >"$workdir/server.log" 2>&1 &
server_pid=$!
echo "$server_pid" >"$pidfile"
cleanup() {
  kill -CONT "$server_pid" 2>/dev/null || true
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}
trap cleanup EXIT

# Wait (bounded) until the target listens.
for _ in $(seq 1 100); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then break; fi
  sleep 0.05
done

echo "== target: python3 http.server on 127.0.0.1:$port (pid $server_pid)"
status=0
DEMO_PORT="$port" DEMO_PIDFILE="$pidfile" ./build/bin/chaosrun run \
  --journal-path "$workdir/journal.json" experiments/demo/frozen-web-server.json || status=$?
echo "== journal: $workdir/journal.json (exit code $status)"
exit "$status"
