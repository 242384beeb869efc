#!/usr/bin/env python3
"""The ML lab's data pipeline: every 0.5 s it fetches /records?limit=100 from the data source
(through the fault proxy "datasource"), validates the records, extracts the features of its
deployed code version (DIR/pipeline/deploy.json, re-read every cycle; while it cannot be read,
the last one read stays deployed) and publishes the valid rows as a new dataset version:

  DIR/datasets/v<N>/data.jsonl, v<N>/manifest.json   {"version", "rows", "schema", "created_at",
                                                      "pipeline_code_version", "source"}
  DIR/datasets/current.json                          {"version": N} (tmp + rename); 5 versions kept

A record is invalid (dropped) when age, income or country is missing or of the wrong type.
Features: age, income_k (income / 1000), clicks (may be missing), country; code version 1 (the
old, buggy extraction) never extracts country. A batch without a valid row is not published.

GET /metrics:
  ml_pipeline_rows_ingested_total          records received
  ml_pipeline_rows_dropped_total           records dropped as invalid
  ml_datasource_errors_total               fetches that failed (connection, HTTP status, not JSON)
  ml_pipeline_code_version                 code_version of deploy.json
  ml_pipeline_publishes_total              dataset versions published
  ml_feature_missing_rate{feature=...}     share of the last published batch's rows without it
  ml_feature_mean{feature=age|income_k|clicks}  its mean over the last published batch

Usage: pipeline.py --port P --source URL --dir DIR [--pidfile FILE]
"""
import argparse
import json
import os
import shutil
import sys
import threading
import time
import urllib.error

import mlcommon

INTERVAL = 0.5
BATCH = 100
KEEP = 5
SCHEMA = {"age": "integer", "income_k": "number", "clicks": "integer", "country": "string"}
METRICS = mlcommon.Metrics()
for _name, _kind, _help in [
    ("ml_pipeline_rows_ingested_total", "counter", "Records received from the data source."),
    ("ml_pipeline_rows_dropped_total", "counter", "Records dropped as invalid."),
    ("ml_datasource_errors_total", "counter", "Fetches from the data source that failed."),
    ("ml_pipeline_code_version", "gauge", "The deployed pipeline code version."),
    ("ml_pipeline_publishes_total", "counter", "Dataset versions published."),
    ("ml_feature_missing_rate", "gauge", "Share of the last batch's rows without the feature."),
    ("ml_feature_mean", "gauge", "Mean of the feature over the last published batch."),
]:
    METRICS.declare(_name, _kind, _help)
for _name in ("ml_pipeline_rows_ingested_total", "ml_pipeline_rows_dropped_total",
              "ml_datasource_errors_total", "ml_pipeline_publishes_total"):
    METRICS.set(_name, 0)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def valid(r):
    return (isinstance(r, dict) and is_int(r.get("age")) and is_number(r.get("income"))
            and isinstance(r.get("country"), str))


def extract(r, code_version):
    row = {"id": r.get("id"), "age": r["age"], "income_k": r["income"] / 1000.0,
           "label": r.get("label")}
    if is_int(r.get("clicks")):
        row["clicks"] = r["clicks"]
    if code_version >= 2:  # version 1 forgot it
        row["country"] = r["country"]
    return row


def fetch(url):
    """The records, or None when the fetch failed."""
    try:
        with mlcommon.OPENER.open(url, timeout=1.0) as resp:
            body = json.loads(resp.read())
        return body if isinstance(body, list) else None
    except (OSError, ValueError, urllib.error.URLError):
        return None


def publish(datasets, rows, code_version, source):
    try:
        version = mlcommon.read_json(os.path.join(datasets, "current.json"))["version"] + 1
    except (OSError, ValueError, KeyError, TypeError):
        version = 1
    vdir = os.path.join(datasets, "v%d" % version)
    os.makedirs(vdir, exist_ok=True)
    with open(os.path.join(vdir, "data.jsonl"), "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    mlcommon.write_json(os.path.join(vdir, "manifest.json"), {
        "version": version, "rows": len(rows), "schema": SCHEMA, "created_at": time.time(),
        "pipeline_code_version": code_version, "source": source})
    mlcommon.write_json(os.path.join(datasets, "current.json"), {"version": version})
    for name in os.listdir(datasets):
        if name.startswith("v") and name[1:].isdigit() and int(name[1:]) <= version - KEEP:
            shutil.rmtree(os.path.join(datasets, name), ignore_errors=True)


DEPLOYED = {"code_version": 2}


def cycle(source, root):
    try:  # an unreadable deploy.json (say, half written) leaves the last deployment running
        DEPLOYED["code_version"] = int(mlcommon.read_json(
            os.path.join(root, "pipeline", "deploy.json"))["code_version"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    code_version = DEPLOYED["code_version"]
    METRICS.set("ml_pipeline_code_version", code_version)
    records = fetch(source)
    if records is None:
        METRICS.inc("ml_datasource_errors_total")
        return
    rows = [extract(r, code_version) for r in records if valid(r)]
    METRICS.inc("ml_pipeline_rows_ingested_total", len(records))
    METRICS.inc("ml_pipeline_rows_dropped_total", len(records) - len(rows))
    if not rows:
        return
    publish(os.path.join(root, "datasets"), rows, code_version, source)
    METRICS.inc("ml_pipeline_publishes_total")
    for feature in SCHEMA:
        present = [r[feature] for r in rows if feature in r]
        METRICS.set("ml_feature_missing_rate", 1.0 - len(present) / len(rows), feature=feature)
        if feature != "country":
            METRICS.set("ml_feature_mean", sum(present) / len(present) if present else 0.0,
                        feature=feature)


def loop(source, root, stop):
    next_at = time.monotonic()
    while not stop.is_set():
        cycle(source, root)
        next_at = max(next_at + INTERVAL, time.monotonic())
        stop.wait(next_at - time.monotonic())


class Handler(mlcommon.Handler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] == "/metrics":
            self.reply_metrics(METRICS.render())
        else:
            self.reply(404, {"error": "not found"})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--source", required=True, help="base URL of the data source (the proxy)")
    p.add_argument("--dir", required=True, help="the ML lab's directory")
    p.add_argument("--pidfile")
    a = p.parse_args()
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    stop = threading.Event()
    url = a.source.rstrip("/") + "/records?limit=%d" % BATCH
    worker = threading.Thread(target=loop, args=(url, a.dir, stop), daemon=True)
    worker.start()
    mlcommon.serve(a.port, Handler, stop)
    worker.join(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
