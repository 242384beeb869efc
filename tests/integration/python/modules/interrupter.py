"""A control whose before_activity_control raises InterruptExecution for one activity."""
from chaoslib.exceptions import InterruptExecution


def before_activity_control(context, stop_at, **kwargs):
    if context.get("name") == stop_at:
        raise InterruptExecution("control refuses activity '%s'" % stop_at)
