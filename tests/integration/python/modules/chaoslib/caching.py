def lookup_activity(ref):
    return None
