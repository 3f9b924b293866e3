"""Probes tests share (not oracles of numbers: see ``_oracles``): the Python calls a path
makes, the number a message's spelling gives."""

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


def spelled(spelling, names):
    """Evaluate a message's NumPy spelling, its "with name = ..." helpers first, with
    ``names`` (the call's operands) in scope: a refusal's fix must give the number."""
    import numpy as np
    import scipy
    main, _, defs = spelling.partition(" with ")
    space = {"np": np, "scipy": scipy, **names}
    for part in reversed(defs.split(" and ") if defs else []):
        name, _, expr = part.partition(" = ")
        space[name] = eval(expr, space)                              # noqa: S307
    return eval(main, space)                                         # noqa: S307
