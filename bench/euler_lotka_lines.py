"""Where bench/corpus60.py's Euler-Lotka row spends a Jacobian (issue 13, loops61): the
time of each line of its ``SUMMATION`` in the calls that carry duals, against another
checkout (prints only).

    python bench/euler_lotka_lines.py [--compare /tmp/main_before] [--rounds 3]

``dg.jacobian(euler_lotka_row, [1.5])`` runs ``SUMMATION`` about ten times on floats
(SciPy's brentq on the stripped function), once with ``x`` a dual (the depth probe of
``dualgrad.scipy.optimize._polished``) and twice with ``r`` and ``x`` duals of two calls
(the Newton steps' ``jvp``).  A copy of ``SUMMATION`` with a clock between its lines
stands in for it; each figure is the median over 40 Jacobians (after 5) of one line in
one kind of call, us (``time.perf_counter``), and ``jacobian`` the median Jacobian.
``--compare DIR``: fresh processes alternate this checkout ("after") and ``DIR``.
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

LINES = ["m = np.repeat(16 x)", "l = np.exp(-(1 + x / 2) age)", "np.exp(-r age)",
         "e * l * m", "sum(...)", "1 - Sum"]


def child():
    """Print ``{"kind: line": us, "jacobian": us}`` for this process's dualgrad."""
    import numpy as np

    import corpus60
    import dualgrad as dg

    clock = time.perf_counter
    got = {}

    def SUMMATION(r, x):                # corpus60.SUMMATION, a clock between its lines
        t0 = clock()
        age = np.arange(1, 51)
        m = np.repeat(0 + 16 * x, repeats=50)
        t1 = clock()
        l = np.exp(-(1 + 0.5 * x) * age)
        t2 = clock()
        e = np.exp(-r * age)
        t3 = clock()
        prod = e * l * m
        t4 = clock()
        Sum = sum(prod)
        t5 = clock()
        out = 1 - Sum
        t6 = clock()
        kind = ("two levels" if isinstance(r, dg.Dual) else "x dual"
                if isinstance(x, dg.Dual) else "floats")
        got.setdefault(kind, []).append([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                         t6 - t5])
        return out
    corpus60.SUMMATION = SUMMATION
    x = np.array([1.5])
    times = []
    for k in range(45):
        if k == 5:
            got.clear()
        t = clock()
        dg.jacobian(corpus60.euler_lotka_row, x)
        times.append(clock() - t)
    out = {"jacobian": statistics.median(times[5:]) * 1e6}
    for kind, rows in got.items():
        for i, line in enumerate(LINES):
            out[f"{kind}: {line}"] = statistics.median(r[i] for r in rows) * 1e6
    print(json.dumps(out))


def main():
    ab_main("euler_lotka_lines.py", child, "call: line", 1)


if __name__ == "__main__":
    main()
