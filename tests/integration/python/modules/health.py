"""Probes for the safeguard tests."""


def process_running(pid):
    """False once the process is stopped (state T) or gone."""
    try:
        with open("/proc/%d/stat" % int(pid)) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("T", "t")


def healthy():
    return True
