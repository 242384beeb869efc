"""Shared helpers of the ML lab's services (lab/ml/*.py): a tiny thread-safe metrics registry
rendered in the Prometheus text format, an HTTP server that stops cleanly on SIGTERM, and
atomic JSON files. Standard library only; not a service itself, exports no metrics.
"""
import http.server
import json
import os
import signal
import sys
import threading
import urllib.request


# Plain HTTP to 127.0.0.1: never through an http_proxy of the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Metrics:
    """Counters and gauges, optionally with one label; render() gives the text format."""

    def __init__(self):
        self._lock = threading.Lock()
        self._meta = {}  # name -> (type, help), in declaration order
        self._values = {}  # (name, label_text) -> value

    def declare(self, name, kind, help_text):
        with self._lock:
            self._meta[name] = (kind, help_text)

    @staticmethod
    def _key(name, labels):
        if not labels:
            return (name, "")
        inner = ",".join('%s="%s"' % (k, v) for k, v in sorted(labels.items()))
        return (name, "{" + inner + "}")

    def inc(self, name, amount=1, **labels):
        with self._lock:
            key = self._key(name, labels)
            self._values[key] = self._values.get(key, 0) + amount

    def set(self, name, value, **labels):
        with self._lock:
            self._values[self._key(name, labels)] = value

    def render(self, extra=()):
        """The text format; extra: (name, labels_dict, value) samples computed at scrape time."""
        with self._lock:
            values = dict(self._values)
        for name, labels, value in extra:
            values[self._key(name, labels)] = value
        lines = []
        for name, (kind, help_text) in self._meta.items():
            samples = sorted((k[1], v) for k, v in values.items() if k[0] == name)
            if not samples:
                continue
            lines.append("# HELP %s %s" % (name, help_text))
            lines.append("# TYPE %s %s" % (name, kind))
            for label_text, v in samples:
                lines.append("%s%s %s" % (name, label_text, _number(v)))
        return ("\n".join(lines) + "\n").encode()


def _number(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


class Handler(http.server.BaseHTTPRequestHandler):
    """Base handler: quiet, HTTP/1.1 with Content-Length, JSON and metrics replies."""

    protocol_version = "HTTP/1.1"
    max_body = 8 << 20

    def reply(self, status, body, content_type="application/json"):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reply_metrics(self, text):
        self.reply(200, text, "text/plain; version=0.0.4")

    def read_json(self):
        """The request's JSON body, or None after replying 400/413 itself."""
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > self.max_body:
            self.reply(413 if n > 0 else 400, {"error": "bad or too large Content-Length"})
            self.close_connection = True
            return None
        try:
            return json.loads(self.rfile.read(n) or b"null")
        except ValueError as e:
            self.reply(400, {"error": "body is not JSON: %s" % e})
            return None

    def log_message(self, fmt, *args):  # quiet
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that went away (a scrape that timed out, a killed load generator) is routine.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def serve(port, handler, stop_event=None):
    """Serves on 127.0.0.1:port until SIGTERM or SIGINT; then sets stop_event and returns."""
    srv = Server(("127.0.0.1", port), handler)
    stop_event = stop_event or threading.Event()

    def on_signal(_signum, _frame):
        stop_event.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    srv.serve_forever(poll_interval=0.2)
    stop_event.set()
    srv.server_close()


def write_json(path, value):
    """Writes value as JSON atomically (a temporary file in the same directory, then rename)."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read())
