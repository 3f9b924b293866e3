"""Python's iteration over array duals and a right-hand side's list of scalar duals (issue
13, loops61), against another checkout (prints only).

    python bench/iterate_ab.py [--compare /tmp/main_before] [--rounds 3]

Cases, each inside the helper's call that makes the duals: ``list(d)``, ``sum(d)`` and
``A, B, C = y`` of one-level 1-D array duals (``np.exp`` of the seed: 2 directions,
lengths 3 and 50), ``list(d)`` and ``sum(d)`` of a two-level one (the inner function of a
``jvp`` inside ``dg.jacobian``: the Euler-Lotka root's Newton steps, 50 ages), and one call
of bench/corpus60.py's kinetics right-hand side as ``dg.solve_ivp`` makes it (the
augmented system's ``rates``: the state's dual, ``X``'s list of three scalar duals, their
read into one array dual).  Each time is the median of 400 calls (``time.perf_counter``,
us).  ``--compare DIR``: fresh processes alternate this checkout ("after") and ``DIR`` for
``--rounds`` rounds; ``this / other`` is the median over rounds of the times' quotient.
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
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import corpus60
    import dualgrad as dg
    from dualgrad.api import _ode
    from dualgrad.api.helpers import jvp

    out = {}

    def clock(name, fn, reps=400):
        fn()
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        out[name] = statistics.median(times) * 1e6

    def flat(q):
        for m in (3, 50):
            d = np.exp(q[0] * np.arange(1.0, m + 1.0)) * q[1]
            clock(f"list(d), 1 level, {m}", lambda: list(d))
            clock(f"sum(d), 1 level, {m}", lambda: sum(d))
        y = q[:1] * np.array([1.0, 2.0, 3.0]) + q[1]
        clock("A, B, C = y", lambda: tuple(y))
        return q
    dg.jacobian(flat, np.array([0.01, 2.0]))

    age = np.arange(1.0, 51.0)

    def nested(q):
        def g(r):
            d = np.exp(-r * age) * np.exp(-q[0] * age)
            clock("list(d), 2 levels, 50", lambda: list(d))
            clock("sum(d), 2 levels, 50", lambda: sum(d))
            return sum(d)
        return np.atleast_1d(jvp(g, 0.1, 1.0)[1])
    dg.jacobian(nested, np.array([1.5]))

    calls = []
    rates = _ode._Augmented.rates

    def spy(self, t, z):
        if not calls:
            calls.append(lambda: rates(self, t, z))
            clock("kinetics rhs call (rates)", calls[0])
        return rates(self, t, z)
    _ode._Augmented.rates = spy
    dg.jacobian(corpus60.kinetics_row, np.array([6.0, 3.0]))
    _ode._Augmented.rates = rates
    print(json.dumps(out))


def main():
    ab_main("iterate_ab.py", child, "case", 2)


if __name__ == "__main__":
    main()
