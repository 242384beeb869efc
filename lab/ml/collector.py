#!/usr/bin/env python3
"""The ML lab's telemetry/feedback collector.

  POST /events  a JSON array of events {"kind": "positive"|"negative"|..., ...}
                -> 202 {"accepted": n, "dropped": m}: each event is counted by kind and put in a
                bounded queue (at most 5000; beyond that it is dropped and counted); a worker
                drains about 2000 events/s (200 every 0.1 s).

GET /metrics:
  ml_feedback_events_received_total{kind="positive|negative|other"}  events received
                                     (any kind other than positive/negative counts as "other")
  ml_collector_queue_depth           events waiting in the queue
  ml_collector_events_dropped_total  events dropped because the queue was full

Usage: collector.py --port P
"""
import argparse
import collections
import sys
import threading

import mlcommon

QUEUE_MAX = 5000
DRAIN_EVERY = 0.1
DRAIN_BATCH = 200
KINDS = ("positive", "negative")

METRICS = mlcommon.Metrics()
METRICS.declare("ml_feedback_events_received_total", "counter", "Events received, by kind.")
METRICS.declare("ml_collector_queue_depth", "gauge", "Events waiting in the queue.")
METRICS.declare("ml_collector_events_dropped_total", "counter", "Events dropped: queue full.")
for _kind in KINDS + ("other",):
    METRICS.set("ml_feedback_events_received_total", 0, kind=_kind)
METRICS.set("ml_collector_events_dropped_total", 0)
QUEUE = collections.deque()
LOCK = threading.Lock()


def enqueue(events):
    """Counts and queues the events; returns how many were dropped."""
    counts = collections.Counter(
        e.get("kind") if isinstance(e, dict) and e.get("kind") in KINDS else "other"
        for e in events)
    for kind, n in counts.items():
        METRICS.inc("ml_feedback_events_received_total", n, kind=kind)
    with LOCK:
        room = max(0, QUEUE_MAX - len(QUEUE))
        QUEUE.extend(events[:room])
    dropped = max(0, len(events) - room)
    if dropped:
        METRICS.inc("ml_collector_events_dropped_total", dropped)
    return dropped


def drain(stop):
    while not stop.wait(DRAIN_EVERY):
        with LOCK:
            for _ in range(min(DRAIN_BATCH, len(QUEUE))):
                QUEUE.popleft()  # "processed": the lab's collector only counts


class Handler(mlcommon.Handler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.split("?")[0] != "/metrics":
            self.reply(404, {"error": "not found"})
            return
        with LOCK:
            depth = len(QUEUE)
        self.reply_metrics(METRICS.render([("ml_collector_queue_depth", {}, depth)]))

    def do_POST(self):  # noqa: N802
        if self.path.split("?")[0] != "/events":
            self.reply(404, {"error": "not found"})
            return
        events = self.read_json()
        if events is None:
            return
        if not isinstance(events, list):
            self.reply(400, {"error": "body: a JSON array of events is required"})
            return
        dropped = enqueue(events)
        self.reply(202, {"accepted": len(events) - dropped, "dropped": dropped})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    a = p.parse_args()
    stop = threading.Event()
    t = threading.Thread(target=drain, args=(stop,), daemon=True)
    t.start()
    mlcommon.serve(a.port, Handler, stop)
    t.join(timeout=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
