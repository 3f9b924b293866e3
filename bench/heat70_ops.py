"""The Python of a heat step's fixed costs that heat70 cut, against another checkout.

    python bench/heat70_ops.py --compare DIR [--rounds 5] [--n 10000] [--reps 300]

As bench/heat69_ops.py (its sides, fresh processes alternating, this checkout
"after" and ``DIR`` "before"; one ``dg.jacobian`` call of array duals of ``n``
elements x 4 directions, the fused engine as the default picks it; wall-clock
microseconds, medians over ``reps`` interleaved samples, then over rounds; 10,000
elements, so that ``mid = u[1:-1]``'s concrete partials are past ``backend.LEAN_WORK``
as the heat rows' are: heat69_ops' 8192 leaves 8190 x 4 = 32,760 below its 32,768,
where ``k * mid`` takes ``lean_mixed``, ``lean_constant`` and ``nested`` first), the
operations heat69's MISSES section left: ``inner * g`` (a plain float64 array
times an array dual with deferred partials: the roll and sparse forms' ``inner *
(...)``), ``g * inner``, ``inner - g``, ``k * mid`` (a scalar dual made again each
step, ``dt * rate``, times concrete partials), ``kappa * lap`` (deferred), with
NumPy's float operations on the same values as floors (``add_into``'s Python:
bench/heat70_add.py).  Printed: each side's median over
rounds and the median over rounds of after / before.  Nothing is written.
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


def child(n, reps):
    import numpy as np
    import dualgrad as dg
    clock = time.perf_counter_ns
    times = {}

    def f(p):
        kappa, amp, width, rate = p[0], p[1], p[2], p[3]
        s = np.linspace(0.0, 1.0, n)
        u = amp * np.exp(-((s - 0.5) / width) ** 2)
        u = u.copy()                              # concrete partials
        inner = np.ones(n - 2)
        inner[[0, -1]] = 0.0
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]      # deferred
        mid = u[1:-1]
        g = 2.0 * mid                             # deferred
        fl, fm = lap.value, mid.value
        ops = {"inner * g": lambda: inner * g, "g * inner": lambda: g * inner,
               "inner - g": lambda: inner - g,
               "k * mid": lambda: (0.01 * rate) * mid, "kappa * lap": lambda: kappa * lap,
               "float: inner * x": lambda: inner * fl, "float: k * x": lambda: 0.4 * fm}
        for _ in range(reps):
            for name, op in ops.items():
                t = clock()
                op()
                times.setdefault(name, []).append(clock() - t)
        return u
    for _ in range(2):
        times.clear()
        dg.jacobian(f, np.array([0.4, 0.8, 0.1, 1.5]))
    return {k: statistics.median(v) / 1e3 for k, v in times.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--reps", type=int, default=300)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.n, a.reps)))
        return
    _common.sides_table(__file__, a.compare, a.rounds, ["--n", str(a.n), "--reps", str(a.reps)],
                        f"operation (n = {a.n} x 4; us, medians)")


if __name__ == "__main__":
    main()
