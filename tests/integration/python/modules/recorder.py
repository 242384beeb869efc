"""A control that records every hook call (one JSON line per call) to the file `path`."""
import json


def _record(path, hook, **fields):
    with open(path, "a") as f:
        f.write(json.dumps(dict(hook=hook, **fields), default=str) + "\n")


def _name(context):
    if isinstance(context, dict):
        return context.get("name") or context.get("title")
    return context


_configured_path = None


def configure_control(path, configuration=None, secrets=None, experiment=None, settings=None):
    global _configured_path
    _configured_path = path
    _record(path, "configure_control", configuration=configuration,
            secret_scopes=sorted((secrets or {}).keys()), title=(experiment or {}).get("title"))


def cleanup_control():
    # No arguments, as the reference calls it: the path comes from the configure call.
    if _configured_path:
        _record(_configured_path, "cleanup_control")


def before_experiment_control(context, path, **kwargs):
    _record(path, "before_experiment_control", context=_name(context))


def after_experiment_control(context, state, path, **kwargs):
    _record(path, "after_experiment_control", context=_name(context), status=state.get("status"))


def before_hypothesis_control(context, path, **kwargs):
    _record(path, "before_hypothesis_control", context=_name(context))


def after_hypothesis_control(context, state, path, **kwargs):
    _record(path, "after_hypothesis_control", context=_name(context),
            met=state.get("steady_state_met"))


def before_method_control(context, path, **kwargs):
    _record(path, "before_method_control", context=_name(context))


def after_method_control(context, state, path, **kwargs):
    _record(path, "after_method_control", context=_name(context), runs=len(state))


def before_rollback_control(context, path, **kwargs):
    _record(path, "before_rollback_control", context=_name(context))


def after_rollback_control(context, state, path, **kwargs):
    _record(path, "after_rollback_control", context=_name(context), runs=len(state))


def before_activity_control(context, path, configuration=None, secrets=None, **kwargs):
    _record(path, "before_activity_control", context=_name(context),
            configuration=configuration, secrets=secrets)


def after_activity_control(context, state, path, **kwargs):
    _record(path, "after_activity_control", context=_name(context), status=state.get("status"))
