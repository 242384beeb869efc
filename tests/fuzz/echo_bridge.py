"""fuzz_python_bridge's stand-in for share/chaosrun/bridge.py: the same protocol (JSON lines over
the two FIFOs named on the command line, {"event": "ready"} first), but every request's "raw"
text is the response: each of its lines but the last is written as sent, then the last line,
when it is a JSON object, with the request's id set (else {"ok": true, "result": the line}; an
event object is written as sent and followed by {"ok": true}).
Standard library only; never imports or runs anything from a request."""

import json
import os
import sys


def main():
    requests, responses = sys.argv[1], sys.argv[2]
    out = os.open(responses, os.O_WRONLY)

    def write(data):
        view = memoryview(data)
        while view:
            view = view[os.write(out, view):]

    write(b'{"event": "ready"}\n')
    with open(requests, "rb") as incoming:
        for line in incoming:
            request = json.loads(line)
            lines = str(request.get("raw", "")).split("\n")
            if len(lines) > 1:
                write(("\n".join(lines[:-1]) + "\n").encode("utf-8", "replace"))
            try:
                reply = json.loads(lines[-1])
            except ValueError:
                reply = None
            if isinstance(reply, dict) and "event" in reply:
                # An event (e.g. an interrupt) is never a reply: sent as it is, then a reply, so
                # the call still ends at once.
                write((lines[-1] + "\n").encode("utf-8", "replace"))
                reply = {"ok": True}
            if not isinstance(reply, dict):
                reply = {"ok": True, "result": lines[-1]}
            reply["id"] = request["id"]
            try:
                text = json.dumps(reply, allow_nan=False)
            except (ValueError, TypeError):
                text = json.dumps({"id": request["id"], "ok": True})
            write((text + "\n").encode("utf-8", "replace"))


if __name__ == "__main__":
    main()
