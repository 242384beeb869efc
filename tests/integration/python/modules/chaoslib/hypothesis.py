def within_tolerance(tolerance, value, configuration=None, secrets=None):
    """Booleans, numbers and strings compare by equality; a list means 'one of'."""
    if isinstance(tolerance, list):
        return value in tolerance
    return value == tolerance
