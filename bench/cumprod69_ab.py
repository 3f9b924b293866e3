"""What np.cumprod's partials cost against another checkout where the running partials may
leave the float range (cumprod69: each row's factors' and the partials' exponents bound
every product the steps form; a row that could leave the range takes the steps on
(mantissa, exponent) pairs; the rows in range should not pay; prints only).

    python bench/cumprod69_ab.py [--compare /tmp/main_before] [--rounds 3]

Cases: ``dg.jacobian`` of ``np.cumprod(x)`` at ``x = linspace(0.5, 1.5, L)`` (n = L
directions); ``dg.jvp`` (n = 1) and a 4-direction ``dg.jacobian`` of
``np.cumprod(X, axis=0)`` for a (200, 500) matrix in [0.5, 1.5] (many rows of few
directions: the bound's share is largest there); the same 200 x 500 jvp with every tenth
column's factors at 1e+-200 (those rows take the scaled steps; before, wrong numbers),
and NumPy's engine (``dg.backend.use("numpy")``) on the Jacobian at L = 50 in range (the
ratio form) and with a zero factor (before, a dual product a step; now the steps on
(mantissa, exponent) pairs).
Each figure the median us of a call over a second of calls (process time), in fresh
processes alternating this checkout ("after") and ``--compare DIR``.
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
    import warnings

    import numpy as np

    import dualgrad as dg
    warnings.simplefilter("ignore")         # NumPy's own value overflows in the far rows

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
    for length in (50, 300):
        x = np.linspace(0.5, 1.5, length)
        out[f"jacobian L = {length}"] = timed(lambda: dg.jacobian(np.cumprod, x))
    X = np.linspace(0.5, 1.5, 200 * 500).reshape(200, 500)
    dx = np.ones_like(X)
    F = X.copy()
    F[::2, ::10] = 1e200
    F[1::2, ::10] = 1e-200

    def scan(a):
        return np.cumprod(a, axis=0)
    out["jvp 200 x 500 (n = 1)"] = timed(lambda: dg.jvp(scan, X, dx))
    out["jacobian 4 directions 200 x 500"] = timed(
        lambda: dg.jacobian(lambda t: scan(X + t[0] + t[1] * X + t[2] * X**2 + t[3] * X**3),
                            np.zeros(4)))
    out["jvp 200 x 500, 50 far rows"] = timed(lambda: dg.jvp(scan, F, dx))
    x = np.linspace(0.5, 1.5, 50)
    z = x.copy()
    z[25] = 0.0
    with dg.backend.use("numpy"):
        out["numpy engine jacobian L = 50"] = timed(lambda: dg.jacobian(np.cumprod, x))
        out["numpy engine jacobian L = 50, a zero factor"] = timed(
            lambda: dg.jacobian(np.cumprod, z))
    print(json.dumps(out))


def main():
    ab_main("cumprod69_ab.py", child, first="case", digits=0)


if __name__ == "__main__":
    main()
