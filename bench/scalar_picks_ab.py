"""``np.where`` and ``np.interp`` on a scalar dual inside a helper's pass, against the same
calls on floats and another checkout (scalarfn63; prints only).

    python bench/scalar_picks_ab.py [--compare /tmp/main_before] [--rounds 5]

Each case runs its call 2000 times inside one ``dg.derivative`` pass (the dual of one
direction, a ScalarDual, as bench/corpus63.py's rotor meets it: ``np.where(CT >= CT2,
...)``, ``np.interp(alpha, polar_alpha, polar_cl)``) or on the float; the figure is the
median us of a call over 7 such blocks, ``time.process_time``.  ``--compare DIR``: fresh
processes alternate this checkout ("after") and ``DIR``; this / other is the median of
the rounds' quotients.
"""

import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import ab_main  # noqa: E402  (the A/B loop)

CALLS = 2000


def child():
    """Print ``{"case": us}`` for this process's dualgrad."""
    import numpy as np

    import dualgrad as dg

    xp = np.linspace(-10.0, 30.0, 41)
    fp = np.sin(xp / 7.0)
    cases = {"where(d > c, d, 0.0)": lambda d: np.where(d > 0.5, d, 0.0),
             "where(False, d, 0.0)": lambda d: np.where(d > 9.5, d, 0.0),
             "where(c, d, -d)": lambda d: np.where(d > 0.5, d, -d),
             "interp(d, xp, fp) inside": lambda d: np.interp(d, xp, fp),
             "interp(d, xp, fp, left=, right=) outside": lambda d: np.interp(d * 40.0, xp, fp,
                                                                             0.0, 1.0)}
    out = {}

    def block(call, x):
        t = time.process_time()
        for _ in range(CALLS):
            call(x)
        return (time.process_time() - t) / CALLS * 1e6

    for name, call in cases.items():
        block(call, 1.25)
        out[name + " (float)"] = statistics.median(block(call, 1.25) for _ in range(7))
        got = []
        dg.derivative(lambda x: got.extend(block(call, x) for _ in range(8)) or x, 1.25)
        out[name + " (dual)"] = statistics.median(got[1:])
    print(json.dumps(out))


def main():
    ab_main("scalar_picks_ab.py", child, "case", 2)


if __name__ == "__main__":
    main()
