"""Iterating an array dual (``ArrayDual.__iter__``) and the Euler-Lotka row, against
another checkout (issue 13, scalar74; prints only).

    python bench/iter74_ab.py [--compare /tmp/tl74/scalar74] [--rounds 5]

Each child process times, in CPU us (``time.process_time``, the median of 25 batches
after a warm one): ``list(d)`` of a 50-element one-level dual with 1, 2 and 5 partials
inside ``dg.gradient``; ``list(d)`` and ``sum(d)`` of bench/corpus60.py's 50 two-level
Euler-Lotka terms (a jvp over the helper's dual, one direction each); and
``dg.jacobian`` of the Euler-Lotka row itself.  ``--compare DIR``: fresh processes
alternate this checkout and ``DIR`` (bench/_common.py's ``ab_main``).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)


def _median_us(call, batch):
    call()
    times = []
    for _ in range(25):
        t = time.process_time()
        for _ in range(batch):
            call()
        times.append((time.process_time() - t) / batch * 1e6)
    return statistics.median(times)


def child():
    """Print ``{case: us}`` for this process's dualgrad."""
    import numpy as np

    import corpus60
    import dualgrad as dg
    from dualgrad.api.helpers import jvp

    out = {}
    grid = np.linspace(0.5, 1.5, 50)
    for n in (1, 2, 5):
        def f(q, n=n):
            y = np.exp(q[0] * grid) * q[-1]
            out[f"list(d), one level, n = {n}"] = _median_us(lambda: list(y), 20)
            return q[0]
        dg.gradient(f, np.linspace(0.3, 0.6, n))
    age = np.arange(1.0, 51.0)

    def row(q):
        def g(r):
            terms = np.exp(-r * age) * np.exp(-(1 + 0.5 * q[0]) * age) * 16 * q[0]
            out["list(d), two levels (Euler-Lotka terms)"] = _median_us(lambda: list(terms), 5)
            out["sum(d), two levels (Euler-Lotka terms)"] = _median_us(lambda: sum(terms), 5)
            return 1 - sum(terms)
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    dg.jacobian(row, np.array([1.5]))
    x = np.array([1.5])
    out["Euler-Lotka row, dg.jacobian"] = _median_us(
        lambda: dg.jacobian(corpus60.euler_lotka_row, x), 4)
    print(json.dumps(out))


def main():
    ab_main("iter74_ab.py", child, "case", 1)


if __name__ == "__main__":
    main()
