"""Where one ``dg.quad`` of bench/corpus62.py's luminosity-distance row spends its time
inside a derivative, against the float integral approx_fprime pays for (issue 13,
nested63; prints only).

    python bench/quad_phases63.py [--compare /tmp/main_before] [--rounds 3]

The call: ``dg.quad(lambda Z: 1 / H(Z, h, Om), 0, s)`` with ``h``, ``Om``, ``s`` the
row's scalar duals (3 directions, inside ``dg.jacobian``).  Process time (us, the median
of 7 repeats, ``_common.median_time``) of the whole call, and of its phases counted by
wrappers around ``dualgrad.api._quad``'s functions over 200 calls: the 21-node rule
(``_adaptive``: func at each node under the branch watch, the rule's sums), the moving
limit's term (``_limit_term``), the moving-gap check (``_gaps_resolved``), the result's
levels (``build``); "func on duals" is the integrand at one float node with the
row's dual parameters, outside any watch (21 of them are the floor of the rule's
nodes); "scipy quad" the float integral (SciPy's ``quad``; approx_fprime's f runs four
of them per evaluation).  ``--compare DIR``: fresh processes alternate this checkout
("after") and ``DIR``.
"""

import json
import os
import sys
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main, median_time  # noqa: E402

PHASES = ("_adaptive", "_limit_term", "_gaps_resolved", "build")


def child():
    """Print ``{case: us}`` for this process's dualgrad."""
    import numpy as np
    import scipy.integrate

    import dualgrad as dg
    from dualgrad.api import _quad
    from corpus62 import H

    clock = time.process_time
    out = {}
    spent = dict.fromkeys(PHASES, 0.0)

    def wrapped(name):
        real = getattr(_quad, name)

        def timed(*args, **kwargs):
            t = clock()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name] += clock() - t
        return timed

    def one(q):
        call = (lambda: dg.quad(lambda Z: 1 / H(Z, q[0], q[1]), 0, q[2])[0])
        out["one dg.quad (whole)"] = 1e6 * median_time(call, 7, 0.02, clock=clock)
        out["func on duals, one node"] = 1e6 * median_time(
            lambda: 1 / H(0.37, q[0], q[1]), 7, 0.02, clock=clock)
        reals = {name: getattr(_quad, name) for name in PHASES}
        for name in PHASES:
            setattr(_quad, name, wrapped(name))
        try:
            for _ in range(200):
                call()
        finally:
            for name, real in reals.items():
                setattr(_quad, name, real)
        for name in PHASES:
            out[f"phase {name}"] = 1e6 * spent[name] / 200
        return q
    dg.jacobian(one, np.array([0.7, 0.284, 1.0]))
    out["scipy quad (floats)"] = 1e6 * median_time(
        lambda: scipy.integrate.quad(lambda Z: 1 / H(Z, 0.7, 0.284), 0, 1.0)[0], 7, 0.02,
        clock=clock)
    out["dg.quad (floats)"] = 1e6 * median_time(
        lambda: dg.quad(lambda Z: 1 / H(Z, 0.7, 0.284), 0, 1.0)[0], 7, 0.02, clock=clock)
    print(json.dumps(out))


def main():
    ab_main("quad_phases63.py", child, "one dg.quad of the d_L row", 1)


if __name__ == "__main__":
    main()
