"""A stand-in for share/chaosrun/bridge.py (python_bridge_response_test.cc): the same protocol
(JSON lines over the two FIFOs named on the command line, a ready line first), but every
request's "lines" are written back as they are, each "{id}" replaced by the request's id, so a
test chooses exactly what chaosrun reads. A request without "lines" (chaosrun's own, when a test
runs the real binary with CHAOSRUN_BRIDGE naming this file) is answered with $STANDIN_ANSWER.
$STANDIN_READY replaces the ready line. Standard library only; never imports or runs anything
from a request."""

import json
import os
import sys


def main():
    out = os.open(sys.argv[2], os.O_WRONLY)

    def write(text):
        view = memoryview((text + "\n").encode("utf-8"))
        while view:
            view = view[os.write(out, view):]

    write(os.environ.get("STANDIN_READY", '{"event": "ready"}'))
    with open(sys.argv[1], "rb") as incoming:
        for line in incoming:
            request = json.loads(line)
            lines = request.get("lines")
            if lines is None:
                lines = [os.environ.get("STANDIN_ANSWER", '{"id": {id}, "ok": true}')]
            for text in lines:
                write(text.replace("{id}", str(request["id"])))


if __name__ == "__main__":
    main()
