"""Real and complex scalar duals, this checkout against another, in CPU time (errors13).

    python bench/scalar_kinds_ab.py --compare DIR [--rounds 2]

Complex scalar duals have their own generated classes (whose ``__array__`` refuses
``np.array([z1, z2])``); this times what that could change, each in a fresh process
per checkout (DIR first, then this one) per round, CPU time (``time.process_time``),
median over repeats:

* ``np.array(ds)`` of 100 real scalar duals (n = 1), ns per element: NumPy asks each
  element for ``__array__``; the real classes must still have none;
* ``make_scalar`` of a float value and 4 float partials (the general path's builder),
  ns per call;
* a loop of 50 steps ``z = z * x + 0.1j`` of a real ``x`` through complex
  intermediates (``dg.derivative``), us per call: complex and real duals mixed;
* the same loop on a complex ``z`` under ``holomorphic=True``, us per call.

Prints each side's median over rounds and the quotient (this checkout's over DIR's).
"""

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = ("np.array of real scalar duals (ns/element)", "make_scalar, real, n=4 (ns)",
        "real x, complex intermediates (us)", "holomorphic loop (us)")


def _cpu(fn, number, repeat=7):
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        times.append(time.process_time() - t0)
    return statistics.median(times) / number


def child(root):
    sys.path.insert(0, root)
    import numpy as np

    import dualgrad as dg
    from dualgrad.dual import make_scalar

    def mixed(x):
        z = x * (0.5 + 0.5j)
        for _ in range(50):
            z = z * x + 0.1j
        return np.abs(z)

    def holo(z):
        w = z
        for _ in range(50):
            w = w * z + 0.1j
        return w

    out = {}

    def listed(x):
        ds = [x * float(i) for i in range(100)]
        out[ROWS[0]] = _cpu(lambda: np.array(ds), 200) / 100 * 1e9
        return x
    dg.derivative(listed, 1.0)
    partials = [1.0, 2.0, 0.0, 1.0]
    out[ROWS[1]] = _cpu(lambda: make_scalar(1.5, partials, 0), 20000) * 1e9
    out[ROWS[2]] = _cpu(lambda: dg.derivative(mixed, 0.9), 20) * 1e6
    out[ROWS[3]] = _cpu(lambda: dg.derivative(holo, 0.9 + 0.1j, holomorphic=True), 20) * 1e6
    print(json.dumps(out))


def main():
    if "--child" in sys.argv:
        return child(sys.argv[sys.argv.index("--child") + 1])
    other = Path(sys.argv[sys.argv.index("--compare") + 1]).resolve()
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 2
    here = HERE.parent
    sides = {"before": [], "after": []}
    for _ in range(rounds):
        for side, root in (("before", other), ("after", here)):
            res = subprocess.run([sys.executable, __file__, "--child", str(root)],
                                 capture_output=True, text=True, check=True)
            sides[side].append(json.loads(res.stdout.strip().splitlines()[-1]))
    print(f"| row | {other} | this checkout | after / before |\n|---|---|---|---|")
    for row in ROWS:
        b = statistics.median(r[row] for r in sides["before"])
        a = statistics.median(r[row] for r in sides["after"])
        print(f"| {row} | {b:.0f} | {a:.0f} | {a / b:.2f} |")


if __name__ == "__main__":
    main()
