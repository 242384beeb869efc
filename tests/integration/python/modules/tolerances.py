"""Tolerance probes for tests/integration/python: the probe's output arrives as `value`.

As in the reference, a tolerance probe is validated as an activity before the run, when `value`
is not among its arguments yet: a function whose `value` has no default fails validation."""


def at_least(value=None, minimum=0):
    return value >= minimum


def equals_configured(value=None, configuration=None):
    return value == configuration["expected"]


def token_matches(value=None, secrets=None):
    return secrets is not None and value == secrets.get("token")


def raises(value=None):
    raise RuntimeError("the tolerance itself broke on %r" % (value,))


def needs_value(value, minimum=0):
    return value >= minimum
