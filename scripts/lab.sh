#!/usr/bin/env bash
# The fire-drill lab (docs/fire-drills.md): nginx with TLS, a metrics exporter, chaosrun's fault
# proxy in front of it, Prometheus scraping through the proxy with alert rules, and Alertmanager
# routing to two notification sink ports. Everything on free 127.0.0.1 ports, all state in one
# temporary directory, nothing system-wide and no root.
# --ml adds the ML lab (docs/ml-lab.md, lab/ml/): a data source, a pipeline, a model registry
# and server, a feedback collector and an app, two more proxies and the ML alert rules.
#
#   scripts/lab.sh up [--ml] [--break-alerting]
#                                          start it (prints the directory and the var file);
#                                          --break-alerting: Prometheus without any rule file
#   scripts/lab.sh status [--json|--env]   what runs where; --json is usable as --var-file,
#                                          --env prints CHAOSRUN_LAB_*=value lines (the drills'
#                                          environment; also usable as a .env --var-file)
#   scripts/lab.sh down                    stop what `up` started (its own pids only), remove it
#
# The state file that `status` and `down` read: $CHAOSRUN_LAB_STATE, else
# $XDG_RUNTIME_DIR/chaosrun-lab.json, else /tmp/chaosrun-lab-$UID/lab.json.
# CHAOSRUN_LAB_VERBOSE=1: say when each part came up.
# chaosrun itself: $CHAOSRUN, else build/bin/chaosrun of this checkout, else `chaosrun` on PATH.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
lab_src="$repo/lab"

state_file() {
  if [[ -n "${CHAOSRUN_LAB_STATE:-}" ]]; then
    echo "$CHAOSRUN_LAB_STATE"
  elif [[ -n "${XDG_RUNTIME_DIR:-}" && -d "${XDG_RUNTIME_DIR}" ]]; then
    echo "$XDG_RUNTIME_DIR/chaosrun-lab.json"
  else
    echo "/tmp/chaosrun-lab-$(id -u)/lab.json"
  fi
}

die() { echo "lab.sh: $*" >&2; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }

find_chaosrun() {
  if [[ -n "${CHAOSRUN:-}" ]]; then echo "$CHAOSRUN"; return; fi
  if [[ -x "$repo/build/bin/chaosrun" ]]; then echo "$repo/build/bin/chaosrun"; return; fi
  command -v chaosrun || die "chaosrun not found: set CHAOSRUN=/path/to/chaosrun"
}

# N distinct free loopback ports (bound and released at once; the lab binds them moments later).
free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

fill() {  # fill TEMPLATE OUT KEY=VALUE...: replaces each @KEY@ (values hold no '|' or newline)
  local in="$1" out="$2"
  shift 2
  local args=() kv
  for kv in "$@"; do args+=(-e "s|@${kv%%=*}@|${kv#*=}|g"); done
  sed "${args[@]}" "$in" >"$out"
}

make_tls() {  # make_tls DIR: a lab CA and a server certificate for localhost/127.0.0.1
  local d="$1"
  mkdir -p "$d"
  # EC P-256 keys: made in milliseconds, unlike RSA.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=chaosrun lab CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 30 -extfile "$d/ext.cnf" -out "$d/server.crt" >/dev/null 2>&1
  chmod 600 "$d/ca.key" "$d/server.key"
}

# start NAME LOGFILE COMMAND...: runs COMMAND in the background (its own session, so `down` can
# stop its process group), records its pid in $dir/pids/NAME.
start() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 </dev/null &
  echo $! >"$dir/pids/$name"
}

# ml_ports: the ML lab's ports (set by cmd_up when --ml).
ml_datasource="" ml_dsproxy="" ml_modelserver="" ml_collector="" ml_fbproxy="" ml_pipeline=""
ml_app=""

# ml_start_inputs: the ML registry, then the services the pipeline and the app depend on.
ml_start_inputs() {
  local m="$dir/ml"
  mkdir -p "$m"
  python3 -B "$lab_src/ml/init.py" "$m" || return 1
  start ml-datasource "$m/datasource.log" python3 -B "$lab_src/ml/datasource.py" \
    --port "$ml_datasource"
  start ml-collector "$m/collector.log" python3 -B "$lab_src/ml/collector.py" --port "$ml_collector"
  start ml-modelserver "$m/modelserver.log" python3 -B "$lab_src/ml/modelserver.py" \
    --port "$ml_modelserver" --dir "$m"
}

# ml_start_consumers: the pipeline and the app, once their proxies and upstreams answer (else
# their first requests would fail, and MLDataSourceDown would fire on a healthy lab).
ml_start_consumers() {
  local m="$dir/ml"
  start ml-pipeline "$m/pipeline.log" python3 -B "$lab_src/ml/pipeline.py" --port "$ml_pipeline" \
    --source "http://127.0.0.1:$ml_dsproxy" --dir "$m" --pidfile "$m/pipeline/pipeline.pid"
  start ml-app "$m/app.log" python3 -B "$lab_src/ml/app.py" --port "$ml_app" \
    --model "http://127.0.0.1:$ml_modelserver" --feedback "http://127.0.0.1:$ml_fbproxy"
}

# ml_ready_checks PROM_URL: lab/ready.py checks that every ML job is scraped and that every series
# an ML alert needs exists, with enough samples for its window, and is healthy.
ml_ready_checks() {
  local p="$1" j
  for j in datasource pipeline modelserver collector app; do
    printf '%s\n' "prom1:$p:up{job=\"ml-$j\"}"
  done
  # Series over 3 s windows (the rules' windows): defined, and with 3 samples at least.
  local ing='ml_pipeline_rows_ingested_total[3s]' drop='ml_pipeline_rows_dropped_total[3s]'
  local err='ml_datasource_errors_total[3s]'
  local neg='ml_feedback_events_received_total{kind="negative"}[3s]'
  local inc='ml_feature_mean{feature="income_k"}'
  printf '%s\n' \
    "promany:$p:increase($ing) > 0 and count_over_time($ing) >= 3" \
    "promany:$p:sum(increase($drop)) / sum(increase($ing)) <= 0.2" \
    "promany:$p:ml_model_served_version >= ml_registry_latest_version" \
    "promany:$p:max(ml_feature_missing_rate) <= 0.1" \
    "promany:$p:ml_dataset_age_seconds <= 3" \
    "promany:$p:increase($err) == 0 and count_over_time($err) >= 3" \
    "promany:$p:ml_collector_queue_depth <= 1000" \
    "promany:$p:rate($neg) >= 0.3 and count_over_time($neg) >= 3" \
    "promany:$p:ml_training_config_version >= ml_training_config_latest_version" \
    "promany:$p:$inc >= 10 and $inc <= 500" \
    "promany:$p:ml_model_artifact_ok == 1" \
    "promnone:$p:ALERTS{alertname=~\"ML.*\"}"
}

cmd_up() {
  local break_alerting=0 ml=0
  for a in "$@"; do
    case "$a" in
      --break-alerting) break_alerting=1 ;;
      --ml) ml=1 ;;
      *) die "up: unknown option '$a'" ;;
    esac
  done
  need nginx "apt-get install nginx-light"
  need prometheus "apt-get install prometheus"
  need prometheus-alertmanager "apt-get install prometheus-alertmanager"
  need openssl "apt-get install openssl"
  need python3 "apt-get install python3"
  local chaosrun
  chaosrun="$(find_chaosrun)"
  local sf
  sf="$(state_file)"
  if [[ -f "$sf" ]]; then
    die "a lab is up already (state file $sf); run 'lab.sh down' first"
  fi
  mkdir -p "$(dirname "$sf")"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/chaosrun-lab.XXXXXX")"
  mkdir -p "$dir/pids" "$dir/nginx/tmp" "$dir/prometheus-data" "$dir/alertmanager-data"
  local https exporter scrape api prom am sink sink2
  read -r https exporter scrape api prom am sink sink2 <<<"$(free_ports 8)"
  if ((ml)); then
    read -r ml_datasource ml_dsproxy ml_modelserver ml_collector ml_fbproxy ml_pipeline ml_app \
      <<<"$(free_ports 7)"
  fi

  make_tls "$dir/tls"
  local sha
  sha="$(sha256sum "$dir/tls/server.crt" | cut -d' ' -f1)"

  fill "$lab_src/nginx.conf.in" "$dir/nginx/nginx.conf" DIR="$dir" HTTPS_PORT="$https"
  # --break-alerting: the same lab without any alert rules (an empty list is written inline).
  if ((break_alerting)); then
    fill "$lab_src/prometheus.yml.in" "$dir/prometheus.yml" SCRAPE_PORT="$scrape" AM_PORT="$am" \
      RULE_FILES=""
    sed -i 's/^rule_files:$/rule_files: []/' "$dir/prometheus.yml"
  else
    cp "$lab_src/rules.yml" "$dir/rules.yml"
    local rule_files="  - $dir/rules.yml"
    if ((ml)); then
      mkdir -p "$dir/ml"
      cp "$lab_src/ml/rules.yml" "$dir/ml/rules.yml"
      rule_files+="\\n  - $dir/ml/rules.yml"  # sed turns \n into a newline
    fi
    fill "$lab_src/prometheus.yml.in" "$dir/prometheus.yml" SCRAPE_PORT="$scrape" AM_PORT="$am" \
      RULE_FILES="$rule_files"
  fi
  if ((ml)); then
    fill "$lab_src/ml/scrape.yml.in" "$dir/ml-scrape.yml" DATASOURCE_PORT="$ml_datasource" \
      PIPELINE_PORT="$ml_pipeline" MODELSERVER_PORT="$ml_modelserver" \
      COLLECTOR_PORT="$ml_collector" APP_PORT="$ml_app"
    cat "$dir/ml-scrape.yml" >>"$dir/prometheus.yml"
    rm "$dir/ml-scrape.yml"
  fi
  fill "$lab_src/alertmanager.yml.in" "$dir/alertmanager.yml" SINK_PORT="$sink" SINK_PORT_2="$sink2"
  {
    printf '[{"name": "exporter", "listen": "127.0.0.1:%s", "upstream": "127.0.0.1:%s"}' \
      "$scrape" "$exporter"
    if ((ml)); then
      printf ',\n {"name": "datasource", "listen": "127.0.0.1:%s", "upstream": "127.0.0.1:%s"}' \
        "$ml_dsproxy" "$ml_datasource"
      printf ',\n {"name": "feedback", "listen": "127.0.0.1:%s", "upstream": "127.0.0.1:%s"}' \
        "$ml_fbproxy" "$ml_collector"
    fi
    printf ']\n'
  } >"$dir/proxy.json"

  # The state file first: whatever fails below, `down` finds and stops what did start.
  printf '{"dir": "%s"}\n' "$dir" >"$sf"  # mktemp's name needs no JSON escaping

  start nginx "$dir/nginx/stdout.log" nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" \
    -e "$dir/nginx/error.log" -g "daemon off;"
  start exporter "$dir/exporter.log" python3 "$lab_src/exporter.py" --port "$exporter" \
    --tls-port "$https" --ca "$dir/tls/ca.crt"
  local ok=1
  if ((ml)); then ml_start_inputs || ok=0; fi
  start proxy "$dir/proxy.log" "$chaosrun" proxy serve --api "127.0.0.1:$api" \
    --config "$dir/proxy.json"
  start alertmanager "$dir/alertmanager.log" prometheus-alertmanager \
    --config.file="$dir/alertmanager.yml" --storage.path="$dir/alertmanager-data" \
    --web.listen-address="127.0.0.1:$am" --cluster.listen-address= --log.level=warn
  if ((ml && ok)); then
    # The pipeline and the app start once their upstreams answer, directly and through their
    # proxies; Prometheus after them, so that it never sees them before their first requests.
    python3 "$lab_src/ready.py" 20 "http:http://127.0.0.1:$api/version" \
      "http:http://127.0.0.1:$ml_datasource/metrics" "http:http://127.0.0.1:$ml_collector/metrics" \
      "http:http://127.0.0.1:$ml_modelserver/metrics" \
      "http:http://127.0.0.1:$ml_dsproxy/records?limit=1" \
      "http:http://127.0.0.1:$ml_fbproxy/metrics" || ok=0
    if ((ok)); then ml_start_consumers; fi
  fi
  start prometheus "$dir/prometheus.log" prometheus --config.file="$dir/prometheus.yml" \
    --storage.tsdb.path="$dir/prometheus-data" --web.listen-address="127.0.0.1:$prom" \
    --rules.alert.resend-delay=1s --log.level=warn

  local prom_url="http://127.0.0.1:$prom" am_url="http://127.0.0.1:$am"
  # Every part answers, and Prometheus has scraped the exporter through the proxy and seen the
  # certificate valid (one process polls them all, at most 60 s together).
  # With --ml also: the ML services answer, the pipeline has published and Prometheus has scraped
  # every ML job long enough for each alert's window (ml_ready_checks).
  local ml_checks=()
  if ((ml)); then
    mapfile -t ml_checks < <(ml_ready_checks "$prom_url")
    ml_checks=("http:http://127.0.0.1:$ml_pipeline/metrics" "http:http://127.0.0.1:$ml_app/metrics"
      "${ml_checks[@]}")
  fi
  ((!ok)) || python3 "$lab_src/ready.py" 60 "tls:$https:$dir/tls/ca.crt" \
    "http:http://127.0.0.1:$exporter/metrics" "http:http://127.0.0.1:$api/version" \
    "http:$am_url/-/ready" "http:$prom_url/-/ready" "prom1:$prom_url:up{job=\"lab-exporter\"}" \
    "prom1:$prom_url:lab_tls_certificate_valid" "${ml_checks[@]}" || ok=0
  if ((!ok)); then
    echo "lab.sh: logs are in $dir" >&2
    tail -n 5 "$dir"/*.log "$dir"/ml/*.log "$dir/nginx/error.log" >&2 2>/dev/null || true
    cmd_down --keep >/dev/null || true
    exit 1
  fi

  python3 - "$sf" <<EOF
import json, os, sys
d = "$dir"
pids = {}
for n in os.listdir(d + "/pids"):
    pids[n] = int(open(d + "/pids/" + n).read())
state = {
    "dir": d,
    "break_alerting": bool($break_alerting),
    "ml": bool($ml),
    "pids": pids,
    "configuration": {
        "lab_dir": d,
        "lab_https_port": $https,
        "lab_https_url": "https://localhost:$https/",
        "lab_ca_file": d + "/tls/ca.crt",
        "lab_ca_key_file": d + "/tls/ca.key",
        "lab_cert_file": d + "/tls/server.crt",
        "lab_key_file": d + "/tls/server.key",
        "lab_cert_sha256": "$sha",
        "lab_nginx_pidfile": d + "/nginx/nginx.pid",
        "lab_exporter_port": $exporter,
        "lab_exporter_pid": pids["exporter"],
        "lab_scrape_port": $scrape,
        "lab_proxy_api": "http://127.0.0.1:$api",
        "lab_proxy_name": "exporter",
        "lab_prometheus_url": "$prom_url",
        "lab_alertmanager_url": "$am_url",
        "lab_sink_port": $sink,
        "lab_sink_port_2": $sink2,
    },
}
if $ml:
    m = d + "/ml"
    state["configuration"].update({
        "lab_ml": True,
        "lab_ml_dir": m,
        "lab_ml_registry": m + "/registry",
        "lab_ml_pipeline_dir": m + "/pipeline",
        "lab_ml_datasets_dir": m + "/datasets",
        "lab_ml_artifact": m + "/registry/models/v3.json",
        "lab_ml_latest_version": 3,
        "lab_ml_datasource_url": "http://127.0.0.1:${ml_datasource}",
        "lab_ml_datasource_proxy": "datasource",
        "lab_ml_feedback_proxy": "feedback",
        "lab_ml_collector_url": "http://127.0.0.1:${ml_collector}/events",
        "lab_ml_modelserver_url": "http://127.0.0.1:${ml_modelserver}",
        "lab_ml_pipeline_pid": pids["ml-pipeline"],
        "lab_ml_pipeline_pidfile": m + "/pipeline/pipeline.pid",
    })
with open(d + "/vars.json", "w") as f:
    json.dump(state, f, indent=2)
with open(sys.argv[1] + ".tmp", "w") as f:
    json.dump(state, f, indent=2)
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
EOF
  local what=""
  ((!ml)) || what+=" with the ML lab (--ml)"
  ((!break_alerting)) || what+=" (without alert rules: --break-alerting)"
  echo "lab up in $dir$what"
  echo "var file: $dir/vars.json   (chaosrun run --var-file $dir/vars.json DRILL)"
}

cmd_status() {
  local sf
  sf="$(state_file)"
  [[ -f "$sf" ]] || die "no lab is up (no state file $sf)"
  if [[ "${1:-}" == "--json" ]]; then
    cat "$sf"
    echo
    return
  fi
  if [[ "${1:-}" == "--env" ]]; then
    python3 - "$sf" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for k, v in s.get("configuration", {}).items():
    if isinstance(v, bool):
        v = "true" if v else "false"
    print("CHAOSRUN_%s=%s" % (k.upper(), v))
EOF
    return
  fi
  [[ -z "${1:-}" ]] || die "status: unknown option '$1'"
  python3 - "$sf" <<'EOF'
import json, os, sys
s = json.load(open(sys.argv[1]))
print("dir:", s["dir"])
if "configuration" not in s:
    print("(incomplete: `up` did not finish)")
    sys.exit(0)
for k, v in s["configuration"].items():
    print("%-26s %s" % (k, v))
for n, p in sorted(s["pids"].items()):
    alive = os.path.exists("/proc/%d" % p)
    print("pid %-22s %d%s" % (n, p, "" if alive else " (gone)"))
EOF
}

cmd_down() {
  local sf
  sf="$(state_file)"
  [[ -f "$sf" ]] || die "no lab is up (no state file $sf)"
  local d
  d="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dir"])' "$sf")"
  [[ -n "$d" && -d "$d" && "$d" == *chaosrun-lab.* ]] || die "state file $sf names no lab directory"
  # Our own pids only: each service was started in its own session (setsid), so its pid is its
  # process group; SIGTERM, then SIGKILL what is left after 5 s.
  local pids=()
  if [[ -d "$d/pids" ]]; then
    for f in "$d"/pids/*; do
      [[ -f "$f" ]] && pids+=("$(cat "$f")")
    done
  fi
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  local end=$((SECONDS + 5))
  for p in "${pids[@]}"; do
    while kill -0 "$p" 2>/dev/null && ((SECONDS < end)); do sleep 0.05; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  rm -f "$sf"
  if [[ "${1:-}" != "--keep" ]]; then rm -rf "$d"; fi
  echo "lab down ($d removed)"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  status) shift; cmd_status "$@" ;;
  down) shift; cmd_down "$@" ;;
  *) echo "usage: lab.sh up [--ml] [--break-alerting] | status [--json|--env] | down" >&2; exit 2 ;;
esac
