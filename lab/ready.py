#!/usr/bin/env python3
"""Waits until every part of the lab answers, in one process (scripts/lab.sh up): polls each
check every 0.1 s, at most LIMIT seconds for all of them together. Exit 0 when all answered, 1
with the one that did not (on stderr).

Usage: ready.py LIMIT CHECK...  where CHECK is one of
  tls:PORT:CAFILE        a TLS handshake with 127.0.0.1:PORT verifies for "localhost"
  http:URL               GET URL answers 2xx
  prom1:URL:QUERY        Prometheus at URL answers QUERY with one sample of value 1
  promany:URL:QUERY      ... answers QUERY with at least one sample (a series exists, e.g. a
                         comparison that holds: "ml_dataset_age_seconds <= 3")
  promnone:URL:QUERY     ... answers QUERY with no sample (e.g. no ALERTS pending or firing)
"""
import json
import os
import socket
import ssl
import sys
import time
import urllib.parse
import urllib.request


def tls_ok(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", int(port)), timeout=1) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost"):
            return True


def http_ok(url):
    with urllib.request.urlopen(url, timeout=1) as r:
        return 200 <= r.status < 300


def prom_result(url, query):
    u = url + "/api/v1/query?query=" + urllib.parse.quote(query)
    with urllib.request.urlopen(u, timeout=1) as r:
        return json.load(r)["data"]["result"]


def prom1(url, query):
    res = prom_result(url, query)
    return bool(res) and res[0]["value"][1] == "1"


def check(spec):
    kind, _, rest = spec.partition(":")
    if kind == "tls":
        port, ca = rest.split(":", 1)
        return tls_ok(port, ca)
    if kind == "http":
        return http_ok(rest)
    if kind in ("prom1", "promany", "promnone"):
        # URL is http://HOST:PORT, so the query follows the third ':'.
        scheme, host, port_query = rest.split(":", 2)
        port, query = port_query.split(":", 1)
        url = scheme + ":" + host + ":" + port
        if kind == "prom1":
            return prom1(url, query)
        return bool(prom_result(url, query)) == (kind == "promany")
    raise ValueError("unknown check " + spec)


def main():
    limit = float(sys.argv[1])
    end = time.monotonic() + limit
    start = time.monotonic()
    verbose = bool(os.environ.get("CHAOSRUN_LAB_VERBOSE"))
    for spec in sys.argv[2:]:
        while True:
            try:
                if check(spec):
                    break
            except (OSError, ValueError, KeyError, ssl.SSLError):
                pass
            if time.monotonic() >= end:
                print("lab.sh: not ready within %gs: %s" % (limit, spec), file=sys.stderr)
                return 1
            time.sleep(0.1)
        if verbose:
            print("lab.sh: ready after %.1fs: %s" % (time.monotonic() - start, spec),
                  file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
