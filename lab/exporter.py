#!/usr/bin/env python3
"""The lab's metrics exporter (the target system's, not chaosrun's): Prometheus text format on
GET /metrics, standard library only.

  lab_up 1
  lab_tls_certificate_valid       1 when the lab's nginx presents a certificate that verifies
                                  against the lab CA for host "localhost", else 0
  lab_tls_certificate_days_left   days until that certificate's notAfter (negative: expired)
  lab_scrapes_total               how many times /metrics was asked for

Usage: exporter.py --port P --tls-port T --ca FILE [--pidfile FILE]
"""
import argparse
import http.server
import os
import socket
import ssl
import sys
import tempfile
import time

SCRAPES = 0


def certificate_state(port, ca):
    """(valid, days_left or None) of the certificate nginx serves on 127.0.0.1:port."""
    valid = 0
    der = None
    try:
        ctx = ssl.create_default_context(cafile=ca)
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as raw:
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                der = s.getpeercert(binary_form=True)
                valid = 1
    except (ssl.SSLError, ssl.CertificateError, OSError):
        pass
    if der is None:
        try:  # not verified: fetch the certificate anyway, to tell its expiry
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                    der = s.getpeercert(binary_form=True)
        except (ssl.SSLError, OSError):
            return valid, None
    if not der:
        return valid, None
    pem = ssl.DER_cert_to_PEM_cert(der)
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as f:
        f.write(pem)
        f.flush()
        try:
            info = ssl._ssl._test_decode_cert(f.name)  # pylint: disable=protected-access
        except (ssl.SSLError, ValueError):
            return valid, None
    not_after = ssl.cert_time_to_seconds(info["notAfter"])
    return valid, (not_after - time.time()) / 86400.0


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        global SCRAPES
        if self.path.split("?")[0] != "/metrics":
            self.send_error(404)
            return
        SCRAPES += 1
        valid, days = certificate_state(self.server.tls_port, self.server.ca)
        lines = [
            "# HELP lab_up The lab exporter answers.",
            "# TYPE lab_up gauge",
            "lab_up 1",
            "# HELP lab_tls_certificate_valid The lab nginx certificate verifies (1) or not (0).",
            "# TYPE lab_tls_certificate_valid gauge",
            "lab_tls_certificate_valid %d" % valid,
            "# HELP lab_scrapes_total Scrapes served.",
            "# TYPE lab_scrapes_total counter",
            "lab_scrapes_total %d" % SCRAPES,
        ]
        if days is not None:
            lines += [
                "# HELP lab_tls_certificate_days_left Days until the certificate expires.",
                "# TYPE lab_tls_certificate_days_left gauge",
                "lab_tls_certificate_days_left %.4f" % days,
            ]
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):  # quiet
        pass


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--tls-port", type=int, required=True)
    p.add_argument("--ca", required=True)
    p.add_argument("--pidfile")
    a = p.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    srv.tls_port = a.tls_port
    srv.ca = a.ca
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
