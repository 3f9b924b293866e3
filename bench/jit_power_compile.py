"""What a jitted ``x ** y`` of duals costs to compile against another checkout (farpow67:
the jit wing's power terms took the extended-range form; prints only).

    python bench/jit_power_compile.py [--compare /tmp/main_before] [--rounds 3]

Each fresh process jits ``np.sin(x) * x`` first (the extension's import and its first
compile, not counted), then times in CPU microseconds the first ``dg.jvp`` through a jitted ``x **
y`` of two duals, of a dual and a float, and of ``np.sin(x) * x`` again in a new
function (the untouched baseline), alternating this checkout ("after") and ``--compare
DIR``.  numba's disk cache holds what each side compiled before, as a user's second run
finds it: run it twice, the first rounds fill the cache.
"""

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numba
    import numpy as np

    import dualgrad as dg

    z, v = np.array([1.5, 2.5]), np.array([1.0, 0.0])
    first = numba.njit(lambda x: np.sin(x) * x)
    dg.jvp(lambda w: first(w[0]), z, v)
    out = {}
    for name, fn, call in (
            ("x ** y (duals)", numba.njit(lambda x, y: x ** y), lambda f, w: f(w[0], w[1])),
            ("x ** 2.5", numba.njit(lambda x, y: x ** y), lambda f, w: f(w[0], 2.5)),
            ("sin(x) * x (untouched)", numba.njit(lambda x: np.sin(x) * x),
             lambda f, w: f(w[0]))):
        t = time.process_time()
        dg.jvp(lambda w: call(fn, w), z, v)
        out[name] = (time.process_time() - t) * 1e6
    print(json.dumps(out))


def main():
    ab_main("jit_power_compile.py", child, digits=0)


if __name__ == "__main__":
    main()
