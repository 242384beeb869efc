#!/usr/bin/env python3
"""The ML lab's "app": about 10 times a second it asks the model server for a prediction
(POST /predict, direct) and, in its own thread, sends one feedback event to the collector
(POST /events through the fault proxy "feedback"); 3 events in 10 are "negative", in a fixed
pattern, the rest "positive". A request that fails or takes over 0.5 s is counted and skipped.

GET /metrics:
  ml_app_predictions_total       predictions received
  ml_app_feedback_sent_total     feedback events the collector accepted
  ml_app_feedback_errors_total   feedback posts that failed

Usage: app.py --port P --model URL --feedback URL   (base URLs: http://127.0.0.1:PORT)
"""
import argparse
import json
import random
import sys
import threading
import time
import urllib.request

import mlcommon

INTERVAL = 0.1
TIMEOUT = 0.5
COUNTRIES = ["DE", "FR", "US", "GB", "ES", "IT", "NL", "PL", "SE", "JP"]
NEGATIVE = (1, 4, 7)  # event i is negative when i % 10 is one of these: 30 %

METRICS = mlcommon.Metrics()
METRICS.declare("ml_app_predictions_total", "counter", "Predictions received.")
METRICS.declare("ml_app_feedback_sent_total", "counter", "Feedback events accepted.")
METRICS.declare("ml_app_feedback_errors_total", "counter", "Feedback posts that failed.")
for _name in ("ml_app_predictions_total", "ml_app_feedback_sent_total",
              "ml_app_feedback_errors_total"):
    METRICS.set(_name, 0)


def post(url, value):
    req = urllib.request.Request(url, data=json.dumps(value).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with mlcommon.OPENER.open(req, timeout=TIMEOUT) as resp:
        return json.loads(resp.read())


def every(stop, step):
    """Calls step(i) for i = 0, 1, ... every INTERVAL seconds until stop is set."""
    i = 0
    next_at = time.monotonic()
    while not stop.is_set():
        step(i)
        i += 1
        next_at = max(next_at + INTERVAL, time.monotonic())
        stop.wait(next_at - time.monotonic())


def predictor(stop, url):
    rng = random.Random(1402)

    def step(_i):
        features = {"age": rng.randint(18, 90), "income_k": round(rng.uniform(20, 120), 3),
                    "clicks": rng.randint(0, 50), "country": rng.choice(COUNTRIES)}
        try:
            post(url, {"features": features})
            METRICS.inc("ml_app_predictions_total")
        except (OSError, ValueError):
            pass

    every(stop, step)


def feedback(stop, url):
    def step(i):
        kind = "negative" if i % 10 in NEGATIVE else "positive"
        try:
            post(url, [{"kind": kind, "event_id": i, "ts": round(time.time(), 3)}])
            METRICS.inc("ml_app_feedback_sent_total")
        except (OSError, ValueError):
            METRICS.inc("ml_app_feedback_errors_total")

    every(stop, step)


class Handler(mlcommon.Handler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] == "/metrics":
            self.reply_metrics(METRICS.render())
        else:
            self.reply(404, {"error": "not found"})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--model", required=True, help="the model server's base URL")
    p.add_argument("--feedback", required=True, help="the collector's base URL (the proxy)")
    a = p.parse_args()
    stop = threading.Event()
    threads = [
        threading.Thread(target=predictor, args=(stop, a.model.rstrip("/") + "/predict"),
                         daemon=True),
        threading.Thread(target=feedback, args=(stop, a.feedback.rstrip("/") + "/events"),
                         daemon=True),
    ]
    for t in threads:
        t.start()
    mlcommon.serve(a.port, Handler, stop)
    for t in threads:
        t.join(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
