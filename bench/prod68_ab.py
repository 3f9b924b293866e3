"""What np.prod's gradients and Hessians and np.cumprod's Jacobians of a matrix cost against
another checkout, in range (prod68: the zero-seed mask at every level of a nested np.prod,
cumprod's rows holding a zero factor re-run; the common case should not pay; prints only).

    python bench/prod68_ab.py [--compare /tmp/main_before] [--rounds 3]

Cases: ``dg.gradient`` / ``dg.hessian`` of ``np.prod(x)`` at ``x = linspace(0.5, 1.5, L)``;
``dg.jacobian`` of ``np.cumprod(X, axis=1).sum(axis=0)`` for a (40, L) matrix (the
backend's running-product kernel, its rows' last products checked for a zero), in range
and with a zero factor in every fifth row (the re-run rows).  Each figure the median us of
a call over a second of calls (process time), in fresh processes alternating this
checkout ("after") and ``--compare DIR``.
"""

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg

    def timed(call):
        call()
        times, spent = [], 0.0
        while spent < 1.0 or len(times) < 3:
            t = time.process_time()
            call()
            times.append(time.process_time() - t)
            spent += times[-1]
        return statistics.median(times) * 1e6

    out = {}
    for helper in (dg.gradient, dg.hessian):
        for length in (5, 50) if helper is dg.hessian else (5, 50, 300):
            x = np.linspace(0.5, 1.5, length)
            out[f"{helper.__name__} prod L = {length}"] = timed(lambda: helper(np.prod, x))
    for length in (8, 30):
        X = np.linspace(0.5, 1.5, 40 * length).reshape(40, length)
        Z = X.copy()
        Z[::5, length // 2] = 0.0
        for name, M in (("in range", X), ("zero rows", Z)):
            out[f"jacobian cumprod 40 x {length} {name}"] = timed(
                lambda: dg.jacobian(lambda a: np.cumprod(a, axis=1).sum(axis=0), M))
    print(json.dumps(out))


def main():
    ab_main("prod68_ab.py", child, first="case", digits=0)


if __name__ == "__main__":
    main()
