"""chaosrun's python bridge: runs python providers and controls for one chaosrun run.

Started by chaosrun (src/providers/python_bridge.cc) as
    python3 bridge.py REQUESTS_FIFO RESPONSES_FIFO
It reads requests, one JSON object per line, from REQUESTS_FIFO and writes one JSON object per
line to RESPONSES_FIFO. stdin, stdout and stderr stay the module's own: a module that prints
cannot corrupt the protocol. Standard library only. See docs/python.md.

Requests: {"id": N, "op": "ping" | "call" | "validate" | "load" | "control", ...}.
Responses: {"id": N, "ok": true, "result": ...} or
           {"id": N, "ok": false, "error": "Type: message", "traceback": [lines],
            "interrupt": true|false}.
Events (no id): {"event": "interrupt", "signal": "SIGUSR1" | "SIGUSR2", "reason": "..."}, sent
when something in the bridge sends itself SIGUSR1/SIGUSR2 (the reference's exit_gracefully() and
exit_ungracefully(), e.g. a tripped chaosaddons safeguard).
"""

import importlib
import json
import os
import queue
import signal
import sys
import threading

MAX_LINE = 64 << 20  # bytes; a longer request is refused

_write_lock = threading.Lock()
_out = None


def send(message):
    data = (json.dumps(message, default=_journal_default) + "\n").encode("utf-8")
    with _write_lock:
        view = memoryview(data)
        while view:
            n = os.write(_out, view)
            view = view[n:]


def _journal_default(value):
    # What the reference's journal encoder does with values JSON cannot hold: dates and times
    # as ISO text, decimals and UUIDs as text; anything else as its str().
    iso = getattr(value, "isoformat", None)
    if callable(iso):
        return iso()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _signature(func):
    import inspect

    return inspect.signature(func)


def _is_interrupt(exc):
    # chaoslib.exceptions.InterruptExecution (or a subclass), recognised by name so the bridge
    # needs no chaoslib.
    return any(c.__name__ == "InterruptExecution" for c in type(exc).__mro__)


def _error(exc):
    import traceback

    tb = exc.__traceback__
    # Drop the bridge's own frames: the journal shows the module's.
    while tb is not None and tb.tb_frame.f_globals.get("__name__") == __name__:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb)
    only = traceback.format_exception_only(type(exc), exc)[0].strip()
    return {"ok": False, "error": only, "traceback": lines, "interrupt": _is_interrupt(exc)}


def _merged_secrets(request):
    merged = {}
    for scope in request.get("secret_scopes") or []:
        merged.update(dict((request.get("secrets") or {}).get(scope) or {}))
    return merged


def op_call(request):
    mod = importlib.import_module(request["module"])
    func = getattr(mod, request["func"])
    arguments = dict(request.get("arguments") or {})
    params = _signature(func).parameters
    if "secret_scopes" in request and "secrets" in params:
        arguments["secrets"] = _merged_secrets(request)
    if "configuration" in params:
        arguments["configuration"] = dict(request.get("configuration") or {})
    return func(**arguments)


def op_validate(request):
    """The reference's validate_python_activity: the first problem's message, or None."""
    import inspect

    mod_name, func_name = request["module"], request["func"]
    kind, name = request.get("activity_type", "activity"), request.get("activity_name", "")
    try:
        mod = importlib.import_module(mod_name)
    except ImportError:
        return "could not find Python module '%s' in activity '%s'" % (mod_name, name)
    members = dict(inspect.getmembers(mod, inspect.isfunction))
    members.update(inspect.getmembers(mod, inspect.isbuiltin))
    func = members.get(func_name)
    if func is None:
        return "The python module '%s' does not expose a function called '%s' in %s '%s'" % (
            mod_name, func_name, kind, name)
    args = dict(request.get("arguments") or {})
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    for injected in ("secrets", "configuration"):
        if injected in sig.parameters:
            args[injected] = None
    try:
        sig.bind(**args)
    except TypeError as x:
        msg = str(x)
        if "missing" in msg:
            arg = msg.rsplit(":", 1)[1].strip()
            return "required argument %s is missing from activity '%s'" % (arg, func_name)
        if "unexpected" in msg:
            arg = msg.rsplit(" ", 1)[1].strip()
            return "argument %s is not part of the function signature in activity '%s'" % (
                arg, func_name)
        return msg
    return None


HOOKS = ("configure_control", "cleanup_control") + tuple(
    "%s_%s_control" % (when, level)
    for level in ("experiment", "hypothesis", "method", "rollback", "activity")
    for when in ("before", "after"))


def op_load(request):
    """Imports a control module; returns the hooks it defines (ImportError is the error)."""
    mod = importlib.import_module(request["module"])
    return [h for h in HOOKS if callable(getattr(mod, h, None))]


def op_control(request):
    """Calls one hook of a control module with the reference's arguments."""
    mod = importlib.import_module(request["module"])
    hook = request["hook"]
    func = getattr(mod, hook, None)
    if not callable(func):
        return False
    if hook == "cleanup_control":
        func()
        return True
    params = _signature(func).parameters
    arguments = dict(request.get("arguments") or {})
    available = {
        "configuration": request.get("configuration") or {},
        "secrets": request.get("secrets") or {},
        "experiment": request.get("experiment"),
        "extensions": (request.get("experiment") or {}).get("extensions"),
        "settings": request.get("settings"),
    }
    if hook == "configure_control":
        for key in ("experiment", "secrets", "configuration", "settings"):
            if key in params:
                arguments[key] = available[key]
        func(**arguments)
        return True
    if "secret_scopes" in request and "secrets" in params:
        arguments["secrets"] = _merged_secrets(request)
    if "configuration" in params:
        arguments["configuration"] = dict(available["configuration"])
    if "state" in params:
        arguments["state"] = request.get("state")
    for key in ("experiment", "extensions", "settings"):
        if key in params:
            arguments[key] = available[key]
    func(context=request.get("context"), **arguments)
    return True


OPS = {
    "ping": lambda r: {"python": sys.version.split()[0], "executable": sys.executable},
    "call": op_call,
    "validate": op_validate,
    "load": op_load,
    "control": op_control,
}


def handle(request):
    if not isinstance(request, dict):
        return
    rid = request.get("id")
    try:
        op = OPS.get(request.get("op"))
        if op is None:
            raise ValueError("unknown op %r" % (request.get("op"),))
        response = {"ok": True, "result": op(request)}
    except BaseException as x:  # SystemExit, KeyboardInterrupt too: data, never the bridge's end
        response = _error(x)
    response["id"] = rid
    try:
        send(response)
    except (TypeError, ValueError) as x:  # e.g. a circular result
        send({"id": rid, "ok": False, "error": "the result cannot be encoded: %s" % x,
              "traceback": [], "interrupt": False})


def serve_controls(requests):
    while True:
        handle(requests.get())


def watch_signals(read_fd):
    names = {signal.SIGUSR1: "SIGUSR1", signal.SIGUSR2: "SIGUSR2"}
    while True:
        data = os.read(read_fd, 64)
        if not data:
            return
        for signum in data:
            if signum in names:
                send({"event": "interrupt", "signal": names[signum],
                      "reason": "the python bridge received %s" % names[signum]})


def main(argv):
    global _out
    if len(argv) != 3:
        sys.stderr.write("usage: bridge.py REQUESTS_FIFO RESPONSES_FIFO\n")
        return 2
    # Modules are found on the interpreter's own path (PYTHONPATH, site-packages, a venv's),
    # not in chaosrun's share directory.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        del sys.path[0]
    # chaosrun opened both FIFOs before starting the bridge (it holds the requests open for
    # writing until the run ends): neither open blocks.
    _out = os.open(argv[2], os.O_WRONLY)
    requests = os.open(argv[1], os.O_RDONLY)
    # SIGUSR1/SIGUSR2 sent to the bridge (by whichever thread) become interrupt events: the C
    # handler writes the signal number to the wakeup pipe, a thread forwards it.
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    for s in (signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(s, lambda *_: None)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    threading.Thread(target=watch_signals, args=(wake_r,), daemon=True).start()
    controls = queue.SimpleQueue()
    threading.Thread(target=serve_controls, args=(controls,), daemon=True).start()
    send({"event": "ready", "pid": os.getpid()})

    stream = os.fdopen(requests, "rb", buffering=1 << 16)
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            break
        if len(line) > MAX_LINE:
            sys.stderr.write("chaosrun bridge: a request longer than %d bytes\n" % MAX_LINE)
            break
        try:
            request = json.loads(line)
        except ValueError as x:
            sys.stderr.write("chaosrun bridge: a request that is not JSON: %s\n" % x)
            continue
        op = request.get("op") if isinstance(request, dict) else None
        if op in ("validate", "ping"):
            handle(request)  # quick and in order
        elif op in ("load", "control"):
            controls.put(request)  # one thread for every hook, as in the reference
        else:
            threading.Thread(target=handle, args=(request,), daemon=True).start()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # chaosrun closed the requests: the run is over, whatever threads remain


if __name__ == "__main__":
    sys.exit(main(sys.argv))
