"""A minimal stand-in for chaostoolkit-lib, for chaosrun's tests only (see ../README.md)."""
