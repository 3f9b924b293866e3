"""The rows small72 built, each with its new compiled entry on and off in one process
(issue 13; prints only).

    python bench/small72_cells.py [--rounds 15] [--reps 3000]

``np.tanh(a)``, ``sc.erf(a)`` (``backend.loop_cell``: a split row's value and part by
NumPy's own loops), ``a ** k``, ``t ** k`` (``backend.EXPONENT_LOOPS``), ``k ** a``,
``2.0 ** a`` (``backend.BASE_LOOPS``) on array duals of N = 10 values and n = 10
directions, ``np.arctan2(t, k)``, ``np.hypot(k, t)`` of a plain array (``backend.CONST``'s
``(ufunc, k, "loops")``: the value by NumPy's loop), numba loaded, and ``a * b`` as the peer (no cell: its two columns time the
same code, so its ratio reads the noise).  Each round times the float operation, the
row with its cell as made ("new") and with the cell off (``False``: the lines before
small72, "old"), back to back, in CPU time (``time.process_time``: the machine is
shared); the table: medians over the rounds, ``new / old`` the median of the rounds'
quotients.  The same process and the same operands on both sides, so the quotient is
the cell's alone.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dualgrad as dg  # noqa: E402
from dualgrad.backend import _loader, _propagate  # noqa: E402
from dualgrad.dual._base import new_tag  # noqa: E402


class _Key:
    """``backend.CONST``'s entry at ``key`` read and set as a cell's ``[0]``."""

    def __init__(self, table, key):
        self.table, self.key = table, key

    def __getitem__(self, i):
        return self.table.get(self.key)

    def __setitem__(self, i, value):
        self.table[self.key] = value


def timed(fn, reps):
    t0 = time.process_time()
    for _ in range(reps):
        fn()
    return (time.process_time() - t0) / reps * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reps", type=int, default=3000)
    args = parser.parse_args()
    import scipy.special as sc
    _loader.load()
    rng = np.random.default_rng(4)
    N, n = 10, 10
    va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
    tag = new_tag()
    a = dg.Dual(va, rng.standard_normal((N, n)), tag=tag)
    b = dg.Dual(vb, rng.standard_normal((N, n)), tag=tag)
    k = dg.Dual(0.7, rng.standard_normal(n), tag=tag)
    t = np.linspace(0.5, 2.0, 10)
    rows = [("np.tanh(a)", lambda: np.tanh(a), _propagate.loop_cell(np.tanh), lambda: np.tanh(va)),
            ("sc.erf(a)", lambda: sc.erf(a), _propagate.loop_cell(sc.erf), lambda: sc.erf(va)),
            ("a ** k", lambda: a ** k, _propagate.EXPONENT_LOOPS, lambda: va ** 0.7),
            ("t ** k", lambda: t ** k, _propagate.EXPONENT_LOOPS, lambda: t ** 0.7),
            ("k ** a", lambda: k ** a, _propagate.BASE_LOOPS, lambda: 0.7 ** va),
            ("2.0 ** a", lambda: 2.0 ** a, _propagate.BASE_LOOPS, lambda: 2.0 ** va),
            ("np.arctan2(t, k)", lambda: np.arctan2(t, k),
             _Key(_propagate.CONST, (np.arctan2, 1, "loops")), lambda: np.arctan2(t, 0.7)),
            ("np.hypot(k, t)", lambda: np.hypot(k, t),
             _Key(_propagate.CONST, (np.hypot, 0, "loops")), lambda: np.hypot(0.7, t)),
            ("a * b (peer)", lambda: a * b, None, lambda: va * vb)]
    for _, fn, cell, fl in rows:
        fn()                                    # (makes the cells)
        fl()
    for name, _, cell, _ in rows:
        assert cell is None or cell[0], f"{name}: no entry made"
    print(f"{time.strftime('%H:%M:%S')} load {' '.join(open('/proc/loadavg').read().split()[:3])}")
    print("| row (N = 10, n = 10) | float us | new us | old us | new / old | new / float "
          "| old / float |")
    print("|---|---|---|---|---|---|---|")
    for name, fn, cell, fl in rows:
        samples = []
        for _ in range(args.rounds):
            held = cell[0] if cell else None
            tf = timed(fl, args.reps)
            tn = timed(fn, args.reps)
            if cell:
                cell[0] = False
            try:
                to = timed(fn, args.reps)
            finally:
                if cell:
                    cell[0] = held
            samples.append((tf, tn, to))
        tf, tn, to = (statistics.median(s[i] for s in samples) for i in range(3))
        print(f"| {name} | {tf:.2f} | {tn:.2f} | {to:.2f} | "
              f"{statistics.median(s[1] / s[2] for s in samples):.2f} | "
              f"{statistics.median(s[1] / s[0] for s in samples):.1f} | "
              f"{statistics.median(s[2] / s[0] for s in samples):.1f} |")
    print(f"{time.strftime('%H:%M:%S')} load {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    main()
