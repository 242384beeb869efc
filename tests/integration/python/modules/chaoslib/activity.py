import importlib

from chaoslib.exceptions import ActivityFailed


def run_activity(activity, configuration, secrets):
    """Python providers only: import, call with the arguments, wrap any exception."""
    provider = activity["provider"]
    if provider.get("type") != "python":
        raise ActivityFailed("this stand-in runs python probes only")
    func = getattr(importlib.import_module(provider["module"]), provider["func"])
    try:
        return func(**dict(provider.get("arguments") or {}))
    except Exception as x:
        raise ActivityFailed("%s: %s" % (type(x).__name__, x))
