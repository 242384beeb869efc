"""The benchmark's python probe: returns a constant."""


def ok():
    return True
