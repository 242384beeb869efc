"""Functions for the python-bridge tests."""
import os
import signal
import sys
import time


def value(kind):
    return {
        "null": None,
        "bool": True,
        "int": 42,
        "float": 2.5,
        "string": "héllo",
        "list": [1, "two", None, False],
        "object": {"a": {"b": [1, 2]}},
        "tuple": (1, 2),
        "set": {3},
        "bytes": b"raw",
        "other": object.__new__(Opaque),
    }[kind]


class Opaque:
    def __str__(self):
        return "opaque thing"


def noisy():
    print("printed on stdout, not on the protocol")
    sys.stderr.write("written on stderr\n")
    return "quiet"


def boom(message="it broke"):
    raise ValueError(message)


def interrupt():
    from chaoslib.exceptions import InterruptExecution

    raise InterruptExecution("an activity asked to stop")


def mark_and_hang(path):
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    while True:
        time.sleep(3600)


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def with_configuration(configuration, x=0):
    return {"configuration": configuration, "x": x}


def with_secrets(secrets):
    return {"secrets": secrets}


def with_both(configuration, secrets):
    return {"configuration": configuration, "secrets": secrets}


def plain(a, b=2):
    return a + b


def pid():
    return os.getpid()


def graceful():
    from chaoslib.exit import exit_gracefully

    exit_gracefully()
    return "asked"
