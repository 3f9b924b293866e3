"""The Python a heat step's deferred operators cost, against another checkout (heat69).

    python bench/heat69_ops.py --compare DIR [--rounds 5] [--n 8192] [--reps 400]

Each side is a fresh process whose ``dualgrad`` is that checkout's (``PYTHONPATH``).
Inside one ``dg.jacobian`` call (fused engine as the default picks it), on array duals
of ``n`` elements x 4 directions (8192 x 4 = 32,768 partials elements: deferred, and
past ``backend.LEAN_WORK`` for concrete partials; the value's NumPy pass a few
microseconds, so that what is timed is mostly dualgrad's Python), the operators of
bench/problems.py's ``heat`` step are timed one by one, ``reps`` times each,
interleaved, in wall-clock microseconds (medians), with NumPy's float operation on the
same values as the floor: ``kappa * lap`` (a scalar dual times a deferred array dual),
``k * mid`` (times concrete partials), ``a - b`` (two deferred array duals),
``2.0 * mid`` (a number), ``hash(rule)`` (a rule table row, as the deferred paths' dict
lookups hash it).  The sides alternate for ``--rounds`` rounds (this checkout
"after", ``DIR`` "before"); printed: each side's median over rounds and the median
over rounds of after / before.  Nothing is written.
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
    from dualgrad.rules._table import rule_for
    clock = time.perf_counter_ns
    times = {}

    def f(p):
        kappa, amp, width, rate = p[0], p[1], p[2], p[3]
        s = np.linspace(0.0, 1.0, n)
        u = amp * np.exp(-((s - 0.5) / width) ** 2)
        u = u.copy()                              # concrete partials
        lap = u[2:] - 2.0 * u[1:-1] + u[:-2]      # deferred
        mid = u[1:-1]
        k = 0.01 * rate
        other = 2.0 * mid                         # deferred
        fl, fm, fo = lap.value, mid.value, other.value
        rule = rule_for(np.multiply)
        ops = {"kappa * lap": lambda: kappa * lap, "k * mid": lambda: k * mid,
               "a - b": lambda: lap - other, "2.0 * mid": lambda: 2.0 * mid,
               "float: k * x": lambda: 0.4 * fl, "float: a - b": lambda: fl - fo,
               "hash(rule)": lambda: hash(rule)}
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
    ap.add_argument("--n", type=int, default=8192)
    ap.add_argument("--reps", type=int, default=400)
    ap.add_argument("--child", action="store_true")
    a = ap.parse_args()
    if a.child:
        print(json.dumps(child(a.n, a.reps)))
        return
    _common.sides_table(__file__, a.compare, a.rounds, ["--n", str(a.n), "--reps", str(a.reps)],
                        f"operation (n = {a.n} x 4; us, medians)")


if __name__ == "__main__":
    main()
