"""A scalar dual compared with a float, against another checkout.

    python bench/compare_floats.py --compare DIR [--rounds 5] [--reps 2000]

NumPy's float64 scalar on the left of a scalar dual (``t < d``: NumPy's scalar asks
the ufunc, so ``np.less`` reaches the dual's ``__array_ufunc__``), the ufuncs called
by name (``np.less(d, 0.5)``, ``np.isnan(d)``), the operator on the dual's side
(``d < t``) as the floor, and the row that met it: PythonRobotics' cubic spline
path (bench/corpus69.py, ``bisect`` over dual knots, 480 comparisons a Jacobian),
its ``dg.jacobian`` against its ``f`` in the same process.  Sides as
bench/heat70_ops.py (fresh processes alternating, this checkout "after", ``DIR``
"before"; microseconds, medians over ``reps`` then over rounds).
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import _common  # noqa: E402


def child(reps):
    import numpy as np
    import dualgrad as dg
    import corpus69
    clock = time.perf_counter_ns
    times = {}

    def f(x):
        d = x[0] * 1.0
        t = np.float64(0.5)
        ops = {"t < d": lambda: t < d, "np.less(d, 0.5)": lambda: np.less(d, 0.5),
               "np.greater_equal(t, d)": lambda: np.greater_equal(t, d),
               "np.isnan(d)": lambda: np.isnan(d), "floor: d < t": lambda: d < t}
        for _ in range(reps):
            for name, op in ops.items():
                s = clock()
                op()
                times.setdefault(name, []).append(clock() - s)
        return x.sum()
    dg.gradient(f, np.arange(7.0))
    row, y0 = corpus69.PROBLEMS69["cubic spline path, solve + bisect (7)"]
    for name, call in (("spline: f", lambda: row(y0)),
                       ("spline: dg.jacobian", lambda: dg.jacobian(row, y0))):
        call()
        samples = []
        for _ in range(max(reps // 40, 5)):
            s = clock()
            call()
            samples.append(clock() - s)
        times[name] = samples
    out = {k: statistics.median(v) / 1e3 for k, v in times.items()}
    out["spline: jacobian / f"] = out["spline: dg.jacobian"] / out["spline: f"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.reps)))
        return
    _common.sides_table(__file__, a.compare, a.rounds, ["--reps", str(a.reps)],
                        "operation (n = 7; us, medians)")


if __name__ == "__main__":
    main()
