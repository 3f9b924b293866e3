"""The fusable unary rows small74 gave a value-loops entry, each with that entry on and
off in one process (issue 13; prints only).

    python bench/small74_cells.py [--rounds 15] [--reps 3000]

``np.log(a)``, ``np.sqrt(a)``, ``np.log1p(a)``, ``np.arctan(a)``, ``np.reciprocal(a)``
(``backend.loop_cell``'s ``value_loops_made``: the value by NumPy's own loop, then the
row's own loop of the factor and the products, in one compiled call) on array duals of
N = 10 values and n = 10 directions, numba loaded, and ``a * b`` as the peer (no cell:
its two columns time the same code, so its ratio reads the noise).  Each round times
the float operation, the row with its cell as made ("new") and with the cell off
(``False``: NumPy's value call, then the row's entry, as before small74: "old"), back to
back, in CPU time (``time.process_time``: the machine is shared); the table: medians
over the rounds, ``new / old`` the median of the rounds' quotients.  The same process
and the same operands on both sides, so the quotient is the cell's alone.
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
    _loader.load()
    rng = np.random.default_rng(4)
    N, n = 10, 10
    va, vb = rng.uniform(0.5, 2, N), rng.uniform(0.5, 2, N)
    tag = new_tag()
    a = dg.Dual(va, rng.standard_normal((N, n)), tag=tag)
    b = dg.Dual(vb, rng.standard_normal((N, n)), tag=tag)
    rows = [(f"np.{u.__name__}(a)", lambda u=u: u(a), _propagate.loop_cell(u),
             lambda u=u: u(va))
            for u in (np.log, np.sqrt, np.log1p, np.arctan, np.reciprocal)]
    rows.append(("a * b (peer)", lambda: a * b, None, lambda: va * vb))
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
