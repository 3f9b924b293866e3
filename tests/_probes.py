"""Probes the path tests share (not oracles of numbers: see ``_oracles``)."""

import sys


def python_calls(op):
    """The names of the Python functions ``op()`` calls (``sys.setprofile``): a path
    test asserts which dualgrad functions a fast path runs, and which it skips."""
    seen = []

    def record(frame, event, arg):
        if event == "call":
            seen.append(frame.f_code.co_name)
    sys.setprofile(record)
    try:
        op()
    finally:
        sys.setprofile(None)
    return seen
