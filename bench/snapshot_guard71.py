"""exact71's two hot-path additions, timed against another checkout.

    python bench/snapshot_guard71.py --compare DIR [--rounds 5]

(1) ``np.asarray`` of a dual array inside a helper's pass now hands out a view of the
object array it made and keeps that array until the pass ends (``_snapshots.guard``:
NumPy's ufunc.at writes past the read-only flag), and the pass's end compares its
elements: ``dg.gradient(scipy.optimize.rosen, x)`` (SciPy's ``np.asarray`` of the seed)
at n = 2 and 10, and a plain ``np.asarray(x)`` in f.  (2) a scalar dual's + - * /
with a number tests whether the float result left the normal range (NumPy's float64
scalar operator then reports): ``dg.derivative`` of a 50-step loop of ``u * 0.99 +
0.01`` and of ``u / 3.0 - 1.0``.  Each side a fresh process (``PYTHONPATH``: this
checkout "after", ``DIR`` "before", alternating); medians in microseconds, CPU time.
"""

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402


def child():
    import numpy as np
    from scipy.optimize import rosen
    import dualgrad as dg

    def loop(u):
        for _ in range(50):
            u = u * 0.99 + 0.01
        return u

    def quotient(u):
        for _ in range(50):
            u = u / 3.0 - 1.0
        return u

    def snap(x):
        y = np.asarray(x)
        return (x * x).sum() + y[0]

    x2, x10 = np.array([0.3, -1.2]), np.linspace(-1, 1, 10)
    cases = {"gradient(rosen) n=2": lambda: dg.gradient(rosen, x2),
             "gradient(rosen) n=10": lambda: dg.gradient(rosen, x10),
             "gradient(np.asarray in f) n=10": lambda: dg.gradient(snap, x10),
             "derivative(u * 0.99 + 0.01, 50 steps)": lambda: dg.derivative(loop, 0.5),
             "derivative(u / 3.0 - 1.0, 50 steps)": lambda: dg.derivative(quotient, 0.5)}
    out = {name: 1e6 * _common.median_time(fn, repeat=9, clock=time.process_time)
           for name, fn in cases.items()}
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child()
        return
    _common.sides_table(__file__, args.compare, args.rounds, [], "case (us)")


if __name__ == "__main__":
    main()
