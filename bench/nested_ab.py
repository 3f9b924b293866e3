"""The two-level operations of bench/corpus60.py's Euler-Lotka row against another
checkout (issue 13, nested63; prints only).

    python bench/nested_ab.py [--compare /tmp/main_before] [--rounds 5]

``dg.jacobian(euler_lotka_row, [1.5])`` runs ``SUMMATION`` twice with ``r`` a scalar dual
of two levels (a root finder's Newton steps: ``jvp`` on the helper's dual ``x``).  In the
first such call each line's operation is timed on that call's own arguments: the median
of 300 runs (after 30), us of process time (``time.process_time``: the machine is
shared); ``jacobian`` is the median of 40 Jacobians (after 5).  ``--compare DIR``: fresh processes alternate this checkout
("after") and ``DIR`` (the same script, dualgrad imported from each).
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

CASES = {   # label -> the operation, of the names bound in child()'s env
    "-r * age (nested scalar x int grid)": "nr * age",
    "np.exp(a)": "np.exp(a)",
    "e * l (l one level)": "e * l",
    "p * m": "p * m",
    "f[..., None] (inner dual)": "f[..., None]",
    "list(prod) (50 elements)": "list(prod)",
    "sum(prod)": "sum(prod)",
}


def child():
    """Print ``{case: us, "jacobian": us}`` for this process's dualgrad."""
    import numpy as np

    import corpus60
    import dualgrad as dg

    clock = time.process_time         # (this process's CPU: loads of 8-16 on two cores)
    summation = corpus60.SUMMATION
    got = {}

    def timed(code, env):
        for _ in range(30):
            eval(code, env)
        runs = []
        for _ in range(300):
            t = clock()
            eval(code, env)
            runs.append(clock() - t)
        return statistics.median(runs) * 1e6

    def probe(r, x):
        if isinstance(r, dg.Dual) and isinstance(r.value, dg.Dual) and not got:
            age = np.arange(1, 51)
            m = np.repeat(0 + 16 * x, repeats=50)
            l = np.exp(-(1 + 0.5 * x) * age)
            nr = -r
            a = nr * age
            e = np.exp(a)
            p = e * l
            env = {"np": np, "nr": nr, "age": age, "a": a, "e": e, "l": l, "p": p,
                   "m": m, "prod": p * m, "f": np.exp(a.value)}
            for label, line in CASES.items():
                got[label] = timed(compile(line, label, "eval"), env)
        return summation(r, x)
    corpus60.SUMMATION = probe
    x = np.array([1.5])
    dg.jacobian(corpus60.euler_lotka_row, x)
    corpus60.SUMMATION = summation
    times = []
    for k in range(45):
        t = clock()
        dg.jacobian(corpus60.euler_lotka_row, x)
        times.append(clock() - t)
    got["jacobian"] = statistics.median(times[5:]) * 1e6
    print(json.dumps(got))


def main():
    ab_main("nested_ab.py", child, "two-level operation", 1)


if __name__ == "__main__":
    main()
