"""A scalar dual raised to a dual array whose values underflowed to 0 (user73's JONSWAP row).

    python bench/power73_pieces.py [--rounds R] [--calls N]

JONSWAP's peak shape ``y ** exp(-0.5 * ((w - wp) / s / wp) ** 2)`` (bench/corpus73.py):
the exponent is a dual array (wp = 2 pi / tp) whose values far from the peak are
``exp(-8000)``, 0.0, so the base's local derivative ``e * y ** (e - 1)`` holds zeros that
the power row's careful path (dispatch/_ufuncs.py's ``_quotient_partials``: ``_tiny``,
then ``_array_quotient``, ``_array_spread`` and ``_farpower.power_terms`` for the whole
array) takes up.  Times one ``dg.jacobian`` (2 directions, 200 elements) of
``y ** e`` with e's values all normal, with 10 % underflowed to 0, with 90 %, with the
row's own e (0.0 and values below 1e-200), and of the whole row, interleaved in one
process; medians (and the rounds' range) in us.
"""

import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import numpy as np  # noqa: E402

import dualgrad as dg  # noqa: E402
from corpus73 import PROBLEMS73  # noqa: E402

W = np.linspace(0.3, 6.0, 200)


def case(frac):
    """``y ** e`` of the row's kind: y a scalar dual, e a dual array, ``frac`` of e's
    values 0.0 (underflowed exponentials)."""
    cut = int(round(frac * W.size))

    def g(x):
        y = np.exp(5.75 - 1.15 * x[1] / x[0] ** 0.5)
        wp = 2 * np.pi / x[1]
        e = np.exp(-0.5 * ((W - wp) / 0.07 / wp) ** 2 / 400.0)      # all normal
        if cut:
            e = np.concatenate([e[:-cut], np.exp(-1e4 * (W[-cut:] + x[1]))])   # 0.0
        return y ** e
    return g


def own(x):
    """The row's own power: its e has 18 of 200 values 0.0 and 7 below 1e-200."""
    y = np.exp(5.75 - 1.15 * x[1] / x[0] ** 0.5)
    wp = 2 * np.pi / x[1]
    w = 2 * np.pi / np.linspace(1, 20, 200)
    s = np.where(w <= wp, 0.07, 0.09)
    return y ** np.exp(-0.5 * ((w - wp) / s / wp) ** 2)


def main(argv):
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    calls = int(argv[argv.index("--calls") + 1]) if "--calls" in argv else 20
    x0 = np.array([5.5, 10.0])
    row, rx = PROBLEMS73["JONSWAP spectrum, y ** exp(array) (2)"]
    cases = {"y ** e, e normal": (case(0.0), x0), "y ** e, 10 % of e 0.0": (case(0.1), x0),
             "y ** e, 90 % of e 0.0": (case(0.9), x0), "y ** e, the row's e": (own, x0),
             "the JONSWAP row": (row, rx)}
    times = {k: [] for k in cases}
    for f, x in cases.values():
        dg.jacobian(f, x)
    for _ in range(rounds):
        for k, (f, x) in cases.items():
            t = time.perf_counter()
            for _ in range(calls):
                dg.jacobian(f, x)
            times[k].append((time.perf_counter() - t) / calls * 1e6)
    for k, v in times.items():
        print(f"{k:28s} {statistics.median(v):9.1f} us  (rounds {min(v):.1f}-{max(v):.1f})")


if __name__ == "__main__":
    main(sys.argv[1:])
