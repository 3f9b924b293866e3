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


def fresh_runs(script, cache, times=2, timeout=600):
    """The last stdout line (JSON) of ``script`` run ``times`` in fresh processes on one
    numba cache directory ``cache`` (cold, then warm), dualgrad from this checkout and
    the default engine: what a first call compiles, loads or imports."""
    import json
    import os
    import subprocess
    import dualgrad
    root = os.path.dirname(os.path.dirname(os.path.abspath(dualgrad.__file__)))
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), PYTHONPATH=root)
    env.pop("DUALGRAD_ENGINE", None)
    got = []
    for _ in range(times):
        run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             env=env, cwd=cache, timeout=timeout)
        assert run.returncode == 0, run.stderr[-3000:]
        got.append(json.loads(run.stdout.strip().splitlines()[-1]))
    return got


def same_bits(got, want):
    """Equal bits (NaN included), shapes and dtypes of two duals' values and partials."""
    import numpy as np
    for x, y in ((got.value, want.value), (got.partials, want.partials)):
        x, y = np.asarray(x), np.asarray(y)
        assert x.shape == y.shape and x.dtype == y.dtype
        assert x.tobytes() == y.tobytes(), (x, y)
