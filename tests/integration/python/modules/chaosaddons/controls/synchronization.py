"""Marks the experiment finished so a late safeguard does not interrupt it (as chaosaddons)."""
import threading

experiment_finished = threading.Event()


def before_experiment_control(context, **kwargs):
    experiment_finished.clear()


def after_experiment_control(context, state, **kwargs):
    experiment_finished.set()
