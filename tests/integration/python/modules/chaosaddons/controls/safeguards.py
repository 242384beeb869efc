"""Safeguards as chaostoolkit-addons runs them, written for chaosrun's tests.

Each probe of the `probes` argument runs: now (before the experiment goes on, in parallel with
the other such probes), once in the background (`background: true`), or every `frequency`
seconds. A probe whose output misses its tolerance ends the experiment with exit_gracefully()
(SIGUSR1 to this process), unless the experiment has already finished.
"""
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from chaoslib.activity import run_activity
from chaoslib.exceptions import ActivityFailed
from chaoslib.exit import exit_gracefully
from chaoslib.hypothesis import within_tolerance

from .synchronization import experiment_finished


class Guardian(threading.local):
    def __init__(self):
        self._lock = threading.Lock()
        self._interrupted = False

    def trip(self):
        with self._lock:
            first, self._interrupted = not self._interrupted, True
        return first

    def prepare(self, probes):
        self.stop = threading.Event()
        now = [p for p in probes if not p.get("frequency") and not p.get("background")]
        self.now_done = threading.Barrier(parties=len(now) + 1)
        self.pool = ThreadPoolExecutor(max_workers=max(1, len(probes)))

    def run(self, probes, configuration, secrets):
        for p in probes:
            if p.get("frequency"):
                self.pool.submit(run_repeatedly, p, configuration, secrets, self.stop)
            elif p.get("background"):
                self.pool.submit(run_soon, p, configuration, secrets)
            else:
                self.pool.submit(run_now, p, configuration, secrets, self.now_done)
        self.now_done.wait()

    def terminate(self):
        self.stop.set()
        self.pool.shutdown(wait=True)


guardian = Guardian()


def configure_control(configuration=None, secrets=None, settings=None, experiment=None,
                      probes=None):
    guardian.prepare(probes or [])


def before_experiment_control(context, configuration=None, secrets=None, settings=None,
                              experiment=None, probes=None):
    guardian.run(probes or [], configuration, secrets)


def after_experiment_control(**kwargs):
    guardian.terminate()


def run_repeatedly(probe, configuration, secrets, stop):
    while not stop.is_set():
        run = execute(probe, configuration, secrets)
        stop.wait(timeout=probe.get("frequency"))
        interrupt_on_unhealthy(probe, run, configuration, secrets)


def run_soon(probe, configuration, secrets):
    interrupt_on_unhealthy(probe, execute(probe, configuration, secrets), configuration, secrets)


def run_now(probe, configuration, secrets, done):
    try:
        run = execute(probe, configuration, secrets)
    finally:
        done.wait()
    interrupt_on_unhealthy(probe, run, configuration, secrets)


def interrupt_on_unhealthy(probe, run, configuration, secrets):
    if experiment_finished.is_set():
        return
    if not within_tolerance(probe.get("tolerance"), run["output"], configuration, secrets):
        if guardian.trip() and not experiment_finished.is_set():
            exit_gracefully()


def execute(probe, configuration, secrets):
    run = {"activity": dict(probe), "output": None}
    try:
        run["output"] = run_activity(probe, configuration, secrets)
        run["status"] = "succeeded"
    except ActivityFailed as x:
        run["status"] = "failed"
        run["exception"] = traceback.format_exception(type(x), x, None)
    return run
