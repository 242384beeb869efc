import does_not_exist_anywhere  # noqa: F401  (the control cannot be loaded)
