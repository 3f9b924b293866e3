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
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


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


def run(root, n, reps):
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([sys.executable, __file__, "--child", "--n", str(n), "--reps", str(reps)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    sides = {"after": HERE.parent, "before": Path(a.compare)} if a.compare else \
        {"after": HERE.parent}
    got = {side: [] for side in sides}
    for r in range(a.rounds):
        order = list(sides) if r % 2 == 0 else list(sides)[::-1]
        for side in order:
            got[side].append(run(sides[side], a.n, a.reps))
    names = list(got["after"][0])
    print(f"| operation (n = {a.n} x 4; us, medians) | " + " | ".join(sides) +
          (" | after / before |" if a.compare else " |"))
    print("|---" * (len(sides) + 1 + bool(a.compare)) + "|")
    for name in names:
        cells = [f"{statistics.median(r[name] for r in got[s]):.2f}" for s in sides]
        if a.compare:
            cells.append(f"{statistics.median(x[name] / y[name] for x, y in zip(got['after'], got['before'])):.3f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
