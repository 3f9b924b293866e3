"""exact73's additions on paths that run, timed against another checkout.

    python bench/snapshot_at73.py --compare DIR [--rounds 5]

(1) ``np.asarray`` of an array dual of no helper call (``dg.Dual(value, deriv)``, tag
0) hands out watched elements (``_scalar.watched_class``: each operator asks whether
NumPy's ``ufunc.at`` called it, then runs as the plain class): ``np.asarray(d).sum()``
at n = 3 and 100, ``y[0] * y[1] + y[2]`` on the snapshot.  (2) a scalar dual's
``__array_ufunc__`` picks the reflected operator's ufunc twin for a Python number on
the left (``np.multiply(2.0, s)``; ``np.float64(2.0) * s`` keeps the operator).  (3) a
helper's own snapshot path, unchanged in kind: ``dg.gradient(scipy.optimize.rosen)``
at n = 2 (SciPy's ``np.asarray`` of the seed).  Each side a fresh process
(``PYTHONPATH``: this checkout "after", ``DIR`` "before", alternating); medians in
microseconds, CPU time.
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

    d3 = dg.Dual(np.array([0.7, -1.3, 2.1]), np.eye(3))
    d100 = dg.Dual(np.linspace(0.1, 1.0, 100), np.eye(100)[:, :3].copy())
    y3 = np.asarray(d3)
    s = dg.Dual(1.5, np.array([1.0, 0.0]))
    x2 = np.array([0.3, -1.2])
    cases = {"np.asarray(d).sum() n=3": lambda: np.asarray(d3).sum(),
             "np.asarray(d).sum() n=100": lambda: np.asarray(d100).sum(),
             "y[0] * y[1] + y[2] (snapshot)": lambda: y3[0] * y3[1] + y3[2],
             "np.multiply(2.0, s)": lambda: np.multiply(2.0, s),
             "np.float64(2.0) * s": lambda: np.float64(2.0) * s,
             "gradient(rosen) n=2": lambda: dg.gradient(rosen, x2)}
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
