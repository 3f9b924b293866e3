"""Where bench/corpus60.py's Euler-Lotka Jacobian goes, and the root finder's bookkeeping
around f, against another checkout (issue 13, loops65; prints only).

    python bench/root_steps_ab.py [--compare /tmp/main_before] [--rounds 5]

``dg.jacobian(euler_lotka_row, [1.5])`` runs dualgrad.scipy.optimize.brentq: SciPy's
brentq on the plain ``SUMMATION`` (about ten calls), one call with ``x`` a dual (the
depth probe of ``_polished``) and two ``jvp`` Newton steps (``r`` one, then two levels).
Rows: the Jacobian (median of 200, after 10), each kind of ``SUMMATION`` call inside it
and the rest (``jvp``'s and the settle test's bookkeeping, SciPy's loop, the helper's),
all per Jacobian from the same 200 calls; then, inside a Jacobian's pass, ``np.shape``
of a scalar dual, ``dg.jvp`` of the identity at a scalar dual and ``_largest`` of one
(medians of 2,000).  us of process time (``time.process_time``: the machine is shared).
``--compare DIR``: fresh processes alternate this checkout and ``DIR`` (this script,
dualgrad imported from each).
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


def child():
    """Print ``{row: us}`` for this process's dualgrad."""
    import numpy as np

    import corpus60
    import dualgrad as dg
    from dualgrad.scipy import optimize

    clock = time.process_time
    summation = corpus60.SUMMATION
    spent = {}

    def depth(v):
        k = 0
        while isinstance(v, dg.Dual):
            k, v = k + 1, v.value
        return k

    def timed_summation(r, x):
        t = clock()
        out = summation(r, x)
        t = clock() - t
        key = ("SUMMATION plain (SciPy's brentq)", "SUMMATION, x a dual (the probe)",
               "SUMMATION, r and x one level (jvp 1)", "SUMMATION, r two levels (jvp 2)")[
            min(depth(x) + depth(r), 3)]
        spent[key] = spent.get(key, 0.0) + t
        return out

    x = np.array([1.5])
    corpus60.SUMMATION = timed_summation
    for _ in range(10):
        dg.jacobian(corpus60.euler_lotka_row, x)
    spent.clear()
    runs = []
    for _ in range(200):
        t = clock()
        dg.jacobian(corpus60.euler_lotka_row, x)
        runs.append(clock() - t)
    corpus60.SUMMATION = summation
    got = {"jacobian": statistics.median(runs) * 1e6}
    for key, total in spent.items():
        got[key] = total / len(runs) * 1e6
    got["the rest (mean)"] = (statistics.mean(runs) - sum(spent.values()) / len(runs)) * 1e6

    def timed(call):
        for _ in range(50):
            call()
        out = []
        for _ in range(2000):
            t = clock()
            call()
            out.append(clock() - t)
        return statistics.median(out) * 1e6

    def inside(q):
        s = q[0] * 0.5 + 0.25
        got["np.shape(scalar dual)"] = timed(lambda: np.shape(s))
        got["dg.jvp(lambda t: t, scalar dual, 1.0)"] = timed(
            lambda: dg.jvp(lambda t: t, s, 1.0))
        got["_largest(scalar dual)"] = timed(lambda: optimize._largest(s))
        return q

    dg.jacobian(inside, x)
    print(json.dumps(got))


def main():
    ab_main("root_steps_ab.py", child, "Euler-Lotka Jacobian, per call", 1)


if __name__ == "__main__":
    main()
