#!/usr/bin/env python3
"""The ML lab's data source: an endless, deterministic stream of user records.

  GET /records?limit=N   the next N records (1..1000, default 100) as a JSON array
                         (Content-Type: application/json); each call continues the stream:
    {"id": int, "ts": float, "age": int 18..90, "income": float dollars 20000..120000,
     "clicks": int 0..50 (absent in exactly 2 % of the records: id % 50 == 0),
     "country": "DE"|"FR"|"US"|..., "label": 0|1}
  GET /metrics           ml_datasource_requests_total       /records requests answered
                         ml_datasource_records_served_total records sent

Each record is a pure function of its id (seeded random), so the lab is boringly healthy.
Usage: datasource.py --port P [--seed S]
"""
import argparse
import math
import random
import sys
import threading
import time
import urllib.parse

import mlcommon

COUNTRIES = ["DE", "FR", "US", "GB", "ES", "IT", "NL", "PL", "SE", "JP"]


def record(seed, rid):
    rng = random.Random(seed * 1000003 + rid)
    age = rng.randint(18, 90)
    income = round(rng.uniform(20000.0, 120000.0), 2)
    clicks = rng.randint(0, 50)
    country = rng.choice(COUNTRIES)
    z = 0.04 * (age - 50) + 0.00002 * (income - 70000) + 0.05 * (clicks - 25)
    label = 1 if rng.random() < 1.0 / (1.0 + math.exp(-z)) else 0
    r = {"id": rid, "ts": round(time.time(), 3), "age": age, "income": income,
         "country": country, "label": label}
    if rid % 50 != 0:
        r["clicks"] = clicks
    return r


class Source:
    def __init__(self, seed):
        self.seed = seed
        self.next_id = 1
        self.lock = threading.Lock()
        self.metrics = mlcommon.Metrics()
        self.metrics.declare("ml_datasource_requests_total", "counter",
                             "/records requests answered.")
        self.metrics.declare("ml_datasource_records_served_total", "counter", "Records sent.")
        self.metrics.set("ml_datasource_requests_total", 0)
        self.metrics.set("ml_datasource_records_served_total", 0)

    def take(self, n):
        with self.lock:
            first = self.next_id
            self.next_id += n
        return [record(self.seed, first + i) for i in range(n)]


SOURCE = None


class Handler(mlcommon.Handler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/metrics":
            self.reply_metrics(SOURCE.metrics.render())
            return
        if url.path != "/records":
            self.reply(404, {"error": "not found"})
            return
        q = urllib.parse.parse_qs(url.query)
        try:
            limit = int(q.get("limit", ["100"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            self.reply(400, {"error": "limit: an integer 1..1000"})
            return
        records = SOURCE.take(limit)
        SOURCE.metrics.inc("ml_datasource_requests_total")
        SOURCE.metrics.inc("ml_datasource_records_served_total", len(records))
        self.reply(200, records)


def main():
    global SOURCE
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seed", type=int, default=14)
    a = p.parse_args()
    SOURCE = Source(a.seed)
    mlcommon.serve(a.port, Handler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
